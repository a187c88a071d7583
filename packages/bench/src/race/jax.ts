/**
 * jax-js peers of the race (f32 and f64): the loss as a function of the params,
 * `valueAndGrad` for its gradient and one `jit` over the whole SGD step, so a
 * timed step is one jitted call plus reading the loss back.
 *
 * jax-js's memory model is move semantics with reference counts: every array
 * passed to a function (ours or the library's) is consumed, `.ref` keeps one
 * for later use, and `dataSync()` consumes the array it reads. The run owns the
 * params (replaced by the jitted step's outputs each step) and the data (passed
 * as `.ref` so it survives), so nothing is left behind from one step to the next.
 */
import type * as Jax from '@jax-js/jax';
import type { Peer, PeerRun, RaceModel, RaceTensor, RaceWorkload } from './peer.js';

type JaxModule = typeof Jax;
type Arr = Jax.Array;

// Node 20 has no Float16Array, and jax-js's array constructor tests
// `data instanceof Float16Array` on the way to the float64 case (a
// ReferenceError without the global). Only the name is needed: a class nothing
// is an instance of. Constructing it (a float16 array) is not supported here.
const globals = globalThis as { Float16Array?: unknown };
globals.Float16Array ??= class Float16ArrayUnavailable {
  constructor() {
    throw new Error('Float16Array is not available on this Node (the jax-js peer shims the name only)');
  }
};

let loading: Promise<JaxModule> | undefined;
/** Loads jax-js once, after the shim. The wasm backend is set up at import (single-threaded on Node 20: no global Worker). */
const loadJax = () => (loading ??= import('@jax-js/jax'));

/**
 * A constant of the run's dtype. Under jit, jax-js rounds a plain JS number
 * (weakly typed) to float32 even next to float64 arrays, so the runs give their
 * constants (lr, l2, sqrt(d), the mean's count) as arrays of their dtype.
 */
type Constant = (value: number) => Arr;

/** The mean over every element: `Array.mean()` scales by a plain `1 / n`, rounded to float32 under jit. */
const mean = (x: Arr, k: Constant) => x.sum().div(k(x.size));

/** The loss of a race model as a function of the params and the data, each array used once (or `.ref`'d). */
function lossFunction(jax: JaxModule, model: RaceModel, k: Constant): (p: Arr[], X: Arr, y: Arr) => Arr {
  const { numpy: np, nn } = jax;
  if (model.kind === 'attention') {
    const scale = Math.sqrt(model.d);
    return ([Wq, Wk, Wv], X, Y) => {
      const Q = np.matmul(X.ref, Wq!);
      const K = np.matmul(X.ref, Wk!);
      const V = np.matmul(X, Wv!);
      const A = nn.softmax(np.matmul(Q, K.transpose()).div(k(scale)), 1);
      return mean(np.square(np.matmul(A, V).sub(Y)), k);
    };
  }
  const { widths, loss, l2 } = model;
  const layers = widths.length - 1;
  return (p, X, y) => {
    // The penalty first, on `.ref`s, so the forward below can consume the weights.
    const weights = p.filter((_, i) => i % 2 === 0);
    const penalty = l2 > 0 ? weights.map((W) => np.square(W.ref).sum()).reduce((a, b) => a.add(b)).mul(k(l2)) : undefined;
    let h = X;
    for (let i = 0; i < layers; i++) {
      // With a last width of 1 the last weight is a vector and its bias a scalar: score is [n].
      const z = np.matmul(h, p[2 * i]!).add(p[2 * i + 1]!);
      h = i < layers - 1 ? nn.relu(z) : z;
    }
    const data =
      loss === 'hinge' ? mean(nn.relu(np.subtract(1, y.mul(h))), k)
        : loss === 'logistic' ? mean(nn.softplus(y.mul(h).neg()), k)
          : mean(y.mul(nn.logSoftmax(h, 1)).sum(1), k).neg(); // y is one-hot here
    return penalty ? data.add(penalty) : data;
  };
}

/** One-hot rows [n, classes] from class indices stored as floats. */
function oneHot(labels: Float64Array, classes: number): Float64Array {
  const out = new Float64Array(labels.length * classes);
  labels.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new Error(`jax peer: class label ${c} is not in 0..${classes - 1}`);
    out[i * classes + c] = 1;
  });
  return out;
}

/**
 * A jax-js peer. The race runs on 'wasm'; 'cpu' (jax-js's interpreter, slow)
 * is there for the test: its exp and log are Math.exp and Math.log, where wasm
 * computes them in float32 even for float64 arrays.
 */
export function jaxPeer(precision: 'f32' | 'f64', device: 'wasm' | 'cpu' = 'wasm'): Peer {
  return {
    name: `jax-js ${precision}${device === 'wasm' ? '' : ` (${device})`}`,
    precision,
    // Its float64 is float64 for products and sums, float32 for exp and log (ekzhang/jax-js PR #12):
    // timed at float32's agreement rather than not at all.
    ...(precision === 'f64' && device === 'wasm'
      ? { tolerance: { relative: 1e-5, why: 'agreement 1e-5: jax-js on wasm computes exp and log in float32 even for float64' } }
      : {}),
    async start(workload: RaceWorkload): Promise<PeerRun> {
      const jax = await loadJax();
      const { numpy: np, jit, valueAndGrad, tree } = jax;
      const dtype = precision === 'f32' ? np.float32 : np.float64;
      const toArray = ({ shape }: { shape: readonly number[] }, values: Float64Array): Arr =>
        np.array(precision === 'f32' ? Float32Array.from(values) : Float64Array.from(values), { shape: [...shape], dtype, device });

      const { model, lr } = workload;
      const [xTensor, yTensor] = workload.inputs as readonly [RaceTensor, RaceTensor];
      const X = toArray(xTensor, xTensor.values);
      const classes = model.kind === 'mlp' ? model.widths[model.widths.length - 1]! : 0;
      const y =
        model.kind === 'mlp' && model.loss === 'cross-entropy'
          ? toArray({ shape: [yTensor.values.length, classes] }, oneHot(yTensor.values, classes))
          : toArray(yTensor, yTensor.values);
      let params = workload.params.map((t) => toArray(t, t.values));

      const k: Constant = (value) => np.array(value, { dtype, device });
      const loss = lossFunction(jax, model, k);
      // The whole step under one jit: value and gradient, then p - lr * grad.
      const update = jit((p: Arr[], X: Arr, y: Arr): [Arr[], Arr] => {
        const [value, grads] = valueAndGrad(loss)(p.map((a) => a.ref), X, y);
        return [p.map((a, i) => a.sub(grads[i]!.mul(k(lr)))), value];
      });
      // Trace and compile now, on extra references with the result dropped, so step 1 is a plain call.
      const [warm, warmLoss] = update(tree.ref(params), X.ref, y.ref);
      warmLoss.item();
      tree.dispose(warm);

      let disposed = false;
      return {
        step() {
          const [next, value] = update(params, X.ref, y.ref);
          params = next;
          // A synchronous read: on wasm it runs the step's kernels and consumes `value`.
          return value.item();
        },
        dispose() {
          if (disposed) return;
          disposed = true;
          tree.dispose(params);
          params = [];
          X.dispose();
          y.dispose();
          update.dispose();
        },
      };
    },
  };
}

export const jaxPeers: Peer[] = [jaxPeer('f32'), jaxPeer('f64')];
