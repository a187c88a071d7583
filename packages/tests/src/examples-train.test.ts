/**
 * The examples that learn from data (issue 12): each one, trained by `autodiff fit` with the
 * flags the README gives and the default seed, reaches its accuracy target, measured with
 * `autodiff predict` on its score binding: the training set for the two moons, the held-out
 * 20% for digits and breast cancer (examples/data/README.md says how the splits are made).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { autodiff, autodiffAsync, inBatches, REPO, type Run, tempDir } from './cli.js';

interface Example {
  program: string;
  /** fit's flags after --data, as the README's table gives them (no --seed: the default). */
  flags: string[];
  train: string;
  /** The file accuracy is measured on, and the target. */
  scored: string;
  target: number;
  /** The binding predict prints: a per-row scalar whose sign is the class (y is -1 or 1), or per-row class scores whose largest entry is the class (y is 0..k-1). */
  value: string;
  classes?: number;
}

const data = (name: string) => join(REPO, 'examples/data', name);

const EXAMPLES: Example[] = [
  { program: 'moons.txt', flags: [], train: data('moons.csv'), scored: data('moons.csv'), target: 1, value: 'score' },
  {
    program: 'digits.txt', flags: ['--batch', '128', '--steps', '1000', '--lr', '0.01'],
    train: data('digits-train.csv'), scored: data('digits-test.csv'), target: 0.96, value: 'logits', classes: 10,
  },
  { program: 'cancer.txt', flags: [], train: data('cancer-train.csv'), scored: data('cancer-test.csv'), target: 0.95, value: 'score' },
];

const dir = tempDir();
const paramsOf = (e: Example) => join(dir, e.program.replace(/\.txt$/, '.json'));
const fits = new Map<Example, Run>();

/** The y column of a data file. */
function labels(path: string): number[] {
  const [header, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const at = header!.split(',').indexOf('y');
  return rows.map((row) => Number(row.split(',')[at]));
}

/** The fraction of rows predict's CSV output classifies as the data file's labels say. */
function accuracy(e: Example, predicted: string): number {
  const [header, ...rows] = predicted.trimEnd().split('\n');
  const columns = e.classes ? Array.from({ length: e.classes }, (_, k) => `${e.value}[${k}]`) : [e.value];
  expect(header).toBe(columns.join(','));
  const truth = labels(e.scored);
  expect(rows.length).toBe(truth.length);
  let right = 0;
  rows.forEach((row, i) => {
    const scores = row.split(',').map(Number);
    expect(scores.length).toBe(columns.length);
    expect(scores.every(Number.isFinite)).toBe(true);
    const guess = e.classes ? scores.indexOf(Math.max(...scores)) : scores[0]! > 0 ? 1 : -1;
    if (guess === truth[i]) right++;
  });
  return right / truth.length;
}

beforeAll(async () => {
  const runs = await inBatches(
    EXAMPLES.map((e) => () => autodiffAsync(['fit', join(REPO, 'examples', e.program), '--data', e.train, ...e.flags, '--out', paramsOf(e)])),
    2,
  );
  EXAMPLES.forEach((e, i) => fits.set(e, runs[i]!));
});

for (const e of EXAMPLES) describe(`examples/${e.program}`, () => {
  it(`reaches ${100 * e.target}% accuracy on ${e.scored === e.train ? 'its training set' : 'the held-out split'} from the default seed`, () => {
    const fit = fits.get(e)!;
    expect(fit.status, fit.stderr).toBe(0);
    const run = autodiff(['predict', join(REPO, 'examples', e.program), '--params', paramsOf(e), '--data', e.scored, '--value', e.value]);
    expect(run.status, run.stderr).toBe(0);
    expect(accuracy(e, run.stdout)).toBeGreaterThanOrEqual(e.target);
  });

  it('fit reports its final loss: the loss eval computes over the training data at the saved params', () => {
    const fit = fits.get(e)!;
    expect(fit.status, fit.stderr).toBe(0);
    const rows = labels(e.train).length;
    const reported = new RegExp(`^final loss (\\S+) \\(the output over ${rows} rows\\)$`, 'm').exec(fit.stderr);
    expect(reported, fit.stderr).not.toBeNull();
    const loss = Number(reported![1]);
    expect(Number.isFinite(loss) && loss > 0).toBe(true);
    const scored = autodiff(['eval', join(REPO, 'examples', e.program), '--params', paramsOf(e), '--data', e.train, '--json']);
    expect(scored.status, scored.stderr).toBe(0);
    const { value } = JSON.parse(scored.stdout) as { value: number };
    expect(Math.abs(value - loss)).toBeLessThanOrEqual(1e-5 * loss); // fit prints 6 significant digits
  });
});
