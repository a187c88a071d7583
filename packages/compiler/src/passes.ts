/**
 * The compiler's passes, in order. Each is a small pure function from IR to
 * IR; `autodiff compile --emit ir` prints the IR after every one of them.
 * Lowering from the AST comes before these; code generation after, and it
 * schedules only the nodes the outputs reach (dead code elimination).
 */
import { vjp } from '@autodiff/diff';
import { Graph, opNamed, rebuild, simplifier, type OpDef, type Program } from '@autodiff/ir';

export interface PassContext {
  /** The op table's lookup (tests substitute a doctored copy). */
  ops: (op: string) => OpDef;
}

export interface Pass {
  name: string;
  run: (fn: Program, context: PassContext) => Program;
}

export const DEFAULT_CONTEXT: PassContext = { ops: opNamed };

export const PASSES: readonly Pass[] = [
  // Copy into a graph that simplifies and folds every node it makes; later
  // passes build in that graph, so their output is simplified as it is made.
  { name: 'simplify', run: (fn) => rebuild(fn, new Graph(simplifier)) },
  // Gradient nodes join the forward nodes in the same hash-consed graph.
  { name: 'vjp', run: (fn, { ops }) => vjp(fn, ops) },
];
