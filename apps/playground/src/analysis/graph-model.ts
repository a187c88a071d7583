/**
 * The computation graph as the playground draws it: one box per node of the
 * final IR. Which nodes get a box (the browser test counts them the same way):
 *   - every param and input,
 *   - every non-constant node reachable from the value or a gradient,
 *   - a constant only when it is itself the value or a gradient;
 * other constants are written inline in the box of the op that uses them.
 */
import { formatNumber, gradsOf, nodeText, opNamed, outputsOf, topoOrder, valueOf, type Node, type Program } from '@autodiff/ir';
import type { Span } from '@autodiff/parser';
import { typeText } from './layout.js';
import type { SourceMap } from './spans.js';

export type NodeKind = 'param' | 'input' | 'const' | 'forward' | 'gradient';

export interface GraphNode {
  id: number;
  kind: NodeKind;
  op: string;
  /**
   * Short text for the box: a leaf's name, or the op with its operands: a
   * constant's number, a param's, input's or binding's name, else `·`
   * (an arrow brings that operand in), e.g. `w1 × x1`, `2 × ·`, `tanh(·)`.
   */
  label: string;
  /** Boxed arguments (ids of other GraphNodes), in argument order. */
  args: number[];
  /** 'value' and/or the params whose gradient this node is. */
  outputs: string[];
  /** The source binding that names this node, if any. */
  binding?: string;
  spans: Span[];
  /** Depends on a param, so it has a gradient (∂value/∂node). */
  hasGradient: boolean;
  /** The node's type as the IR printer writes it: `f64[n,16]`, or `f64` for a scalar. */
  type: string;
  /** A shaped value: the box shows its type instead of numbers. */
  tensor: boolean;
}

export interface GraphModel {
  nodes: GraphNode[];
}

export function isBoxed(n: Node, outputs: ReadonlySet<Node>): boolean {
  return n.op !== 'const' || outputs.has(n);
}

/** The nodes that get a box, in a deterministic order (leaves first, then schedule order). */
export function boxedNodes(ir: Program): Node[] {
  const outputs = new Set(outputsOf(ir));
  const result: Node[] = [...ir.params, ...ir.inputs];
  const seen = new Set(result);
  for (const n of topoOrder(outputsOf(ir))) {
    if (!seen.has(n) && isBoxed(n, outputs)) {
      seen.add(n);
      result.push(n);
    }
  }
  return result;
}

function labelOf(n: Node, bindingNames: ReadonlyMap<Node, string>): string {
  if (n.op === 'param' || n.op === 'input') return n.name!;
  if (n.op === 'const') return formatNumber(n.value!);
  const operand = (a: Node) => (a.op === 'const' ? formatNumber(a.value!) : a.name ?? bindingNames.get(a) ?? '·');
  // The op table's own notation: `X @ W`, `sum(h, axis=1)`, `W[0, 1:3]`.
  return nodeText(opNamed(n.op), n.args.map(operand), n);
}

export function graphModelOf(ir: Program, source: SourceMap): GraphModel {
  const forward = new Set(topoOrder([valueOf(ir)]));
  const outputs = new Set(outputsOf(ir));
  const dependsOnParam = new Set<Node>(ir.params);
  for (const n of forward) if (n.args.some((a) => dependsOnParam.has(a))) dependsOnParam.add(n);

  const outputNames = new Map<Node, string[]>();
  const tag = (n: Node, name: string) => outputNames.set(n, [...(outputNames.get(n) ?? []), name]);
  tag(valueOf(ir), 'value');
  gradsOf(ir)?.forEach((g, i) => tag(g, `∂/∂${ir.params[i]!.name}`));

  const kindOf = (n: Node): NodeKind =>
    n.op === 'param' || n.op === 'input' || n.op === 'const' ? n.op : forward.has(n) ? 'forward' : 'gradient';

  const nodes = boxedNodes(ir).map((n): GraphNode => {
    const binding = source.bindingNames.get(n);
    return {
      id: n.id,
      kind: kindOf(n),
      op: n.op,
      label: labelOf(n, source.bindingNames),
      args: n.args.filter((a) => isBoxed(a, outputs)).map((a) => a.id),
      outputs: outputNames.get(n) ?? [],
      ...(binding !== undefined && n.op !== 'param' && n.op !== 'input' ? { binding } : {}),
      spans: source.spans.get(n) ?? [],
      hasGradient: dependsOnParam.has(n) && forward.has(n),
      type: typeText(n.shape),
      tensor: n.shape.length > 0,
    };
  });
  return { nodes };
}
