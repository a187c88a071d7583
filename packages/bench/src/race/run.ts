/**
 * The race's runner. Per workload: start every peer on the same params and
 * data, check that each one's loss after 5 steps equals ours (1e-5 relative
 * for float32 peers, 1e-12 for float64; a peer that does not is reported and
 * not timed), then time them side by side in rounds. In each round every peer
 * runs a batch of steps sized to take about batchMs, each right after (or
 * right before, alternately) a batch of ours: on a shared machine load comes in
 * bursts, and a burst then hits both sides of a comparison rather than one.
 * Times are medians over rounds; a speed-up is computed per round (the peer's
 * batch over our adjacent one) and shown as the median with its range.
 */
import { median, ratio, type Ratio, type Settings } from '../harness.js';
import { gradientOverForward, matmulThroughput, measureInChildren, type Extras } from './extras.js';
import { handPeers } from './hand.js';
import { jaxPeers } from './jax.js';
import { oursPeer } from './ours.js';
import type { Peer, PeerRun } from './peer.js';
import { tfjsPeers } from './tfjs.js';
import { raceWorkloads, type RaceEntry } from './workloads.js';

export interface RaceSettings {
  rounds: number;
  /** Steps per batch are sized to take about this long. */
  batchMs: number;
  /** Steps run untimed before the rounds, per peer (at least 3 steps). */
  warmupMs: number;
}

export const RACE_SETTINGS: Record<'quick' | 'full', RaceSettings & { extras: Settings }> = {
  quick: { rounds: 5, batchMs: 15, warmupMs: 60, extras: { rounds: 3, timeMs: 40, warmupMs: 20 } },
  full: { rounds: 11, batchMs: 30, warmupMs: 200, extras: { rounds: 5, timeMs: 100, warmupMs: 50 } },
};

/** The steps taken before the loss is compared: the 6th step returns the loss after 5 updates. */
export const AGREEMENT_STEPS = 5;
export const TOLERANCE = { f32: 1e-5, f64: 1e-12 } as const;

export interface PeerResult {
  name: string;
  precision: 'f32' | 'f64';
  status: 'timed' | 'disagrees' | 'not run' | 'failed';
  /** The relative difference from our loss allowed before timing. */
  tolerance: number;
  /** The loss after AGREEMENT_STEPS updates, and its difference from ours (relative). */
  loss?: number;
  difference?: number;
  /** start(): loading, compiling, tracing. */
  setupMs?: number;
  /** Median time per step over rounds, ms; each round's; steps per batch. */
  ms?: number;
  rounds?: number[];
  /** Our time per step in the batch next to each of this peer's (ours: rounds holds every batch of ours). */
  oursRounds?: number[];
  batch?: number;
  /** The peer's time over ours, per round (above 1: we are faster). */
  speedup?: Ratio;
  note?: string;
}

export interface TargetResult {
  peer: string;
  text: string;
  minSpeedup: number;
  speedup?: Ratio;
  /** Undefined when the peer was not timed. */
  met?: boolean;
}

export interface RaceWorkloadResult {
  id: string;
  title: string;
  params: number;
  peers: PeerResult[];
  targets: TargetResult[];
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

async function steps(run: PeerRun, n: number): Promise<number> {
  let last = NaN;
  for (let i = 0; i < n; i++) {
    const r = run.step();
    last = typeof r === 'number' ? r : await r;
  }
  return last;
}

/** The time of n steps, ms. */
async function timeSteps(run: PeerRun, n: number): Promise<{ ms: number; loss: number }> {
  const start = performance.now();
  const loss = await steps(run, n);
  return { ms: performance.now() - start, loss };
}

/** Runs `peers` (ours first) on a workload: agreement, warm-up, rounds. */
export async function raceWorkload(w: RaceEntry, peers: readonly Peer[], settings: RaceSettings, log: (line: string) => void): Promise<RaceWorkloadResult> {
  const results: PeerResult[] = [];
  const runs = new Map<string, PeerRun>();
  for (const peer of peers) {
    const result: PeerResult = {
      name: peer.name, precision: peer.precision, status: 'not run', tolerance: peer.tolerance?.relative ?? TOLERANCE[peer.precision],
      ...(peer.tolerance ? { note: peer.tolerance.why } : {}),
    };
    results.push(result);
    try {
      const started = performance.now();
      const run = await peer.start(w);
      result.setupMs = performance.now() - started;
      if (!run) {
        result.note = 'cannot run this workload';
        continue;
      }
      await steps(run, AGREEMENT_STEPS);
      result.loss = await steps(run, 1);
      runs.set(peer.name, run);
    } catch (e) {
      result.status = 'failed';
      result.note = message(e);
    }
  }
  const ours = results[0]!;
  if (!runs.has(ours.name)) throw new Error(`${w.id}: our peer did not run (${ours.note ?? ''})`);
  for (const r of results) {
    const run = runs.get(r.name);
    if (!run) continue;
    r.difference = Math.abs(r.loss! - ours.loss!) / Math.abs(ours.loss!);
    if (r.difference <= r.tolerance) r.status = 'timed';
    else {
      r.status = 'disagrees';
      r.note = `loss after ${AGREEMENT_STEPS} steps ${r.loss} vs our ${ours.loss} (tolerance ${r.tolerance})`;
      run.dispose();
      runs.delete(r.name);
    }
  }
  const timed = results.filter((r) => r.status === 'timed');
  log(`  ${w.id}: ${timed.map((r) => r.name).join(', ')} agree; warming up`);

  // Warm-up (V8 optimizes, jit caches fill), then a batch size from the last steps' times.
  for (const r of timed) {
    const run = runs.get(r.name)!;
    const times: number[] = [];
    const started = performance.now();
    while (times.length < 3 || performance.now() - started < settings.warmupMs) times.push((await timeSteps(run, 1)).ms);
    const perStep = median(times.slice(times.length >> 1));
    r.batch = Math.max(1, Math.round(settings.batchMs / perStep));
    r.rounds = [];
    if (r !== ours) r.oursRounds = [];
  }
  log(`  ${w.id}: ${settings.rounds} rounds`);
  const perStep = async (r: PeerResult) => {
    const { ms, loss } = await timeSteps(runs.get(r.name)!, r.batch!);
    if (!Number.isFinite(loss)) r.note = 'the loss went non-finite while timing';
    return ms / r.batch!;
  };
  const others = timed.slice(1);
  for (let round = 0; round < settings.rounds; round++) {
    for (const [i, r] of (round % 2 === 0 ? others : [...others].reverse()).entries()) {
      let mine: number, theirs: number;
      if ((round + i) % 2 === 0) {
        mine = await perStep(ours);
        theirs = await perStep(r);
      } else {
        theirs = await perStep(r);
        mine = await perStep(ours);
      }
      r.rounds!.push(theirs);
      r.oursRounds!.push(mine);
      ours.rounds!.push(mine);
    }
  }
  for (const r of timed) {
    r.ms = median(r.rounds!);
    if (r !== ours) r.speedup = ratio({ rounds: r.rounds! }, { rounds: r.oursRounds! });
    runs.get(r.name)!.dispose();
  }
  const targets = w.targets.map((t): TargetResult => {
    const r = results.find((p) => p.name === t.peer);
    return { ...t, ...(r?.speedup ? { speedup: r.speedup, met: r.speedup.median >= t.minSpeedup } : {}) };
  });
  return { id: w.id, title: w.title, params: w.params.reduce((s, p) => s + p.values.length, 0), peers: results, targets };
}

export interface RaceResults {
  mode: 'quick' | 'full';
  settings: (typeof RACE_SETTINGS)['full'];
  seconds: number;
  workloads: RaceWorkloadResult[];
  extras: Extras;
}

/** The whole race: every workload with every peer, then the extra measurements. */
export async function runRace(mode: 'quick' | 'full', log: (line: string) => void): Promise<RaceResults> {
  const started = performance.now();
  const settings = RACE_SETTINGS[mode];
  const libraries = [...tfjsPeers, ...jaxPeers];
  const peers = [oursPeer, ...handPeers, ...libraries];
  const entries = raceWorkloads();
  const workloads: RaceWorkloadResult[] = [];
  for (const w of entries) {
    log(`- race: ${w.title}`);
    workloads.push(await raceWorkload(w, peers, settings, log));
  }
  log('- race: gradient / forward, matmul GFLOP/s');
  const extras: Extras = {
    gradientOverForward: entries.map((w) => gradientOverForward(w, settings.extras)),
    matmul: matmulThroughput(settings.extras),
    ...measureInChildren(entries[0]!, libraries, log),
  };
  return { mode, settings, seconds: (performance.now() - started) / 1000, workloads, extras };
}
