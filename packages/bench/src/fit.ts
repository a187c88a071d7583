/**
 * Training speed: `fit` from @autodiff/train on the XOR example
 * (examples/xor.txt, examples/data/xor.csv), with the generated code as the
 * model and with the tape engine (`tapeModel`), same seed and settings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fit, readCsv, tapeModel, type FitResult, type Model } from '@autodiff/train';
import { agreement, TOLERANCE, type Agreement } from './check.js';
import { compileProgram } from './generated.js';
import { ratio, timeSideBySide, type Ratio, type Settings } from './harness.js';

/** Steps per timed fit. */
export const FIT_STEPS = 200;

export interface FitComparison {
  steps: number;
  rows: number;
  /** Steps per second, each from the median time of a whole `fit` call. */
  compiledStepsPerSecond: number;
  tapeStepsPerSecond: number;
  /** The tape's time over the compiled model's. */
  speedup: Ratio;
  /** Final params and loss of the two runs compared (they follow the same path up to rounding). */
  check: Agreement;
  finalLoss: number;
}

export function compareFit(repoRoot: string, settings: Settings): FitComparison {
  const source = readFileSync(join(repoRoot, 'examples/xor.txt'), 'utf8');
  const generated = compileProgram(source, 'xor.txt');
  const compiled: Model = generated.functions;
  const tape = tapeModel(generated.checked);
  const csv = readCsv(readFileSync(join(repoRoot, 'examples/data/xor.csv'), 'utf8'), compiled.inputNames);
  if (!csv.dataset) throw new Error(`xor.csv: ${csv.problems[0]?.message ?? 'unreadable'}`);
  const data = csv.dataset;
  const run = (model: Model): FitResult => fit(model, data, { steps: FIT_STEPS, seed: 1 });

  const a = run(compiled);
  const b = run(tape);
  const check = agreement({ value: a.loss, grad: a.params }, { value: b.loss, grad: b.params }, TOLERANCE);
  const timings = timeSideBySide(
    [
      { name: 'compiled', f: (model: Model) => run(model).loss, points: [compiled], x: undefined, grad: undefined },
      { name: 'tape', f: (model: Model) => run(model).loss, points: [tape], x: undefined, grad: undefined },
    ],
    settings,
  );
  const c = timings.get('compiled')!;
  const t = timings.get('tape')!;
  return {
    steps: FIT_STEPS,
    rows: data.rows,
    compiledStepsPerSecond: FIT_STEPS / (c.ns * 1e-9),
    tapeStepsPerSecond: FIT_STEPS / (t.ns * 1e-9),
    speedup: ratio(t, c),
    check,
    finalLoss: a.loss,
  };
}
