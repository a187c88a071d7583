/**
 * Where each node of the final IR comes from in the source: the compiler's
 * `lowerWithSources`, run into the final (simplifying, hash-consed) graph, so
 * each subexpression maps to the very node the compiler made for it.
 */
import { lowerWithSources, type SourceMap } from '@autodiff/compiler';
import { topoOrder, valueOf, type Program } from '@autodiff/ir';
import type { CheckedProgram } from '@autodiff/parser';

export type { SourceMap };

export function sourceMapOf(checked: CheckedProgram, ir: Program): SourceMap {
  const sources = lowerWithSources(checked, ir.graph).sources;
  // A rewrite can make a node that no source expression evaluates to (-s*z
  // becomes -(s*z)): it belongs to the expression of the node that uses it.
  const order = topoOrder([valueOf(ir)]);
  for (let i = order.length - 1; i >= 0; i--) {
    const user = order[i]!;
    const spans = sources.spans.get(user);
    if (!spans) continue;
    for (const arg of user.args) if (arg.op !== 'const' && !sources.spans.has(arg)) sources.spans.set(arg, [...spans]);
  }
  return sources;
}
