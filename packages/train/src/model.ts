/**
 * What training needs from a differentiable program: its names and the flat
 * forward/backward functions. `loadCompiled(ir)` from @autodiff/compiler
 * returns one (the generated code); `tapeModel(checked)` makes one that runs
 * the tape engine instead.
 */
export interface Model {
  readonly paramNames: readonly string[];
  readonly inputNames: readonly string[];
  /** The flat params' length: every element of every param (default: one per name). */
  readonly paramSize?: number;
  /** Each param's shape, for a tensor program (initialisation scales by fan-in and fan-out). */
  readonly tensorParamShapes?: readonly (readonly number[])[];
  /** A row's columns in the dataset, in order (default the input names): a tensor input's are `x[0]`, `x[1]`... */
  readonly inputColumns?: readonly string[];
  /**
   * Set for a batch program: each input's elements per row, in input order.
   * A batch of rows is then passed at once (the inputs one after another,
   * each row-major) with its size as the flat functions' last argument, and
   * the output is minimised as it is (it already reduces over the batch).
   */
  readonly batchInputSizes?: readonly number[];
  /** The output at params `p` and inputs `x` (each in declaration order; a batch program's batch size last). */
  forwardFlat(p: Float64Array, x: Float64Array, ...dims: number[]): number;
  /** Returns the output and writes its gradient with respect to the params into `grad`. */
  backwardFlat(p: Float64Array, x: Float64Array, grad: Float64Array, ...dims: number[]): number;
}
