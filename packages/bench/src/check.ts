/**
 * Agreement of a competitor's value and gradient with ours at the benchmark
 * point. Error per component: |theirs - ours| / max(|ours|, 1e-3 * max|ours|),
 * i.e. relative, except that components a thousand times smaller than the
 * largest are judged against a thousandth of the largest (a near-zero partial
 * cannot fail on rounding noise alone). The value counts as one more component.
 */
import type { GradientFn } from './gradient.js';

/** Agreement required of double-precision competitors. */
export const TOLERANCE = 1e-6;
/** TensorFlow.js computes in float32 (about 7 significant digits), so it is held to this instead. */
export const FLOAT32_TOLERANCE = 1e-3;

export interface Evaluation {
  value: number;
  grad: Float64Array;
}

export function evaluate(f: GradientFn, p: Float64Array, x: Float64Array): Evaluation {
  const grad = new Float64Array(p.length).fill(NaN);
  const value = f(p, x, grad);
  return { value, grad };
}

export interface Agreement {
  ok: boolean;
  /** The largest error per component, as defined above. */
  maxError: number;
  tolerance: number;
}

export function agreement(ours: Evaluation, theirs: Evaluation, tolerance: number): Agreement {
  const a = [ours.value, ...ours.grad];
  const b = [theirs.value, ...theirs.grad];
  const scale = Math.max(...ours.grad.map(Math.abs), 0);
  let maxError = 0;
  a.forEach((expected, i) => {
    const floor = i === 0 ? Math.abs(expected) : Math.max(Math.abs(expected), 1e-3 * scale);
    const error = Math.abs(b[i]! - expected) / Math.max(floor, Number.MIN_VALUE);
    maxError = Number.isNaN(error) ? Infinity : Math.max(maxError, error);
  });
  return { ok: maxError <= tolerance, maxError, tolerance };
}
