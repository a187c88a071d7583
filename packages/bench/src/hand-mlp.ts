/**
 * A hand-written MLP step (forward and gradient), the way one writes it with
 * Float64Arrays and no tool: relu hidden layers, matrix products blocked over
 * 4 rows (the weight gradients' X^T G too), buffers allocated once. It is what the generated code for the same
 * program is compared with. The flat layouts follow the sources in
 * tensor-workloads.ts: params W1, b1, W2, b2, ... in declaration order.
 */

export type MlpLoss = 'hinge' | 'logistic' | 'cross-entropy';

export interface MlpSpec {
  /** Layer widths, input first: [2, 16, 16, 1] or [64, 32, 10]. */
  widths: readonly number[];
  loss: MlpLoss;
  /** L2 weight on the sum of squared weights (not biases); 0 for none. */
  l2: number;
}

/** The three products of an MLP step (and of an attention head's), so that loop orders can be swapped. */
export interface Kernels {
  /** out[n, p] = a[n, k] @ b[k, p], b read from offset bo. */
  matmul(a: Float64Array, b: Float64Array, bo: number, out: Float64Array, n: number, k: number, p: number): void;
  /** out[n, k] = g[n, p] @ w[k, p]^T, w read from offset wo. */
  matmulTransposedRight(g: Float64Array, w: Float64Array, wo: number, out: Float64Array, n: number, p: number, k: number): void;
  /** out[k, p] (written from offset) = a[n, k]^T @ g[n, p]. */
  matmulTransposedLeft(a: Float64Array, g: Float64Array, out: Float64Array, offset: number, n: number, k: number, p: number): void;
}

/** out[n, p] = a[n, k] @ b[k, p] (b from offset bo), 4 rows at a time. */
function matmul(a: Float64Array, b: Float64Array, bo: number, out: Float64Array, n: number, k: number, p: number): void {
  out.fill(0, 0, n * p);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    for (let t = 0; t < k; t++) {
      const a0 = a[i * k + t]!, a1 = a[(i + 1) * k + t]!, a2 = a[(i + 2) * k + t]!, a3 = a[(i + 3) * k + t]!;
      const bt = bo + t * p;
      for (let j = 0; j < p; j++) {
        const v = b[bt + j]!;
        const o = i * p + j;
        out[o] = out[o]! + a0 * v;
        out[o + p] = out[o + p]! + a1 * v;
        out[o + 2 * p] = out[o + 2 * p]! + a2 * v;
        out[o + 3 * p] = out[o + 3 * p]! + a3 * v;
      }
    }
  }
  for (; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const av = a[i * k + t]!;
      for (let j = 0; j < p; j++) out[i * p + j] = out[i * p + j]! + av * b[bo + t * p + j]!;
    }
  }
}

/** out[n, k] = g[n, p] @ w[k, p]^T (w from offset wo): rows of both read along p. */
function matmulTransposedRight(g: Float64Array, w: Float64Array, wo: number, out: Float64Array, n: number, p: number, k: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < p; t++) s += g[i * p + t]! * w[wo + j * p + t]!;
      out[i * k + j] = s;
    }
  }
}

/** out[k, p] = a[n, k]^T @ g[n, p] (+ offset into out): outer products of rows, 4 rows at a time. */
function matmulTransposedLeft(a: Float64Array, g: Float64Array, out: Float64Array, offset: number, n: number, k: number, p: number): void {
  out.fill(0, offset, offset + k * p);
  let r = 0;
  for (; r + 3 < n; r += 4) {
    for (let t = 0; t < k; t++) {
      const a0 = a[r * k + t]!, a1 = a[(r + 1) * k + t]!, a2 = a[(r + 2) * k + t]!, a3 = a[(r + 3) * k + t]!;
      const o = offset + t * p;
      const g0 = r * p;
      for (let j = 0; j < p; j++) {
        out[o + j] = out[o + j]! + a0 * g[g0 + j]! + a1 * g[g0 + p + j]! + a2 * g[g0 + 2 * p + j]! + a3 * g[g0 + 3 * p + j]!;
      }
    }
  }
  for (; r < n; r++) {
    for (let t = 0; t < k; t++) {
      const av = a[r * k + t]!;
      const o = offset + t * p;
      for (let j = 0; j < p; j++) out[o + j] = out[o + j]! + av * g[r * p + j]!;
    }
  }
}

/** The products above: rows blocked by 4 for `@` and `^T @`, dot products for `@ ^T`. */
export const BLOCKED: Kernels = { matmul, matmulTransposedRight, matmulTransposedLeft };

/**
 * The step function for a batch of `n` rows: (p, x, grad) -> loss, with x
 * holding X (n rows of widths[0]) then the labels (n of them: -1/1 for the
 * hinge and logistic losses, class indices for cross-entropy).
 */
export function handMlp(spec: MlpSpec, n: number, kernels: Kernels = BLOCKED): (p: Float64Array, x: Float64Array, grad: Float64Array) => number {
  const { matmul, matmulTransposedRight, matmulTransposedLeft } = kernels;
  const { widths, loss, l2 } = spec;
  const layers = widths.length - 1;
  const offsets: { w: number; b: number }[] = [];
  let at = 0;
  for (let l = 0; l < layers; l++) {
    offsets.push({ w: at, b: at + widths[l]! * widths[l + 1]! });
    at += widths[l]! * widths[l + 1]! + widths[l + 1]!;
  }
  // Pre-activations and activations per layer, and their cotangents.
  const pre = widths.slice(1).map((w) => new Float64Array(n * w));
  const act = widths.slice(1).map((w) => new Float64Array(n * w));
  const dPre = widths.slice(1).map((w) => new Float64Array(n * w));
  const dAct = widths.map((w) => new Float64Array(n * w));

  return (p, x, grad) => {
    // x holds X (row-major, from 0) then the labels.
    const yo = n * widths[0]!;
    let input = x;
    for (let l = 0; l < layers; l++) {
      const { w: wo, b: bo } = offsets[l]!;
      const k = widths[l]!;
      const q = widths[l + 1]!;
      const z = pre[l]!;
      matmul(input, p, wo, z, n, k, q);
      const a = act[l]!;
      const last = l === layers - 1;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < q; j++) {
          const v = z[i * q + j]! + p[bo + j]!;
          z[i * q + j] = v;
          a[i * q + j] = last ? v : v > 0 ? v : 0;
        }
      }
      input = a;
    }
    // The loss and its cotangent at the last pre-activation.
    const out = act[layers - 1]!;
    const dOut = dPre[layers - 1]!;
    const q = widths[layers]!;
    let value = 0;
    if (loss === 'hinge') {
      for (let i = 0; i < n; i++) {
        const margin = 1 - x[yo + i]! * out[i]!;
        value += margin > 0 ? margin : 0;
        dOut[i] = margin > 0 ? -x[yo + i]! / n : 0;
      }
      value /= n;
    } else if (loss === 'logistic') {
      // softplus(z) with z = -y * score, written to stay finite; its derivative is sigmoid(z).
      for (let i = 0; i < n; i++) {
        const y = x[yo + i]!;
        const z = -y * out[i]!;
        const e = Math.exp(-Math.abs(z));
        value += (z > 0 ? z : 0) + Math.log1p(e);
        dOut[i] = (-y * (z >= 0 ? 1 / (1 + e) : e / (1 + e))) / n;
      }
      value /= n;
    } else {
      for (let i = 0; i < n; i++) {
        let m = -Infinity;
        for (let j = 0; j < q; j++) m = Math.max(m, out[i * q + j]!);
        let s = 0;
        for (let j = 0; j < q; j++) s += Math.exp(out[i * q + j]! - m);
        const lse = m + Math.log(s);
        const label = x[yo + i]!;
        value -= out[i * q + label]! - lse;
        for (let j = 0; j < q; j++) dOut[i * q + j] = (Math.exp(out[i * q + j]! - lse) - (j === label ? 1 : 0)) / n;
      }
      value /= n;
    }
    if (l2 !== 0) {
      let squares = 0;
      for (let l = 0; l < layers; l++) {
        for (let j = offsets[l]!.w; j < offsets[l]!.b; j++) squares += p[j]! * p[j]!;
      }
      value += l2 * squares;
    }
    // Backward, layer by layer.
    for (let l = layers - 1; l >= 0; l--) {
      const k = widths[l]!;
      const q2 = widths[l + 1]!;
      const dz = dPre[l]!;
      if (l < layers - 1) {
        const da = dAct[l + 1]!;
        const z = pre[l]!;
        for (let j = 0; j < n * q2; j++) dz[j] = z[j]! > 0 ? da[j]! : 0;
      }
      const below = l === 0 ? x : act[l - 1]!;
      matmulTransposedLeft(below, dz, grad, offsets[l]!.w, n, k, q2);
      if (l2 !== 0) {
        for (let j = offsets[l]!.w; j < offsets[l]!.b; j++) grad[j] = grad[j]! + 2 * l2 * p[j]!;
      }
      const bo = offsets[l]!.b;
      grad.fill(0, bo, bo + q2);
      for (let i = 0; i < n; i++) for (let j = 0; j < q2; j++) grad[bo + j] = grad[bo + j]! + dz[i * q2 + j]!;
      if (l > 0) matmulTransposedRight(dz, p, offsets[l]!.w, dAct[l]!, n, q2, k);
    }
    return value;
  };
}
