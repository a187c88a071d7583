/**
 * The race's peers agree with ours after 5 steps, on small sizes of each
 * model kind (row counts not a multiple of 4, so the blocked loops' tails run).
 * Nothing is timed here.
 */
import { describe, expect, it } from 'vitest';
import { handPeers } from './hand.js';
import { compileOurs, oursPeer } from './ours.js';
import type { Peer, RaceWorkload } from './peer.js';
import { AGREEMENT_STEPS, TOLERANCE } from './run.js';
import { tfjsPeers } from './tfjs.js';
import { attentionWorkload, mlpWorkload, raceWorkloads } from './workloads.js';

const small: RaceWorkload[] = [
  mlpWorkload('hinge', 'hinge MLP 2-5-3-1 + L2', { kind: 'mlp', widths: [2, 5, 3, 1], loss: 'hinge', l2: 1e-2 }, 11, 'moons', 0.1),
  mlpWorkload('logistic', 'logistic regression 6 -> 1', { kind: 'mlp', widths: [6, 1], loss: 'logistic', l2: 0 }, 13, 'uniform', 0.5),
  mlpWorkload('cross-entropy', 'MLP 7-6-4, cross-entropy', { kind: 'mlp', widths: [7, 6, 4], loss: 'cross-entropy', l2: 0 }, 10, 'pixels', 0.5),
  mlpWorkload('softmax', 'softmax regression 5 -> 3 + L2', { kind: 'mlp', widths: [5, 3], loss: 'cross-entropy', l2: 1e-3 }, 9, 'pixels', 0.5),
  attentionWorkload('attention', 'attention T = 7, d = 4', 7, 4, 0.5),
];

/** The loss after AGREEMENT_STEPS updates, as the runner compares it; also every loss on the way. */
async function losses(peer: Peer, w: RaceWorkload): Promise<number[]> {
  const run = await peer.start(w);
  if (!run) throw new Error(`${peer.name} cannot run ${w.id}`);
  const out: number[] = [];
  for (let i = 0; i <= AGREEMENT_STEPS; i++) out.push(await run.step());
  run.dispose();
  return out;
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('race peers agree with ours after 5 steps', () => {
  it.each(small.map((w) => [w.id, w] as const))('%s', async (_, w) => {
    const ours = await losses(oursPeer, w);
    expect(ours.every(Number.isFinite)).toBe(true);
    // Training: the loss after 5 steps is below the first.
    expect(ours[AGREEMENT_STEPS]!).toBeLessThan(ours[0]!);
    for (const peer of [...handPeers, ...tfjsPeers]) {
      const theirs = await losses(peer, w);
      const difference = relative(theirs[AGREEMENT_STEPS]!, ours[AGREEMENT_STEPS]!);
      expect(difference, `${peer.name} on ${w.id}: ${theirs[AGREEMENT_STEPS]} vs ${ours[AGREEMENT_STEPS]}`).toBeLessThanOrEqual(TOLERANCE[peer.precision]);
    }
  });
});

describe('race workloads', () => {
  it('compile to flat layouts that fit the tensors given', () => {
    for (const w of raceWorkloads()) {
      for (const t of [...w.params, ...w.inputs]) expect(t.values.length).toBe(t.shape.reduce((a, b) => a * b, 1));
      const { functions, dims } = compileOurs(w);
      expect(functions.paramSize).toBe(w.params.reduce((s, t) => s + t.values.length, 0));
      expect(dims).toEqual([w.inputs[0]!.shape[0]]);
    }
  });
});
