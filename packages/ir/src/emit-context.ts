/**
 * What a structural op's emitter may ask of the code generator. Emitters
 * write loops as text; every name they print comes from here (dimension
 * variables, buffers, loop indices), so no source text reaches the code.
 */
import type { Node } from './node.js';
import type { Dim, Shape } from './shape.js';

export interface EmitContext {
  readonly node: Node;
  /** A dimension as an expression: a literal, or the variable holding a dimension name's size. */
  dim(d: Dim): string;
  /** The number of elements of a shape, as an expression. */
  size(s: Shape): string;
  /** A fresh local name. */
  fresh(base: string): string;
  line(text: string): void;
  /** Nested loops over `shape`: `body` gets each axis's index variable and the running row-major index. */
  loop(shape: Shape, body: (axes: readonly string[], flat: string) => void): void;
  /** Argument k's element at the given per-axis indices (of argument k's own shape). */
  read(k: number, axes: readonly string[]): string;
  /** Argument k's element at a row-major index of its own shape (it is stored, not computed inline). */
  readFlat(k: number, flat: string): string;
  /** The node's element at a row-major index, as an assignable expression (a scalar node ignores the index). */
  self(flat: string): string;
  /** A statement adding `value` into the node's element at a row-major index. */
  addTo(flat: string, value: string): string;
  /** The row-major index of per-axis indices in a shape. */
  flatIndex(shape: Shape, axes: readonly string[]): string;
  /** Set every element of the node to a value. */
  fill(value: string): void;
  /** A label for run-time errors about argument k: the input's name, if it is one. */
  argLabel(k: number): string;
}

export type EmitRule = (ctx: EmitContext) => void;
