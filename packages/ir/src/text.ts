import { outputsOf, topoOrder, type Program } from './func.js';
import type { Node } from './node.js';
import { attrsKey } from './graph.js';
import type { Shape } from './shape.js';

/** Literal text of a constant, round-tripping (JS prints the shortest exact form). */
export function formatNumber(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/** A value's type as the IR prints it: `f64` for a scalar, `f64[n,16]` for a tensor. */
export function formatType(shape: Shape): string {
  return shape.length === 0 ? 'f64' : `f64[${shape.join(',')}]`;
}

/** Attributes as `{axes=[1], keepdims=true}`, or nothing. */
function formatAttrs(node: Node): string {
  const key = attrsKey(node.attrs);
  if (key === '') return '';
  const parts = Object.entries(node.attrs).map(([k, v]) => `${k}=${JSON.stringify(v).replace(/"/g, '')}`);
  return ` {${parts.join(', ')}}`;
}

/**
 * The IR as readable text, one node per line in schedule order, with types, e.g.
 *   %3: f64[n,16] = matmul %1 %2
 * Constants appear inline as operands (`2`, or `2:f64[3]` for a filled tensor).
 * This is what `autodiff compile --emit ir` prints.
 */
export function printIR(fn: Program): string {
  const names = new Map<Node, string>();
  const lines: string[] = [];
  const decl = (n: Node) => (n.shape.length === 0 ? n.name! : `${n.name}: ${formatType(n.shape)}`);
  const params = fn.params.map(decl).join(', ');
  const inputs = fn.inputs.map(decl).join(', ');
  lines.push(`fn (params: ${params || '-'}; inputs: ${inputs || '-'}) {`);
  const operand = (n: Node) => {
    if (n.op !== 'const') return names.get(n)!;
    return n.shape.length === 0 ? formatNumber(n.value!) : `${formatNumber(n.value!)}:${formatType(n.shape)}`;
  };
  const leaves = [...fn.params, ...fn.inputs];
  for (const node of [...leaves, ...topoOrder(outputsOf(fn))]) {
    if (names.has(node) || node.op === 'const') continue;
    const name = `%${names.size}`;
    names.set(node, name);
    const rhs = node.op === 'param' || node.op === 'input'
      ? `${node.op} ${node.name}`
      : [node.op, ...node.args.map(operand)].join(' ') + formatAttrs(node);
    lines.push(`  ${name}: ${formatType(node.shape)} = ${rhs}`);
  }
  for (const o of fn.outputs) lines.push(`  ${o.name} = ${operand(o.node)}`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
