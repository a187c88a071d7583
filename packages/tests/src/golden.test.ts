/**
 * Golden files: for every examples/*.txt the expected IR (`--emit ir`) and
 * TypeScript; for every bad input in golden/errors the expected diagnostics,
 * caret lines included. Regenerate with UPDATE_GOLDEN=1 and review the diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autodiff, REPO } from './cli.js';

const update = process.env.UPDATE_GOLDEN === '1';
const GOLDEN = join(REPO, 'packages/tests/golden');
const EXAMPLES = join(REPO, 'examples');

function compareGolden(path: string, actual: string): void {
  if (update || !existsSync(path)) {
    if (!update) throw new Error(`missing golden file ${path}: run with UPDATE_GOLDEN=1 and review it`);
    writeFileSync(path, actual);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.txt')).sort();
const badInputs = readdirSync(join(GOLDEN, 'errors')).filter((f) => f.endsWith('.txt') && !f.endsWith('.errors.txt')).sort();

describe('golden output for examples/', () => {
  it('has the examples the README promises', () => {
    expect(examples).toEqual(expect.arrayContaining(['neuron.txt', 'rosenbrock.txt']));
  });
  for (const file of examples) {
    const stem = file.replace(/\.txt$/, '');
    it(`${file}: IR after each pass`, () => {
      const run = autodiff(['compile', file, '--emit', 'ir'], { cwd: EXAMPLES });
      expect(run.status, run.stderr).toBe(0);
      compareGolden(join(GOLDEN, 'examples', `${stem}.ir.txt`), run.stdout);
    });
    it(`${file}: generated TypeScript`, () => {
      const run = autodiff(['compile', file], { cwd: EXAMPLES });
      expect(run.status, run.stderr).toBe(0);
      compareGolden(join(GOLDEN, 'examples', `${stem}.ts.txt`), run.stdout);
    });
  }
});

describe('golden diagnostics for bad input', () => {
  it('covers every class of error', () => {
    expect(badInputs.length).toBeGreaterThanOrEqual(25);
  });
  for (const file of badInputs) {
    it(file, () => {
      const run = autodiff(['compile', file], { cwd: join(GOLDEN, 'errors') });
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/); // no stack trace
      expect(run.stderr).toMatch(new RegExp(`^${file.replace('.', '\\.')}:\\d+:\\d+: error\\[E\\d{3}\\]: `));
      compareGolden(join(GOLDEN, 'errors', file.replace(/\.txt$/, '.errors.txt')), run.stderr);
    });
  }
});
