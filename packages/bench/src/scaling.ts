/**
 * Compile time and emitted code size against program size, 100 to 100,000
 * IR nodes, for three shapes. "Compile" is what `autodiff compile` does:
 * `compileSource` (parse, check, lower, simplify, differentiate) then
 * `emitModule` (JavaScript). Timed with tinybench in rounds, every size of a
 * shape once per round: small programs warm, the median of many runs; the
 * largest once per round. Ratios between sizes are taken per round, like the
 * side-by-side ratios of the gradient workloads.
 */
import { compileSource, emitModule } from '@autodiff/compiler';
import { outputsOf, topoOrder, valueOf, type Program } from '@autodiff/ir';
import { Bench } from 'tinybench';
import { functionText } from './generated.js';
import { median, ratio, type Ratio } from './harness.js';
import { deepChain, sharedProgram, wideSum } from './programs.js';

export const SHAPES = {
  'deep chain': deepChain,
  'wide sum': wideSum,
  'shared subexpressions': (nodes: number) => sharedProgram(nodes, 11),
} as const;
export type Shape = keyof typeof SHAPES;

export const SIZES = [100, 1_000, 10_000, 100_000] as const;

export interface ScalingPoint {
  shape: Shape;
  size: number;
  /** IR nodes the value needs, and value plus gradient. */
  irNodes: { forward: number; total: number };
  params: number;
  /** Compile time per round, milliseconds (a median of that round's runs). */
  rounds: number[];
  /** Median over rounds. */
  compileMs: number;
  /** Compiles timed, over all rounds. */
  runs: number;
  moduleChars: number;
  forwardChars: number;
  backwardChars: number;
}

export interface ScalingSettings {
  /** Every size of a shape is timed once per round, smallest first; ratios are taken per round. */
  rounds: number;
  /** tinybench time budget per round for programs below `largeFrom` nodes (warm-up in the first round). */
  timeMs: number;
  /** From this size on, a program is compiled once per round, without warm-up of its own. */
  largeFrom: number;
}

function compile(source: string): { ir: Program; module: string } {
  const { ir, diagnostics } = compileSource(source);
  if (!ir) throw new Error(`scaling program failed to compile: ${diagnostics[0]?.message}`);
  return { ir, module: emitModule(ir, { language: 'js', sourceName: 'scaling.txt' }) };
}

/** One timing of `source` in one round: the median of its runs (ms), how many there were, and the last compilation. */
function timeRound(name: string, source: string, large: boolean, warmUp: boolean, settings: ScalingSettings) {
  const bench = new Bench(
    large
      ? { time: 0, iterations: 1, warmup: false, throws: true }
      : { time: settings.timeMs, iterations: 3, warmup: warmUp, warmupTime: settings.timeMs / 2, warmupIterations: 1, throws: true },
  );
  let last: ReturnType<typeof compile> | undefined;
  bench.add(name, () => {
    last = compile(source);
  });
  const [task] = bench.runSync();
  const result = task!.result;
  if (result.state !== 'completed') throw new Error(`scaling: ${name} ended as ${result.state}`);
  return { ms: result.latency.p50, runs: result.latency.samplesCount, last: last! };
}

export function measureScaling(settings: ScalingSettings, log: (line: string) => void): ScalingPoint[] {
  const points: ScalingPoint[] = [];
  for (const [shape, generate] of Object.entries(SHAPES) as [Shape, (n: number) => string][]) {
    const sources = SIZES.map((size) => generate(size));
    const of: ScalingPoint[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      SIZES.forEach((size, i) => {
        const { ms, runs, last } = timeRound(`${shape} ${size}`, sources[i]!, size >= settings.largeFrom, round === 0, settings);
        const { ir, module } = last;
        const point = (of[i] ??= {
          shape,
          size,
          irNodes: { forward: topoOrder([valueOf(ir)]).length, total: topoOrder(outputsOf(ir)).length },
          params: ir.params.length,
          rounds: [],
          compileMs: 0,
          runs: 0,
          moduleChars: module.length,
          forwardChars: functionText(module, 'forwardFlat').length,
          backwardChars: functionText(module, 'backwardFlat').length,
        });
        point.rounds.push(ms);
        point.runs += runs;
      });
    }
    for (const point of of) {
      point.compileMs = median(point.rounds);
      log(`  ${shape.padEnd(22)} ${String(point.irNodes.forward).padStart(7)} nodes  ${point.compileMs.toFixed(2).padStart(9)} ms  (${point.runs} runs)`);
      points.push(point);
    }
  }
  return points;
}

/** Compile time of a shape's largest program over that of `from` (default: the smallest), per round. */
export function growth(points: readonly ScalingPoint[], shape: Shape, from: 'smallest' | 'next size down' = 'smallest'): Ratio {
  const of = points.filter((p) => p.shape === shape);
  const last = of[of.length - 1]!;
  return ratio(last, from === 'smallest' ? of[0]! : of[of.length - 2] ?? of[0]!);
}
