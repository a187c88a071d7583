/**
 * TensorFlow.js peers, on its pure-JavaScript cpu backend and on its wasm
 * backend (SIMD; tfjs picks the binary, which ships in the package: no
 * download). The model is written as a tfjs user writes it: tf.variable params,
 * tf.matMul and tf.relu, tf.losses.softmaxCrossEntropy, and one
 * tf.train.sgd(lr).minimize per step. float32 (tfjs has no float64).
 *
 * Both backends live in one process. A tensor belongs to the backend that
 * made it, and a tensor used under another backend is copied over; so every
 * run makes its tensors after selecting its backend, and each step selects it
 * again if another run switched away.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { loadTfjs, type Tf } from '../competitors/tfjs.js';
import type { Peer, PeerRun, RaceWorkload } from './peer.js';

type Tensor = import('@tensorflow/tfjs-core').Tensor;
type Scalar = import('@tensorflow/tfjs-core').Scalar;
type Variable = import('@tensorflow/tfjs-core').Variable;
export type TfBackend = 'cpu' | 'wasm';

let wasmLoaded: Promise<void> | undefined;

/** tfjs with `name` as the current backend (the wasm backend loaded on first use). */
export async function tfjsBackend(name: TfBackend): Promise<Tf> {
  const tf = await loadTfjs();
  if (name === 'wasm') {
    wasmLoaded ??= (async () => {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // The .wasm files sit beside the package's Node entry point; Emscripten reads them with fs.
      const folder = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths(`${folder}/`);
    })();
    await wasmLoaded;
  }
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) throw new Error(`tfjs: the ${name} backend failed to initialise`);
  return tf;
}

/** The workload's loss as a function of its variables (race/peer.ts's formulas). */
function lossFunction(tf: Tf, w: RaceWorkload, vars: Variable[], data: Tensor[]): () => Scalar {
  const model = w.model;
  if (model.kind === 'attention') {
    const [Wq, Wk, Wv] = vars as [Variable, Variable, Variable];
    const [X, Y] = data as [Tensor, Tensor];
    const scale = Math.sqrt(model.d);
    return () => {
      const Q = tf.matMul(X, Wq);
      const K = tf.matMul(X, Wk);
      const V = tf.matMul(X, Wv);
      const A = tf.softmax(tf.div(tf.matMul(Q, K, false, true), scale));
      return tf.mean(tf.square(tf.sub(tf.matMul(A, V), Y)));
    };
  }
  const layers = model.widths.length - 1;
  const [X, labels] = data as [Tensor, Tensor];
  return () => {
    let h = X;
    for (let l = 0; l < layers; l++) {
      const z = tf.add(tf.matMul(h, vars[2 * l]!), vars[2 * l + 1]!);
      h = l < layers - 1 ? tf.relu(z) : z;
    }
    let loss: Scalar;
    if (model.loss === 'cross-entropy') loss = tf.losses.softmaxCrossEntropy(labels, h);
    else {
      const margin = tf.mul(labels, tf.reshape(h, [-1]));
      loss = model.loss === 'hinge' ? tf.mean(tf.relu(tf.sub(1, margin))) : tf.mean(tf.softplus(tf.neg(margin)));
    }
    if (model.l2 === 0) return loss;
    const weights = vars.filter((_, i) => i % 2 === 0);
    return tf.add(loss, tf.mul(model.l2, tf.addN(weights.map((v) => tf.sum(tf.square(v))))));
  };
}

async function startTfjs(name: TfBackend, w: RaceWorkload): Promise<PeerRun> {
  const tf = await tfjsBackend(name);
  const f32 = (t: { values: Float64Array }, shape: readonly number[]) => tf.tensor(Float32Array.from(t.values), [...shape]);
  // A vector weight [h] (the last layer of a one-output MLP) as the column [h, 1] that tf.matMul wants.
  const mlp = w.model.kind === 'mlp' ? w.model : undefined;
  const vars = w.params.map((p, i) => tf.variable(f32(p, mlp && i % 2 === 0 && p.shape.length === 1 ? [p.shape[0]!, 1] : p.shape)));
  const data =
    mlp?.loss === 'cross-entropy'
      ? [f32(w.inputs[0]!, w.inputs[0]!.shape), tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(w.inputs[1]!.values), 'int32'), mlp.widths.at(-1)!), 'float32'))]
      : w.inputs.map((x) => f32(x, x.shape));
  const f = lossFunction(tf, w, vars, data);
  const optimizer = tf.train.sgd(w.lr);
  const step = (): number => {
    const loss = optimizer.minimize(f, true, vars)!;
    const value = loss.dataSync()[0]!;
    loss.dispose();
    return value;
  };
  return {
    step: () => (tf.getBackend() === name ? step() : tfjsBackend(name).then(step)),
    dispose() {
      tf.dispose([...vars, ...data]);
      optimizer.dispose();
    },
  };
}

const tfjsPeer = (name: TfBackend): Peer => ({ name: `tfjs-${name}`, precision: 'f32', start: (w) => startTfjs(name, w) });

export const tfjsPeers: Peer[] = [tfjsPeer('cpu'), tfjsPeer('wasm')];
