import { outputsOf, topoOrder, type IRFunction } from './func.js';
import type { Node } from './node.js';

/** Literal text of a constant, round-tripping (JS prints the shortest exact form). */
export function formatNumber(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * The IR as readable text, one node per line in schedule order, e.g.
 *   %2 = mul %0 %1
 * Constants appear inline as operands. This is what `autodiff compile --emit ir` prints.
 */
export function printIR(fn: IRFunction): string {
  const names = new Map<Node, string>();
  const lines: string[] = [];
  const params = fn.params.map((p) => p.name).join(', ');
  const inputs = fn.inputs.map((x) => x.name).join(', ');
  lines.push(`fn (params: ${params || '-'}; inputs: ${inputs || '-'}) {`);
  const operand = (n: Node) => (n.op === 'const' ? formatNumber(n.value!) : names.get(n)!);
  const leaves = [...fn.params, ...fn.inputs];
  for (const node of [...leaves, ...topoOrder(outputsOf(fn))]) {
    if (names.has(node) || node.op === 'const') continue;
    const name = `%${names.size}`;
    names.set(node, name);
    const rhs = node.op === 'param' || node.op === 'input'
      ? `${node.op} ${node.name}`
      : `${node.op} ${node.args.map(operand).join(' ')}`;
    lines.push(`  ${name} = ${rhs}`);
  }
  lines.push(`  value = ${operand(fn.value)}`);
  fn.grads?.forEach((g, i) => lines.push(`  d/d${fn.params[i]!.name} = ${operand(g)}`));
  lines.push('}');
  return lines.join('\n') + '\n';
}
