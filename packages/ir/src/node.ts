/**
 * IR nodes. A node is immutable and only made by a Graph, which hash-conses:
 * two structurally equal nodes are the same object, so common subexpressions
 * are shared by construction.
 */

/** Shape of a value. v1 is scalars only; v2 adds tensor dimensions here. */
export type Shape = readonly number[];
export const SCALAR: Shape = [];

export interface Node {
  /** Creation order inside its graph; stable and deterministic. */
  readonly id: number;
  /** 'const', 'param', 'input', or the name of an op in the op table. */
  readonly op: string;
  readonly args: readonly Node[];
  readonly shape: Shape;
  /** For 'const'. */
  readonly value?: number;
  /** For 'param' and 'input': the source name and position in its declaration list. */
  readonly name?: string;
  readonly index?: number;
}

export function isLeaf(n: Node): boolean {
  return n.op === 'const' || n.op === 'param' || n.op === 'input';
}
