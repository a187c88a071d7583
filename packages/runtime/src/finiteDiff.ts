/**
 * Step size for central differences, relative to max(1, |x|).
 *
 * The central difference (f(x+h) - f(x-h)) / 2h has truncation error about
 * h^2 |f'''| / 6, and rounding error about eps |f| / h (f is evaluated with
 * relative error ~eps, and the difference is divided by h). The sum
 * C1 h^2 + C2 eps / h is smallest at h ~ eps^(1/3) (its derivative
 * 2 C1 h - C2 eps / h^2 vanishes there), leaving an error ~ eps^(2/3) ~ 4e-11
 * for well-scaled f. Forward differences (error h + eps/h) would instead want
 * sqrt(eps) and only reach ~1e-8.
 */
const STEP = Math.cbrt(Number.EPSILON); // ~6.06e-6

/**
 * Gradient of `f` at `at` by central differences, one coordinate at a time,
 * with step h_i = cbrt(eps) * max(1, |x_i|) so the step scales with x_i.
 */
export function finiteDifferenceGradient(f: (x: Float64Array) => number, at: Float64Array): Float64Array {
  return finiteDifferencePartials(f, at, Array.from({ length: at.length }, (_, i) => i));
}

/**
 * The same for some coordinates only (`indices`); the others are NaN. Checking
 * a sample of a large model's params costs two evaluations per sampled one.
 */
export function finiteDifferencePartials(f: (x: Float64Array) => number, at: Float64Array, indices: readonly number[]): Float64Array {
  const x = Float64Array.from(at);
  const grad = new Float64Array(x.length).fill(NaN);
  for (const i of indices) {
    const xi = x[i]!;
    const h = STEP * Math.max(1, Math.abs(xi));
    const up = xi + h;
    const down = xi - h;
    x[i] = up;
    const fUp = f(x);
    x[i] = down;
    const fDown = f(x);
    x[i] = xi;
    // divide by the step actually taken (xi +- h is rounded), not by 2h
    grad[i] = (fUp - fDown) / (up - down);
  }
  return grad;
}

/**
 * The derivative of `f` at `at` along `direction` by a central difference:
 * the step moves each coordinate by at most cbrt(eps) * max(1, |x|) (the
 * largest |x_i| in the direction's reach), so it is as well scaled as a
 * coordinate's.
 */
export function directionalDifference(f: (x: Float64Array) => number, at: Float64Array, direction: Float64Array): number {
  let reach = 1;
  let size = 0;
  for (let i = 0; i < at.length; i++) {
    if (direction[i] !== 0) reach = Math.max(reach, Math.abs(at[i]!));
    size = Math.max(size, Math.abs(direction[i]!));
  }
  if (size === 0) return 0;
  const h = (STEP * reach) / size;
  const x = new Float64Array(at.length);
  for (let i = 0; i < at.length; i++) x[i] = at[i]! + h * direction[i]!;
  const fUp = f(x);
  for (let i = 0; i < at.length; i++) x[i] = at[i]! - h * direction[i]!;
  const fDown = f(x);
  return (fUp - fDown) / (2 * h);
}
