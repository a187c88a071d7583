/**
 * The tape engine's scalar functions in numerically stable forms, shared by
 * `Value` (value.ts) and `Tensor` (tensor.ts). Written here by hand: the tape
 * is the compiler's independent witness and never uses the op table.
 */

/** Logistic sigmoid without overflow: exp is only ever taken of a non-positive number. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + exp(x)) without overflow, and with full relative precision for very negative x. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * sigmoid'(x) = sigmoid(x) * sigmoid(-x). Written as s(x)*s(-x) rather than
 * s*(1-s) so that it keeps relative precision for large positive x too.
 */
export function sigmoidGrad(x: number): number {
  return sigmoid(x) * sigmoid(-x);
}

/**
 * tanh'(x) = sech(x)^2 = 4e / (1 + e)^2 with e = exp(-2|x|): nothing cancels and
 * nothing overflows, so it keeps full precision where 1 - tanh^2 has none left.
 */
export function sech2(x: number): number {
  const e = Math.exp(-2 * Math.abs(x));
  return (4 * e) / ((1 + e) * (1 + e));
}

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

/**
 * gelu, tanh approximation: 0.5*x*(1 + tanh(u)), u = sqrt(2/pi)*(x + 0.044715*x^3),
 * computed as x*sigmoid(2u), the same function (1 + tanh(u) = 2*sigmoid(2u)),
 * because 1 + tanh(u) cancels catastrophically for negative x.
 */
export function gelu(v: number): number {
  return v * sigmoid(2 * GELU_C * (v + GELU_K * v * v * v));
}

/**
 * d/dx x*s(2u) = s(2u) + x * s'(2u) * 2c (1 + 3k x^2), grouped as the
 * compiler's rule groups it, so that both round alike.
 */
export function geluGrad(v: number): number {
  const u2 = 2 * GELU_C * (v + GELU_K * v * v * v);
  const ds = sigmoidGrad(u2);
  // when s' underflows to 0 the second term is 0, even if x*(1+3kx^2) overflowed
  const second = ds === 0 ? 0 : v * ds * (2 * GELU_C * (1 + 3 * GELU_K * (v * v)));
  return sigmoid(u2) + second;
}
