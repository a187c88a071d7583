/**
 * Numbers for the graph's boxes: every scalar node's value, and for forward
 * nodes the gradient of the output with respect to that node (micrograd's
 * `grad`).
 *
 * Values come from the op table's `eval`, which elementwise ops have (a
 * scalar function); a node whose op has none (a reduction, a matrix product)
 * or whose value is a tensor gets no number here, and neither do the nodes
 * computed from it: the box shows its type instead. Gradients come from a
 * numeric reverse sweep that asks each op's vjp rule for its local
 * derivatives in a scratch graph whose operands are constants: the graph
 * folds constants as it builds, so the rule's result is a constant holding
 * the number. The sweep runs only when every forward node is a scalar with a
 * value (every scalar program). (The param gradients shown beside the
 * sliders come from the generated code; the sweep only labels the
 * intermediate boxes.)
 */
import { Graph, OPS, topoOrder, valueOf, type Node, type Program } from '@autodiff/ir';

export interface NodeNumbers {
  /** Scalar nodes whose value could be computed. */
  value: Map<Node, number>;
  /** ∂value/∂node for the forward nodes the value depends on (scalar programs only). */
  grad: Map<Node, number>;
}

/** Where each param and input starts in its flat array (the generated module's layout); one slot each by default. */
export interface LeafOffsets {
  params: readonly number[];
  inputs: readonly number[];
}

const evalOf = (op: string) =>
  Object.prototype.hasOwnProperty.call(OPS, op) ? (OPS[op as keyof typeof OPS] as { eval?: (...a: number[]) => number }).eval : undefined;

export function nodeNumbers(
  ir: Program,
  params: ArrayLike<number>,
  inputs: ArrayLike<number>,
  nodes: readonly Node[],
  offsets: LeafOffsets = { params: ir.params.map((_, i) => i), inputs: ir.inputs.map((_, i) => i) },
): NodeNumbers {
  const value = new Map<Node, number>();
  ir.params.forEach((p, i) => { if (p.shape.length === 0) value.set(p, params[offsets.params[i]!]!); });
  ir.inputs.forEach((x, i) => { if (x.shape.length === 0) value.set(x, inputs[offsets.inputs[i]!]!); });
  for (const n of topoOrder(nodes)) {
    if (value.has(n) || n.shape.length > 0) continue;
    if (n.op === 'const') {
      value.set(n, n.value!);
      continue;
    }
    const f = evalOf(n.op);
    const args = n.args.map((a) => value.get(a));
    if (f && args.every((a) => a !== undefined)) value.set(n, f(...(args as number[])));
  }

  const grad = new Map<Node, number>();
  const forward = topoOrder([valueOf(ir)]);
  if (!forward.every((n) => value.has(n))) return { value, grad };
  const scratch = new Graph();
  grad.set(valueOf(ir), 1);
  for (let i = forward.length - 1; i >= 0; i--) {
    const n = forward[i]!;
    const g = grad.get(n);
    if (g === undefined || n.args.length === 0) continue;
    const args = n.args.map((a) => scratch.const(value.get(a)!));
    const local = OPS[n.op as keyof typeof OPS].vjp(scratch, args, scratch.const(value.get(n)!), scratch.const(g));
    n.args.forEach((a, k) => {
      const c = local[k];
      if (a.op === 'const' || !c) return;
      const contribution = c.op === 'const' ? c.value! : NaN;
      grad.set(a, (grad.get(a) ?? 0) + contribution);
    });
  }
  return { value, grad };
}
