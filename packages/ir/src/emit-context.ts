/**
 * What a structural op's emitter may ask of the code generator. Emitters
 * write loops as text; every name they print comes from here (dimension
 * variables, buffers, loop indices), so no source text reaches the code.
 */
import type { Node } from './node.js';
import type { Dim, Shape } from './shape.js';

/**
 * Where a stored argument's elements are: element [i, t] of a matrix (or [i]
 * of a vector) at `array[offset + i * rowStride + t * colStride]`, each an
 * expression. A transpose of a stored matrix is stored too, with the strides
 * swapped.
 */
export interface StoredView {
  array: string;
  offset: string;
  rowStride: string;
  colStride: string;
}

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
  /** Where argument k's elements are, if it is stored (or the transpose of a stored matrix); else undefined. */
  stored(k: number): StoredView | undefined;
  /**
   * An expression that computes the node as the product of `a` (m x k) and
   * `b` (k x p; a vector when p is '1') on the module's WebAssembly kernel and
   * is true when it did, false when the kernel is not available at run time
   * (then the loops must run). Undefined when the module is generated without
   * the kernel or the node is not stored in an array.
   */
  wasmMatmul(a: StoredView, b: StoredView, m: string, k: string, p: string): string | undefined;
}

export type EmitRule = (ctx: EmitContext) => void;
