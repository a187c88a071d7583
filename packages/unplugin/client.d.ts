// Types of `import ... from './file.txt?autodiff'` (add "@autodiff/unplugin/client" to "types" in
// tsconfig.json, or `/// <reference types="@autodiff/unplugin/client" />`). A `*.ad` import is
// typed exactly by the `*.ad.d.ts` the plugin writes next to it; these are the general shapes.
declare module '*?autodiff' {
  /** The params, in declaration order: the order of the flat arrays. */
  export const paramNames: readonly string[];
  /** The inputs, in declaration order. */
  export const inputNames: readonly string[];
  /** Each param's shape; only in modules of programs with a shaped declaration. */
  export const paramShapes: readonly (readonly (number | string)[])[] | undefined;
  /** Each input's shape; only in modules of programs with a shaped declaration. */
  export const inputShapes: readonly (readonly (number | string)[])[] | undefined;
  /** The dimension names; only in modules of programs with a shaped declaration. */
  export const dimNames: readonly string[] | undefined;
  /** How many numbers all params hold together; only in modules of programs with a shaped declaration. */
  export const paramSize: number | undefined;
  export type Params = Record<string, number | Float64Array>;
  export type Inputs = Record<string, number | Float64Array>;
  /** The output at `p` and `x` (named API; checks its arguments). */
  export function forward(p: Params, x?: Inputs, dims?: Record<string, number>): number;
  /** The output and its gradient (named API). */
  export function backward(p: Params, x?: Inputs, dims?: Record<string, number>): { value: number; grad: Params };
  /** The output from flat params and inputs (each dimension's size trails). */
  export function forwardFlat(p: Float64Array, x?: Float64Array, ...dims: number[]): number;
  /** The output, returned, and its gradient written into `grad`. */
  export function backwardFlat(p: Float64Array, x: Float64Array, grad: Float64Array, ...dims: number[]): number;
}
