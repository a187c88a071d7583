/**
 * The one signature every competitor is measured through: params and inputs
 * in declaration order; returns the value and writes the gradient into
 * `grad` (the generated code's `backwardFlat`).
 */
export type GradientFn = (p: Float64Array, x: Float64Array, grad: Float64Array) => number;

/** The value alone (the generated code's `forwardFlat`). */
export type ValueFn = (p: Float64Array, x: Float64Array) => number;
