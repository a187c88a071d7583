/**
 * The race's other measurements: our gradient over our forward per workload,
 * the GFLOP/s of our largest matrix product against the hand-written blocked
 * kernel's, the time from process start to the first finished step (ours and
 * each library peer, each in a fresh child process), heap growth over 100,000
 * of our steps, and the gzipped size of the generated TypeScript module.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { compileSource, emitModule, loadCompiled } from '@autodiff/compiler';
import { BLOCKED } from '../hand-mlp.js';
import { median, ratio, timeSideBySide, type Ratio, type Settings } from '../harness.js';
import { seededRandom, uniform } from '../random.js';
import { concat } from './hand.js';
import { compileOurs } from './ours.js';
import type { Peer, RaceWorkload } from './peer.js';
import type { RaceEntry } from './workloads.js';

export interface GradientOverForward {
  id: string;
  forwardMs: number;
  gradientMs: number;
  ratio: Ratio;
}

export interface Matmul {
  shape: string;
  flop: number;
  oursGflops: number;
  handGflops: number;
  /** Our time over the hand-written kernel's, per round. */
  oursOverHand: Ratio;
}

export interface Startup {
  peer: string;
  runs: number;
  /** Medians, ms since the process started: at the script's first line, and when the first step is done. */
  scriptMs?: number;
  endMs?: number;
  error?: string;
}

export interface Heap {
  steps: number;
  beforeBytes: number;
  afterBytes: number;
  ms: number;
}

export interface Extras {
  gradientOverForward: GradientOverForward[];
  matmul: Matmul;
  /** The two-moons workload in each fresh process. */
  startup: Startup[];
  heap: Heap | { error: string };
  module: { id: string; chars: number; gzipBytes: number };
}

export const HEAP_STEPS = 100_000;

/** Our forwardFlat and backwardFlat side by side, at four nearby points. */
export function gradientOverForward(w: RaceWorkload, settings: Settings): GradientOverForward {
  const { functions, dims } = compileOurs(w);
  const n = dims[0]!;
  const random = seededRandom(5);
  const start = concat(w.params);
  const points = Array.from({ length: 4 }, () => start.map((v) => v + uniform(random, -1e-3, 1e-3)));
  const x = concat(w.inputs);
  const grad = new Float64Array(start.length);
  const t = timeSideBySide(
    [
      { name: 'forward', f: (p, xs) => functions.forwardFlat(p, xs, n), points, x, grad },
      { name: 'gradient', f: (p, xs, g) => functions.backwardFlat(p, xs, g, n), points, x, grad },
    ],
    settings,
  );
  const [forward, gradient] = [t.get('forward')!, t.get('gradient')!];
  return { id: w.id, forwardMs: forward.ns / 1e6, gradientMs: gradient.ns / 1e6, ratio: ratio(gradient, forward) };
}

/**
 * The race's largest product, the first layer of the MLP 784-128-10
 * (X [128, 784] @ W [784, 128]), as our forward of sum(relu(X @ W)) and as the
 * hand-written blocked kernel followed by the same relu and sum (0.1% of the work).
 */
export function matmulThroughput(settings: Settings): Matmul {
  const [n, k, m] = [128, 784, 128];
  const { ir, diagnostics } = compileSource(`param W: [${k}, ${m}]\ninput X: [n, ${k}]\nloss = sum(relu(X @ W))\n`);
  if (!ir) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const ours = loadCompiled(ir);
  const random = seededRandom(6);
  const limit = Math.sqrt(6 / (k + m));
  const points = Array.from({ length: 4 }, () => Float64Array.from({ length: k * m }, () => uniform(random, -limit, limit)));
  const x = Float64Array.from({ length: n * k }, () => random());
  const out = new Float64Array(n * m);
  const hand = (p: Float64Array, xs: Float64Array) => {
    BLOCKED.matmul(xs, p, 0, out, n, k, m);
    let s = 0;
    for (let i = 0; i < n * m; i++) s += out[i]! > 0 ? out[i]! : 0;
    return s;
  };
  if (Math.abs(hand(points[0]!, x) - ours.forwardFlat(points[0]!, x, n)) > 1e-9 * Math.abs(hand(points[0]!, x))) {
    throw new Error('matmul: our product and the hand-written one disagree');
  }
  const t = timeSideBySide(
    [
      { name: 'ours', f: (p, xs) => ours.forwardFlat(p, xs, n), points, x, grad: out },
      { name: 'hand blocked', f: hand, points, x, grad: out },
    ],
    settings,
  );
  const flop = 2 * n * k * m;
  const [a, b] = [t.get('ours')!, t.get('hand blocked')!];
  return { shape: `[${n}, ${k}] @ [${k}, ${m}]`, flop, oursGflops: flop / a.ns, handGflops: flop / b.ns, oursOverHand: ratio(a, b) };
}

/** A workload as JSON (values as arrays), for the children. */
const workloadJson = (w: RaceWorkload) =>
  JSON.stringify({ ...w, params: w.params.map((t) => ({ ...t, values: [...t.values] })), inputs: w.inputs.map((t) => ({ ...t, values: [...t.values] })) });

const childScript = fileURLToPath(new URL('./child.js', import.meta.url));

function child(args: string[], nodeFlags: string[] = []): { ok: true; value: Record<string, number> } | { ok: false; error: string } {
  const r = spawnSync(process.execPath, [...nodeFlags, childScript, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) return { ok: false, error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-1)[0]! };
  return { ok: true, value: JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number> };
}

export function measureInChildren(w: RaceEntry, peers: readonly Peer[], log: (line: string) => void): Pick<Extras, 'startup' | 'heap' | 'module'> {
  const { ir, diagnostics } = compileSource(w.source);
  if (!ir) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const ts = emitModule(ir, { language: 'ts', sourceName: `${w.id}.txt`, source: w.source });
  const folder = mkdtempSync(join(tmpdir(), 'autodiff-race-'));
  try {
    const module = join(folder, `${w.id}.mjs`);
    const data = join(folder, `${w.id}.json`);
    writeFileSync(module, emitModule(ir, { language: 'js', sourceName: `${w.id}.txt` }));
    writeFileSync(data, workloadJson(w));
    const startup = ['ours', ...peers.map((p) => p.name)].map((peer): Startup => {
      const runs = peer === 'ours' ? 7 : 3;
      log(`  startup: ${peer} (${runs} fresh processes)`);
      const values: Record<string, number>[] = [];
      for (let i = 0; i < runs; i++) {
        const r = child(['startup', peer, data, ...(peer === 'ours' ? [module] : [])]);
        if (!r.ok) return { peer, runs: i, error: r.error };
        values.push(r.value);
      }
      return { peer, runs, scriptMs: median(values.map((v) => v.scriptMs!)), endMs: median(values.map((v) => v.endMs!)) };
    });
    log(`  heap: ${HEAP_STEPS.toLocaleString('en-US')} steps`);
    const h = child(['heap', data, module, String(HEAP_STEPS)], ['--expose-gc']);
    const heap: Extras['heap'] = h.ok
      ? { steps: HEAP_STEPS, beforeBytes: h.value.beforeBytes!, afterBytes: h.value.afterBytes!, ms: h.value.ms! }
      : { error: h.error };
    return { startup, heap, module: { id: w.id, chars: ts.length, gzipBytes: gzipSync(ts).length } };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
