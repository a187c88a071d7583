/**
 * The race's six workloads (issue 12) with their targets, stated here once.
 * Data and initial params are seeded (random.ts): weights Glorot-uniform
 * (+-sqrt(6 / (fan-in + fan-out))), biases 0, so losses start near their usual
 * values; labels are -1/1 for hinge and logistic, class indices for cross-entropy.
 */
import { seededRandom, uniform } from '../random.js';
import { raceSource, type RaceModel, type RaceTensor, type RaceWorkload } from './peer.js';

/** The peer's time over ours must be at least minSpeedup ("within 1.2x" is 1 / 1.2). */
export interface RaceTarget {
  peer: string;
  minSpeedup: number;
  text: string;
}

export interface RaceEntry extends RaceWorkload {
  targets: readonly RaceTarget[];
}

const faster = (peer: string, factor: number): RaceTarget => ({ peer, minSpeedup: factor, text: factor === 1 ? 'no slower' : `>= ${factor}x faster` });
const within = (peer: string, factor: number): RaceTarget => ({ peer, minSpeedup: 1 / factor, text: `within ${factor}x` });

type MlpModel = Extract<RaceModel, { kind: 'mlp' }>;
const tensor = (name: string, shape: number[], fill: (i: number) => number): RaceTensor =>
  ({ name, shape, values: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => fill(i)) });

/** Glorot-uniform weights and zero biases, in raceSource's order and shapes. */
function mlpParams(model: MlpModel, random: () => number): RaceTensor[] {
  const { widths } = model;
  const layers = widths.length - 1;
  return widths.slice(1).flatMap((out, l) => {
    const fanIn = widths[l]!;
    const limit = Math.sqrt(6 / (fanIn + out));
    const scalar = l === layers - 1 && out === 1;
    return [
      tensor(scalar ? `w${l + 1}` : `W${l + 1}`, scalar ? [fanIn] : [fanIn, out], () => uniform(random, -limit, limit)),
      tensor(`b${l + 1}`, scalar ? [] : [out], () => 0),
    ];
  });
}

/**
 * An MLP workload on n rows. Features: 'moons' is sklearn's two moons with
 * noise 0.1 (label 1 for the upper moon), 'pixels' uniform in [0, 1) (image
 * data's range), 'uniform' in [-1, 1) with labels from a random linear teacher
 * (so a logistic regression has something to learn).
 */
export function mlpWorkload(id: string, title: string, model: MlpModel, n: number, features: 'moons' | 'pixels' | 'uniform', lr: number, seed = 12): RaceWorkload {
  const random = seededRandom(seed);
  const inputs = model.widths[0]!;
  const classes = model.widths[model.widths.length - 1]!;
  const X = new Float64Array(n * inputs);
  const y = new Float64Array(n);
  const teacher = Float64Array.from({ length: inputs }, () => uniform(random, -1, 1));
  for (let i = 0; i < n; i++) {
    if (features === 'moons') {
      const upper = i < n / 2;
      const angle = Math.PI * random();
      X[2 * i] = (upper ? Math.cos(angle) : 1 - Math.cos(angle)) + 0.1 * uniform(random, -1, 1);
      X[2 * i + 1] = (upper ? Math.sin(angle) : 0.5 - Math.sin(angle)) + 0.1 * uniform(random, -1, 1);
      y[i] = upper ? 1 : -1;
      continue;
    }
    let score = 0;
    for (let j = 0; j < inputs; j++) {
      const v = features === 'pixels' ? random() : uniform(random, -1, 1);
      X[i * inputs + j] = v;
      score += teacher[j]! * v;
    }
    y[i] = model.loss === 'cross-entropy' ? Math.floor(random() * classes) : features === 'uniform' ? (score >= 0 ? 1 : -1) : random() < 0.5 ? -1 : 1;
  }
  return {
    id,
    title,
    model,
    source: raceSource(model),
    params: mlpParams(model, random),
    inputs: [{ name: 'X', shape: [n, inputs], values: X }, { name: 'y', shape: [n], values: y }],
    lr,
  };
}

/** One attention head on X, Y uniform in [-1, 1), Glorot-uniform Wq, Wk, Wv. */
export function attentionWorkload(id: string, title: string, t: number, d: number, lr: number, seed = 12): RaceWorkload {
  const random = seededRandom(seed);
  const model: RaceModel = { kind: 'attention', t, d };
  const limit = Math.sqrt(6 / (2 * d));
  const weight = (name: string) => tensor(name, [d, d], () => uniform(random, -limit, limit));
  const params = [weight('Wq'), weight('Wk'), weight('Wv')];
  const inputs = [tensor('X', [t, d], () => uniform(random, -1, 1)), tensor('Y', [t, d], () => uniform(random, -1, 1))];
  return { id, title, model, source: raceSource(model), params, inputs, lr };
}

export function raceWorkloads(): RaceEntry[] {
  const mlp = (widths: number[], loss: MlpModel['loss'], l2 = 0): MlpModel => ({ kind: 'mlp', widths, loss, l2 });
  return [
    {
      ...mlpWorkload('moons', 'two-moons MLP 2-16-16-1, hinge + L2 1e-4, n = 100', mlp([2, 16, 16, 1], 'hinge', 1e-4), 100, 'moons', 0.1),
      targets: [faster('tfjs-wasm', 5), faster('jax-js f64', 2), faster('jax-js f32', 1.5), within('hand blocked', 1.2)],
    },
    {
      ...mlpWorkload('digits', 'digits MLP 64-32-10, cross-entropy, batch 128', mlp([64, 32, 10], 'cross-entropy'), 128, 'pixels', 0.1),
      targets: [faster('tfjs-wasm', 3), within('hand blocked', 1.2)],
    },
    {
      ...mlpWorkload('softmax', 'softmax regression 784 -> 10, batch 128 (random data of MNIST\'s shape)', mlp([784, 10], 'cross-entropy'), 128, 'pixels', 0.05),
      targets: [faster('tfjs-wasm', 1)],
    },
    {
      ...mlpWorkload('mlp-784', 'MLP 784-128-10, cross-entropy, batch 128', mlp([784, 128, 10], 'cross-entropy'), 128, 'pixels', 0.05),
      targets: [within('tfjs-wasm', 1.5), faster('jax-js f64', 1.5)],
    },
    {
      ...mlpWorkload('logistic', 'logistic regression, 1000 rows x 100 features', mlp([100, 1], 'logistic'), 1000, 'uniform', 0.1),
      targets: [faster('tfjs-wasm', 1), faster('jax-js f64', 1.5)],
    },
    {
      ...attentionWorkload('attention', 'one attention head, T = 64, d = 32, squared error', 64, 32, 0.1),
      targets: [faster('jax-js f64', 1.5)],
    },
  ];
}
