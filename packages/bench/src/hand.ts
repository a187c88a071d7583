/**
 * Hand-written gradients, the way one would write them without a tool:
 * loops over the data, reusing forward values. They set the practical limit
 * the generated code is compared with. Layouts follow the sources in
 * programs.ts (params and inputs in declaration order).
 */
import type { GradientFn } from './gradient.js';

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/** Rosenbrock in p.length dimensions. */
export const rosenbrockGradient: GradientFn = (p, _x, grad) => {
  const n = p.length;
  let value = 0;
  let carry = 0; // d/dx_i of the previous term, 200*(x_i - x_{i-1}^2)
  for (let i = 0; i < n - 1; i++) {
    const xi = p[i]!;
    const a = p[i + 1]! - xi * xi;
    const b = 1 - xi;
    value += 100 * a * a + b * b;
    grad[i] = carry - 400 * a * xi - 2 * b;
    carry = 200 * a;
  }
  grad[n - 1] = carry;
  return value;
};

/** softplus(z) - y*z with z = w.x + b; params w1..wk, b; inputs x1..xk, y. */
export const logisticGradient: GradientFn = (p, x, grad) => {
  const k = p.length - 1;
  let z = p[k]!;
  for (let i = 0; i < k; i++) z += p[i]! * x[i]!;
  const y = x[k]!;
  const dz = sigmoid(z) - y;
  for (let i = 0; i < k; i++) grad[i] = dz * x[i]!;
  grad[k] = dz;
  return softplus(z) - y * z;
};

const hidden = new Float64Array(4);

/** The 2-4-1 network: params w11, w12, ..., w41, w42, b1..b4, v1..v4, c; inputs x1, x2, y. */
export const xorGradient: GradientFn = (p, x, grad) => {
  const x1 = x[0]!;
  const x2 = x[1]!;
  const y = x[2]!;
  let u = p[16]!;
  for (let j = 0; j < 4; j++) {
    const h = Math.tanh(p[2 * j]! * x1 + p[2 * j + 1]! * x2 + p[8 + j]!);
    hidden[j] = h;
    u += p[12 + j]! * h;
  }
  const o = sigmoid(u);
  const du = 2 * (o - y) * o * (1 - o);
  grad[16] = du;
  for (let j = 0; j < 4; j++) {
    const h = hidden[j]!;
    grad[12 + j] = du * h;
    const dpre = du * p[12 + j]! * (1 - h * h);
    grad[2 * j] = dpre * x1;
    grad[2 * j + 1] = dpre * x2;
    grad[8 + j] = dpre;
  }
  return (o - y) * (o - y);
};
