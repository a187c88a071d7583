/**
 * Compile time and emitted code size against program size, 100 to 100,000
 * IR nodes, for three shapes. "Compile" is what `autodiff compile` does:
 * `compileSource` (parse, check, lower, simplify, differentiate) then
 * `emitModule` (JavaScript). Timed with tinybench: the median of many warm runs
 * for small programs, of a few runs for the largest.
 */
import { compileSource, emitModule } from '@autodiff/compiler';
import { outputsOf, topoOrder, type IRFunction } from '@autodiff/ir';
import { Bench } from 'tinybench';
import { functionText } from './generated.js';
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
  /** Median compile time, milliseconds, over `runs` runs. */
  compileMs: number;
  runs: number;
  moduleChars: number;
  forwardChars: number;
  backwardChars: number;
}

export interface ScalingSettings {
  /** tinybench time budget (with warm-up) for programs below `largeFrom` nodes. */
  timeMs: number;
  /** From this size on, a program is compiled exactly `largeRuns` times, without warm-up. */
  largeFrom: number;
  largeRuns: number;
}

function compile(source: string): { ir: IRFunction; module: string } {
  const { ir, diagnostics } = compileSource(source);
  if (!ir) throw new Error(`scaling program failed to compile: ${diagnostics[0]?.message}`);
  return { ir, module: emitModule(ir, { language: 'js', sourceName: 'scaling.txt' }) };
}

export function measureScaling(settings: ScalingSettings, log: (line: string) => void): ScalingPoint[] {
  const points: ScalingPoint[] = [];
  for (const [shape, generate] of Object.entries(SHAPES) as [Shape, (n: number) => string][]) {
    for (const size of SIZES) {
      const source = generate(size);
      const large = size >= settings.largeFrom;
      const bench = new Bench(
        large
          ? { time: 0, iterations: settings.largeRuns, warmup: false, throws: true }
          : { time: settings.timeMs, iterations: 3, warmupTime: settings.timeMs / 2, warmupIterations: 1, throws: true },
      );
      let last: ReturnType<typeof compile> | undefined;
      bench.add(`${shape} ${size}`, () => {
        last = compile(source);
      });
      const [task] = bench.runSync();
      const result = task!.result;
      if (result.state !== 'completed') throw new Error(`scaling: ${shape} ${size} ended as ${result.state}`);
      const { ir, module } = last!;
      const point: ScalingPoint = {
        shape,
        size,
        irNodes: { forward: topoOrder([ir.value]).length, total: topoOrder(outputsOf(ir)).length },
        params: ir.params.length,
        compileMs: result.latency.p50,
        runs: result.latency.samplesCount,
        moduleChars: module.length,
        forwardChars: functionText(module, 'forwardFlat').length,
        backwardChars: functionText(module, 'backwardFlat').length,
      };
      log(`  ${shape.padEnd(22)} ${String(point.irNodes.forward).padStart(7)} nodes  ${point.compileMs.toFixed(2).padStart(9)} ms  (${point.runs} runs)`);
      points.push(point);
    }
  }
  return points;
}
