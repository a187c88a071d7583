import { compileSource, loadCompiled } from '@autodiff/compiler';
import { describe, expect, it } from 'vitest';
import { seededRandom, uniform } from '../random.js';
import { jaxPeer, jaxPeers } from './jax.js';
import { raceSource, type RaceModel, type RaceTensor, type RaceWorkload } from './peer.js';

/** A small workload of `model` with `size` rows (n or t), random params and data. */
function smallWorkload(id: string, model: RaceModel, size: number, seed: number): RaceWorkload {
  const random = seededRandom(seed);
  const source = raceSource(model);
  const { checked } = compileSource(source);
  if (!checked) throw new Error(`${id}: the source does not check`);
  const tensor = (name: string, shape: readonly (number | string)[], value: () => number): RaceTensor => {
    const dims = shape.map((d) => (typeof d === 'number' ? d : size));
    return { name, shape: dims, values: Float64Array.from({ length: dims.reduce((a, b) => a * b, 1) }, value) };
  };
  const classes = model.kind === 'mlp' ? model.widths[model.widths.length - 1]! : 0;
  const label = () =>
    model.kind === 'attention' ? uniform(random, -1, 1)
      : model.loss === 'cross-entropy' ? Math.floor(random() * classes)
        : random() < 0.5 ? -1 : 1;
  return {
    id,
    title: id,
    model,
    source,
    params: checked.params.map((v) => tensor(v.name, v.shape, () => uniform(random, -0.5, 0.5))),
    inputs: checked.inputs.map((v, i) => tensor(v.name, v.shape, i === 0 ? () => uniform(random, -1, 1) : label)),
    lr: 0.1,
  };
}

/** Our compiled gradient's losses over `steps` SGD steps from the workload's params. */
function ourLosses(w: RaceWorkload, size: number, steps: number): number[] {
  const { ir } = compileSource(w.source);
  if (!ir) throw new Error(`${w.id}: no IR`);
  const m = loadCompiled(ir);
  const concat = (ts: readonly RaceTensor[]) => Float64Array.from(ts.flatMap((t) => [...t.values]));
  const p = concat(w.params);
  const x = concat(w.inputs);
  const grad = new Float64Array(m.paramSize!);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    losses.push(m.backwardFlat(p, x, grad, size));
    for (let i = 0; i < p.length; i++) p[i]! -= w.lr * grad[i]!;
  }
  return losses;
}

const cases: [string, RaceModel, number][] = [
  ['mlp 2-4-4-1 hinge l2', { kind: 'mlp', widths: [2, 4, 4, 1], loss: 'hinge', l2: 1e-4 }, 8],
  ['mlp 5-3 cross-entropy', { kind: 'mlp', widths: [5, 3], loss: 'cross-entropy', l2: 0 }, 6],
  ['mlp 4-1 logistic', { kind: 'mlp', widths: [4, 1], loss: 'logistic', l2: 0 }, 7],
  ['mlp 3-5-4 cross-entropy l2', { kind: 'mlp', widths: [3, 5, 4], loss: 'cross-entropy', l2: 1e-3 }, 6],
  ['attention t=5 d=4', { kind: 'attention', t: 5, d: 4 }, 5],
];

/**
 * jax-js's wasm backend computes exp and log through float32 even for float64
 * arrays (ekzhang/jax-js#12), so its f64 peer agrees with ours to 1e-12 only
 * where the loss has neither: hinge. The same f64 code on jax-js's 'cpu'
 * device (Math.exp, Math.log) checks that the formulas agree to 1e-12 everywhere.
 */
const tolerance = (name: string, model: RaceModel) => {
  const transcendental = model.kind === 'attention' || model.loss !== 'hinge';
  if (name === 'jax-js f64 (cpu)') return 1e-12;
  if (name === 'jax-js f64') return transcendental ? 1e-5 : 1e-12;
  return 1e-5;
};

describe('race: jax-js peers', () => {
  it.each(cases)('%s: the losses over 5 steps match our compiled code', async (id, model, size) => {
    const w = smallWorkload(id, model, size, 7);
    const ours = ourLosses(w, size, 6);
    for (const peer of [...jaxPeers, jaxPeer('f64', 'cpu')]) {
      const run = await peer.start(w);
      if (!run) throw new Error(`${peer.name} cannot run ${id}`);
      const theirs: number[] = [];
      for (let s = 0; s < 6; s++) {
        const value = run.step();
        expect(typeof value, 'step() is synchronous').toBe('number');
        theirs.push(await value);
      }
      run.dispose();
      theirs.forEach((v, s) => {
        const relative = Math.abs(v - ours[s]!) / Math.abs(ours[s]!);
        expect(relative, `${peer.name} step ${s + 1}: ${v} vs ours ${ours[s]}`).toBeLessThanOrEqual(tolerance(peer.name, model));
      });
    }
  });
});
