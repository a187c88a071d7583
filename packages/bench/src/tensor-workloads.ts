/**
 * Tensor programs timed side by side in one process: our generated gradient
 * (backwardFlat) against our forward, a hand-written blocked loop nest for
 * the same step (hand-mlp.ts) and the tape engine's `Tensor` (interpretTensor,
 * as `eval --engine tape` runs it). Every competitor's value and gradient are
 * checked against ours before timing.
 */
import { compileSource, loadCompiled } from '@autodiff/compiler';
import { interpretTensor } from '@autodiff/runtime';
import { handMlp, type MlpSpec } from './hand-mlp.js';
import { ratio, timeSideBySide, type Candidate, type Ratio, type Settings } from './harness.js';
import { seededRandom, uniform } from './random.js';

export interface TensorWorkload {
  id: string;
  title: string;
  source: string;
  /** The batch size (the dimension name `n`). */
  n: number;
  spec: MlpSpec;
}

export const TENSOR_WORKLOADS: readonly TensorWorkload[] = [
  {
    id: 'moons-mlp',
    title: "two-moons MLP 2-16-16-1, hinge loss + L2, n = 100 (micrograd's demo)",
    n: 100,
    spec: { widths: [2, 16, 16, 1], loss: 'hinge', l2: 1e-4 },
    source: `param W1: [2, 16], b1: [16], W2: [16, 16], b2: [16], w3: [16], b3
input X: [n, 2], y: [n]
h1 = relu(X @ W1 + b1)
h2 = relu(h1 @ W2 + b2)
score = h2 @ w3 + b3
loss = mean(relu(1 - y * score)) + 1e-4 * (sum(W1^2) + sum(W2^2) + sum(w3^2))
`,
  },
  {
    id: 'digits-mlp',
    title: 'MLP 64-32-10, softmax cross-entropy, batch 128 (the digits data set\'s shape)',
    n: 128,
    spec: { widths: [64, 32, 10], loss: 'cross-entropy', l2: 0 },
    source: `param W1: [64, 32], b1: [32], W2: [32, 10], b2: [10]
input X: [n, 64], y: [n]
h = relu(X @ W1 + b1)
logits = h @ W2 + b2
-mean(sum(onehot(y, 10) * log_softmax(logits), axis=1))
`,
  },
];

export interface TensorResult {
  id: string;
  title: string;
  /** Median time per call, ns. */
  ns: Record<'forward' | 'gradient' | 'hand-written' | 'tape', number>;
  gradientOverForward: Ratio;
  /** Our gradient's time over the hand-written step's (1.3 or less is the target). */
  oursOverHand: Ratio;
  tapeOverOurs: Ratio;
  /** Largest relative difference of the value and gradient, vs ours. */
  agreement: { hand: number; tape: number };
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** The four step functions of a workload on its data, checked to agree with ours. */
export function prepareTensorWorkload(w: TensorWorkload): { candidates: Candidate[]; agreement: TensorResult['agreement'] } {
  const { checked, ir, diagnostics } = compileSource(w.source);
  if (!checked || !ir) throw new Error(`${w.id}: ${diagnostics.map((d) => d.message).join('; ')}`);
  const compiled = loadCompiled(ir);
  const random = seededRandom(11);
  const [inputs, classes] = [w.spec.widths[0]!, w.spec.widths[w.spec.widths.length - 1]!];
  const x = new Float64Array(w.n * inputs + w.n);
  for (let i = 0; i < w.n * inputs; i++) x[i] = uniform(random, -1, 1);
  for (let i = 0; i < w.n; i++) {
    x[w.n * inputs + i] = w.spec.loss === 'hinge' ? (random() < 0.5 ? -1 : 1) : Math.floor(random() * classes);
  }
  const size = compiled.paramSize!;
  const points = Array.from({ length: 4 }, () => Float64Array.from({ length: size }, () => uniform(random, -0.5, 0.5)));
  const hand = handMlp(w.spec, w.n);
  const dims = new Map([['n', w.n]]);

  /** The tape's inputs: each param and input as a shaped tensor over the flat arrays. */
  const tapeValues = (p: Float64Array) => {
    const values = new Map<string, { shape: number[]; data: Float64Array }>();
    let at = 0;
    for (const v of checked.params) {
      const shape = v.shape.map((d) => (typeof d === 'number' ? d : w.n));
      const count = shape.reduce((a, b) => a * b, 1);
      values.set(v.name, { shape, data: p.subarray(at, at + count) });
      at += count;
    }
    let xi = 0;
    for (const v of checked.inputs) {
      const shape = v.shape.map((d) => (typeof d === 'number' ? d : w.n));
      const count = shape.reduce((a, b) => a * b, 1);
      values.set(v.name, { shape, data: x.subarray(xi, xi + count) });
      xi += count;
    }
    return values;
  };
  const tape = (p: Float64Array, _x: Float64Array, grad: Float64Array) => {
    const r = interpretTensor(checked, tapeValues(p), dims);
    let at = 0;
    for (const v of checked.params) {
      const g = r.gradient.get(v.name)!.data;
      grad.set(g, at);
      at += g.length;
    }
    return r.value;
  };

  // Agreement before timing: value and every gradient element.
  const ours = new Float64Array(size);
  const theirs = new Float64Array(size);
  const agreement = { hand: 0, tape: 0 };
  const value = compiled.backwardFlat(points[0]!, x, ours, w.n);
  for (const [name, f] of [['hand', hand], ['tape', tape]] as const) {
    let worst = relative(f(points[0]!, x, theirs), value);
    const scale = Math.max(...ours.map(Math.abs));
    for (let i = 0; i < size; i++) worst = Math.max(worst, Math.abs(theirs[i]! - ours[i]!) / scale);
    agreement[name] = worst;
    if (worst > 1e-10) throw new Error(`${w.id}: the ${name} step disagrees with ours (relative ${worst.toExponential(2)})`);
  }

  const candidates: Candidate[] = [
    { name: 'forward', f: (p, xs) => compiled.forwardFlat(p, xs, w.n), points, x, grad: new Float64Array(size) },
    { name: 'gradient', f: (p, xs, g) => compiled.backwardFlat(p, xs, g, w.n), points, x, grad: new Float64Array(size) },
    { name: 'hand-written', f: hand, points, x, grad: new Float64Array(size) },
    { name: 'tape', f: tape, points, x, grad: new Float64Array(size) },
  ];
  return { candidates, agreement };
}

export function runTensorWorkload(w: TensorWorkload, settings: Settings, log: (line: string) => void): TensorResult {
  const { candidates, agreement } = prepareTensorWorkload(w);
  log(`  ${w.id}: timing forward, gradient, hand-written, tape`);
  const t = timeSideBySide(candidates, settings);
  const get = (n: string) => t.get(n)!;
  return {
    id: w.id,
    title: w.title,
    ns: { forward: get('forward').ns, gradient: get('gradient').ns, 'hand-written': get('hand-written').ns, tape: get('tape').ns },
    gradientOverForward: ratio(get('gradient'), get('forward')),
    oursOverHand: ratio(get('gradient'), get('hand-written')),
    tapeOverOurs: ratio(get('tape'), get('gradient')),
    agreement,
  };
}
