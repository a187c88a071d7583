/**
 * IR nodes. A node is immutable and only made by a Graph, which hash-conses:
 * two structurally equal nodes (op, arguments, type, attributes) are the same
 * object, so common subexpressions are shared by construction.
 */
import type { OpName } from './op-names.js';
import type { Shape } from './shape.js';

export { SCALAR, type Dim, type Shape } from './shape.js';

export type LeafOp = 'const' | 'param' | 'input';

/**
 * An op's attributes: small plain data (numbers, booleans, arrays of them,
 * shapes), part of the node's identity: `sum(x, axes=[0])` and
 * `sum(x, axes=[1])` are different nodes.
 */
export type Attrs = Readonly<Record<string, unknown>>;
export const NO_ATTRS: Attrs = Object.freeze({});

export interface Node {
  /** Creation order inside its graph; stable and deterministic. */
  readonly id: number;
  readonly op: OpName | LeafOp;
  readonly args: readonly Node[];
  /** The value's type: always f64, with this shape. */
  readonly shape: Shape;
  readonly attrs: Attrs;
  /** For 'const': every element has this value. */
  readonly value?: number;
  /** For 'param' and 'input': the source name and position in its declaration list. */
  readonly name?: string;
  readonly index?: number;
}

export function isLeaf(n: Node): boolean {
  return n.op === 'const' || n.op === 'param' || n.op === 'input';
}
