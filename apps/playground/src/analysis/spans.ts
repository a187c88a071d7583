/**
 * Where each node of the final IR comes from in the source: the compiler's
 * `lowerWithSources`, run into the final (simplifying, hash-consed) graph, so
 * each subexpression maps to the very node the compiler made for it.
 */
import { lowerWithSources, type SourceMap } from '@autodiff/compiler';
import type { IRFunction } from '@autodiff/ir';
import type { CheckedProgram } from '@autodiff/parser';

export type { SourceMap };

export function sourceMapOf(checked: CheckedProgram, ir: IRFunction): SourceMap {
  return lowerWithSources(checked, ir.graph).sources;
}
