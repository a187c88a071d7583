/**
 * Hand-written Float64Array peers: the step written with plain loops and no
 * tool, once with naive i-j-k products and once with the products blocked over
 * 4 rows (hand-mlp.ts). The MLP step is hand-mlp.ts's; the attention head's
 * forward and backward are written out here over the same kernels.
 */
import { BLOCKED, handMlp, type Kernels } from '../hand-mlp.js';
import type { Peer, PeerRun, RaceModel, RaceWorkload } from './peer.js';

/** The products as the textbook writes them: one dot product per output element. */
export const NAIVE: Kernels = {
  matmul(a, b, bo, out, n, k, p) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += a[i * k + t]! * b[bo + t * p + j]!;
        out[i * p + j] = s;
      }
    }
  },
  matmulTransposedRight(g, w, wo, out, n, p, k) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let t = 0; t < p; t++) s += g[i * p + t]! * w[wo + j * p + t]!;
        out[i * k + j] = s;
      }
    }
  },
  matmulTransposedLeft(a, g, out, offset, n, k, p) {
    for (let t = 0; t < k; t++) {
      for (let j = 0; j < p; j++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += a[i * k + t]! * g[i * p + j]!;
        out[offset + t * p + j] = s;
      }
    }
  },
};

type Step = (p: Float64Array, x: Float64Array, grad: Float64Array) => number;

/**
 * One attention head's loss and gradient (race/peer.ts): params Wq, Wk, Wv
 * [d, d]; x holds X then Y, each [t, d].
 */
export function handAttention(t: number, d: number, kernels: Kernels): Step {
  const { matmul, matmulTransposedRight, matmulTransposedLeft } = kernels;
  const buffer = (size: number) => new Float64Array(size);
  const [q, k, v, o, dO, dQ, dK, dV] = [buffer(t * d), buffer(t * d), buffer(t * d), buffer(t * d), buffer(t * d), buffer(t * d), buffer(t * d), buffer(t * d)];
  const [a, dA] = [buffer(t * t), buffer(t * t)];
  const scale = 1 / Math.sqrt(d);
  const dd = d * d;
  return (p, x, grad) => {
    const yo = t * d;
    matmul(x, p, 0, q, t, d, d);
    matmul(x, p, dd, k, t, d, d);
    matmul(x, p, 2 * dd, v, t, d, d);
    // A = softmax(Q K^T / sqrt(d)) row by row, max subtracted.
    matmulTransposedRight(q, k, 0, a, t, d, t);
    for (let i = 0; i < t; i++) {
      let m = -Infinity;
      for (let j = 0; j < t; j++) m = Math.max(m, a[i * t + j]! * scale);
      let s = 0;
      for (let j = 0; j < t; j++) {
        const e = Math.exp(a[i * t + j]! * scale - m);
        a[i * t + j] = e;
        s += e;
      }
      for (let j = 0; j < t; j++) a[i * t + j] = a[i * t + j]! / s;
    }
    matmul(a, v, 0, o, t, t, d);
    let value = 0;
    const c = 2 / (t * d);
    for (let i = 0; i < t * d; i++) {
      const r = o[i]! - x[yo + i]!;
      value += r * r;
      dO[i] = c * r;
    }
    value /= t * d;
    // Backward: dA = dO V^T, dV = A^T dO, then through the softmax into dS (kept in dA).
    matmulTransposedRight(dO, v, 0, dA, t, d, t);
    matmulTransposedLeft(a, dO, dV, 0, t, t, d);
    for (let i = 0; i < t; i++) {
      let s = 0;
      for (let j = 0; j < t; j++) s += dA[i * t + j]! * a[i * t + j]!;
      for (let j = 0; j < t; j++) dA[i * t + j] = a[i * t + j]! * (dA[i * t + j]! - s) * scale;
    }
    matmul(dA, k, 0, dQ, t, t, d);
    matmulTransposedLeft(dA, q, dK, 0, t, t, d);
    matmulTransposedLeft(x, dQ, grad, 0, t, d, d);
    matmulTransposedLeft(x, dK, grad, dd, t, d, d);
    matmulTransposedLeft(x, dV, grad, 2 * dd, t, d, d);
    return value;
  };
}

/** The step for a model on `n` rows (t for attention), over the given products. */
export function handStep(model: RaceModel, n: number, kernels: Kernels): Step {
  return model.kind === 'attention' ? handAttention(model.t, model.d, kernels) : handMlp(model, n, kernels);
}

/** The values one after another, as the flat layouts want them. */
export const concat = (tensors: readonly { values: Float64Array }[]): Float64Array => {
  const out = new Float64Array(tensors.reduce((s, t) => s + t.values.length, 0));
  let at = 0;
  for (const t of tensors) {
    out.set(t.values, at);
    at += t.values.length;
  }
  return out;
};

/** A flat step as a run: the step into grad, then p -= lr * grad. */
export function sgdRun(step: Step, w: RaceWorkload): PeerRun {
  const p = concat(w.params);
  const x = concat(w.inputs);
  const grad = new Float64Array(p.length);
  const lr = w.lr;
  return {
    step() {
      const loss = step(p, x, grad);
      for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * grad[i]!;
      return loss;
    },
    dispose() {},
  };
}

const handPeer = (name: string, kernels: Kernels): Peer => ({
  name,
  precision: 'f64',
  start: async (w) => sgdRun(handStep(w.model, w.inputs[0]!.shape[0]!, kernels), w),
});

export const handPeers: Peer[] = [handPeer('hand naive', NAIVE), handPeer('hand blocked', BLOCKED)];
