/**
 * Side-by-side timing with tinybench.
 *
 * Calls that take nanoseconds are below the timer's resolution, so each
 * tinybench iteration runs a batch of calls (sized to take about BATCH_MS) and
 * reports the batch's time per call (`overriddenDuration`). Each candidate
 * gets its own loop function, made with `new Function`: closures made from one
 * function literal share V8's type feedback, so a shared loop would call most
 * candidates through a megamorphic call site; a loop of its own calls one
 * callee, which V8 may inline as it would in user code. The loop cycles through
 * several points so that no call repeats the previous one's work (an inlined
 * call at a fixed point can be hoisted out of the loop).
 *
 * Spread: the candidates of one comparison are timed together in several
 * rounds, in alternating order. A ratio is computed per round from the two
 * candidates' median times in that round; we report the median over rounds
 * and the range (min–max) across rounds. On a shared, noisy machine a burst of
 * load hits one round, not the whole comparison.
 */
import { Bench } from 'tinybench';

export interface Candidate<P = Float64Array, X = Float64Array, G = Float64Array> {
  name: string;
  /** The code under test, called as f(points[k], x, grad); results are summed so no call is dead code. */
  f: (p: P, x: X, grad: G) => number;
  /** Where to call it, in turn; the length must be a power of two. */
  points: readonly P[];
  x: X;
  grad: G;
}

export interface Settings {
  rounds: number;
  /** tinybench's time budget per candidate per round. */
  timeMs: number;
  /** Warm-up budget per candidate (first round only). */
  warmupMs: number;
}

export interface Timing {
  name: string;
  /** Calls per tinybench iteration. */
  batch: number;
  /** Per round: the median time per call, in nanoseconds. */
  rounds: number[];
  /** Median over rounds, in nanoseconds. */
  ns: number;
  /** tinybench iterations (batches) over all rounds. */
  samples: number;
}

export interface Ratio {
  median: number;
  min: number;
  max: number;
}

const BATCH_MS = 0.25;
const WARM_MS = 20;

/** Keeps every result alive. */
export let sink = 0;

type Loop = (f: Candidate['f'], points: readonly unknown[], x: unknown, grad: unknown, n: number) => number;
let loops = 0;
const makeLoop = () =>
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function(
    'f', 'points', 'x', 'grad', 'n',
    // The numbered comment makes each source unique: V8 caches compiled sources,
    // and the same source would bring back the same (shared) type feedback.
    `/* loop ${++loops} */ const mask = points.length - 1; let s = 0; for (let i = 0; i < n; i++) s += f(points[i & mask], x, grad); return s;`,
  ) as Loop;

/**
 * Runs the code until V8 has optimized it (WARM_MS at least, then until two
 * successive batches agree within 10%, at most 10 x WARM_MS: a function of
 * tens of kilobytes takes a while to optimize), then sizes a batch to take
 * about BATCH_MS.
 */
function calibrate(c: Candidate<unknown, unknown, unknown>, loop: Loop): number {
  const time = (n: number) => {
    const start = performance.now();
    sink += loop(c.f, c.points, c.x, c.grad, n);
    return (performance.now() - start) / n;
  };
  const started = performance.now();
  let n = 1;
  let perCall = time(n);
  while (perCall * n < BATCH_MS && n < 1 << 26) perCall = time((n *= 2));
  for (;;) {
    const next = time(n);
    const settled = Math.abs(next - perCall) <= 0.1 * Math.min(next, perCall);
    perCall = Math.min(perCall, next);
    const elapsed = performance.now() - started;
    if ((settled && elapsed >= WARM_MS) || elapsed >= 10 * WARM_MS) break;
    n = Math.max(1, Math.round(BATCH_MS / perCall));
  }
  return Math.max(1, Math.round(BATCH_MS / perCall));
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function timeSideBySide(candidates: readonly Candidate<any, any, any>[], settings: Settings): Map<string, Timing> {
  const prepared = candidates.map((c) => {
    const loop = makeLoop();
    return { ...c, loop, batch: calibrate(c, loop), rounds: [] as number[], samples: 0 };
  });
  for (let round = 0; round < settings.rounds; round++) {
    const bench = new Bench({
      time: settings.timeMs,
      iterations: 4,
      warmup: round === 0,
      warmupTime: settings.warmupMs,
      warmupIterations: 2,
      throws: true,
    });
    const order = round % 2 === 0 ? prepared : [...prepared].reverse();
    for (const c of order) {
      bench.add(c.name, () => {
        const start = bench.now();
        sink += c.loop(c.f, c.points, c.x, c.grad, c.batch);
        const elapsed = bench.now() - start;
        return { overriddenDuration: elapsed / c.batch, overriddenIterationCost: elapsed };
      });
    }
    for (const task of bench.runSync()) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`bench: '${task.name}' ended as ${result.state}`);
      const c = prepared.find((p) => p.name === task.name)!;
      c.rounds.push(result.latency.p50 * 1e6);
      c.samples += result.latency.samplesCount;
    }
  }
  return new Map(prepared.map((c) => [c.name, { name: c.name, batch: c.batch, rounds: c.rounds, ns: median(c.rounds), samples: c.samples }]));
}

/** a's time over b's, per round; median and range over rounds. */
export function ratio(a: Pick<Timing, 'rounds'>, b: Pick<Timing, 'rounds'>): Ratio {
  const perRound = a.rounds.map((t, i) => t / b.rounds[i]!);
  return { median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound) };
}
