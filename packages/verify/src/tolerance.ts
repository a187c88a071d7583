/**
 * How two gradient witnesses are compared. Every comparison is one number,
 * |a - b| / max(|a|, |b|, floor): a relative error when the values are larger
 * than `floor`, an absolute one (scaled by 1/floor) below it. A check passes
 * when that number is at most its tolerance.
 */

/**
 * Compiled code and the tape compute the same formulas in double precision,
 * only arranged differently (the simplifier rewrites, shared subexpressions
 * sum their cotangents first), so they differ by a few rounding errors per
 * operation: ~1e-15 relative for well-conditioned gradients (the differential
 * test holds them to 1e-12 everywhere).
 * 1e-9 leaves room for a million-fold amplification of rounding by
 * cancellation, and still catches any wrong rule, which errs at O(1).
 */
export const ENGINE_TOLERANCE = 1e-9;

/**
 * Central differences with step h = cbrt(eps) * max(1, |x|) (the runtime's
 * `finiteDifferenceGradient`) err by ~h^2 |f'''| / 6 (truncation) plus
 * ~eps |f| / h (rounding): about 4e-11 relative for a well-scaled smooth f,
 * but more where f curves sharply (near a pole of `tan` or `1/x`, or a
 * domain edge of `log`, `sqrt`, `asin`). 1e-6 leaves four orders of
 * magnitude for that curvature and still catches wrong rules, which err at
 * O(1), and slips of a constant in the 5th significant digit.
 */
export const FINITE_DIFFERENCE_TOLERANCE = 1e-6;

/**
 * The scale below which a gradient's error counts in absolute terms. The
 * rounding part of a central difference is ~eps^(2/3) |f| / max(1, |x_i|)
 * in absolute terms (its step is relative to |x_i|), so measuring against
 * that magnitude keeps rounding noise at ~4e-11 of the scale whatever the
 * size of f; below 1 the comparison is absolute (numpy's allclose with
 * atol = rtol).
 */
export function gradientScale(value: number, coordinate: number): number {
  const s = Math.abs(value) / Math.max(1, Math.abs(coordinate));
  return Number.isFinite(s) ? Math.max(1, s) : 1;
}

/**
 * Two engines agree to 1e-9 of max(|a|, |b|), or to 1e-12 of the gradient
 * scale near zero (where the last few bits of a cancelling sum decide the
 * relative error).
 */
export const ENGINE_FLOOR = 1e-3;

/** |a - b| / max(|a|, |b|, floor); 0 when both are the same (even non-finite) value. */
export function relativeError(a: number, b: number, floor: number): number {
  if (Object.is(a, b) || a === b) return 0;
  const e = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
  return Number.isNaN(e) ? Infinity : e;
}
