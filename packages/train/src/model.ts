/**
 * What training needs from a differentiable program: its names and the flat
 * forward/backward functions. `loadCompiled(ir)` from @autodiff/compiler
 * returns one (the generated code); `tapeModel(checked)` makes one that runs
 * the tape engine instead.
 */
export interface Model {
  readonly paramNames: readonly string[];
  readonly inputNames: readonly string[];
  /** The output at params `p` and inputs `x` (each in declaration order). */
  forwardFlat(p: Float64Array, x: Float64Array): number;
  /** Returns the output and writes its gradient with respect to the params into `grad`. */
  backwardFlat(p: Float64Array, x: Float64Array, grad: Float64Array): number;
}
