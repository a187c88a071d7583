/**
 * `pnpm --filter @autodiff/bench run phases [SIZES]`: where compile time goes,
 * per phase, in microseconds per node (of the requested size), for the scaling
 * shapes at each size (default 100,1000,10000,100000). Each size is compiled
 * several times (fewer as it grows); the median per phase is shown. A tool for
 * work on compile time, not part of `pnpm bench`.
 */
import { DEFAULT_CONTEXT, emitModule, lower, PASSES } from '@autodiff/compiler';
import { check, parse } from '@autodiff/parser';
import { median } from './harness.js';
import { SHAPES, type Shape } from './scaling.js';

const PHASES = ['parse', 'check', 'lower', ...PASSES.map((p) => p.name), 'emit'] as const;

/** Milliseconds spent in each phase of one compile. */
function phaseTimes(source: string): number[] {
  const times: number[] = [];
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    times.push(now - t);
    t = now;
  };
  const { program } = parse(source);
  lap();
  const { checked } = check(program, source);
  lap();
  if (!checked) throw new Error('phases: the program does not check');
  let ir = lower(checked);
  lap();
  for (const pass of PASSES) {
    ir = pass.run(ir, DEFAULT_CONTEXT);
    lap();
  }
  emitModule(ir, { language: 'js', sourceName: 'phases.txt' });
  lap();
  return times;
}

const sizes = (process.argv[2] ?? '100,1000,10000,100000').split(',').map(Number);
for (const [shape, generate] of Object.entries(SHAPES) as [Shape, (n: number) => string][]) {
  for (const size of sizes) {
    const source = generate(size);
    const runs = Math.max(3, Math.round(30_000 / size));
    const all = Array.from({ length: runs }, () => phaseTimes(source));
    const perNode = PHASES.map((_, i) => (median(all.map((r) => r[i]!)) * 1000) / size);
    const total = perNode.reduce((a, b) => a + b, 0);
    const cells = PHASES.map((name, i) => `${name} ${perNode[i]!.toFixed(2)}`).join('  ');
    process.stdout.write(`${shape.padEnd(22)} ${String(size).padStart(7)}  µs/node ${total.toFixed(2).padStart(6)}  ${cells}\n`);
  }
}
