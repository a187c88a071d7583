/**
 * Inputs of realistic size that once crashed or stalled the compiler and the
 * CLI (one test per case, with generous time bounds: these machines are
 * shared). Each runs the built CLI as a user would and checks the exit
 * status, the time, and that the report stays readable and bounded.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autodiff, tempDir, writeTemp } from './cli.js';

const dir = tempDir();

function timed(args: string[]) {
  const started = performance.now();
  const run = autodiff(args, { cwd: dir });
  return { ...run, seconds: (performance.now() - started) / 1000, lines: run.stderr.split('\n').length };
}

describe('hostile and huge inputs: bounded time, bounded output, exit 1 or 0, never a crash', () => {
  it('100,000 unused bindings (1.5 MB): compiles in seconds; the warnings are capped and counted', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `u${i} = ${i}`);
    writeTemp(dir, 'unused.txt', `${lines.join('\n')}\nz = 1\n`);
    const run = timed(['compile', 'unused.txt', '-o', 'unused.ts']); // was 115 s and 300,000 lines of stderr
    expect(run.status, run.stderr.slice(0, 500)).toBe(0);
    expect(run.seconds).toBeLessThan(20);
    expect(run.lines).toBeLessThan(200);
    expect(run.stderr).toContain('unused.txt: ... and 99,950 more warnings like this [W201]');
  });

  it('one line of 200,000 separate illegal characters: one capped report, in seconds', () => {
    writeTemp(dir, 'dollars.txt', `${'$ '.repeat(200_000)}\n`);
    const run = timed(['compile', 'dollars.txt']); // was 47 s and 47 MB of stderr
    expect(run.status).toBe(1);
    expect(run.seconds).toBeLessThan(20);
    expect(run.stderr.length).toBeLessThan(20_000);
    expect(run.stderr).toContain('dollars.txt: ... and 199,950 more errors like this [E001]');
  });

  it('--params with 100,000 unknown keys: linear, and the problems are capped', () => {
    writeTemp(dir, 'w.txt', 'param w\nw^2\n');
    const params: Record<string, number> = { w: 1 };
    for (let i = 0; i < 100_000; i++) params[`k${i}`] = i;
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    const run = timed(['eval', 'w.txt', '--params', 'params.json']); // was 79 s, quadratic, and 100,000 lines
    expect(run.status).toBe(1);
    expect(run.seconds).toBeLessThan(20);
    expect(run.lines).toBeLessThan(15);
    expect(run.stderr).toMatch(/^params\.json:1:\d+: error\[P004\]: 'k0' is not a param of the program \(its params are w\)$/m);
    expect(run.stderr).toMatch(/note\[D012\]: more problems follow; only the first 10 are shown/);
  });

  it('a 1,000,000-statement chain (30 MB): exit 1 with the size limit, at once', () => {
    const lines = ['param x', 'y0 = x'];
    for (let i = 1; i < 1_000_000; i++) lines.push(`y${i} = y${i - 1} * 1.0001 + x`);
    writeTemp(dir, 'million.txt', lines.join('\n'));
    const run = timed(['compile', 'million.txt', '-o', 'million.ts']); // was 76 s, 4.8 GB and rc 70
    expect([run.status, run.stderr]).toEqual([1, 'million.txt:1:1: error[E206]: cannot read file: it is larger than 8 MiB, the limit for a source file\n']);
    expect(run.seconds).toBeLessThan(10);
  });

  it('compile /dev/zero: the size limit, not an endless read', () => {
    const run = timed(['compile', '/dev/zero']); // read without limit, then rc 134
    expect([run.status, run.stderr]).toEqual([1, '/dev/zero:1:1: error[E206]: cannot read file: it is larger than 8 MiB, the limit for a source file\n']);
    expect(run.seconds).toBeLessThan(10);
    writeTemp(dir, 'w.txt', 'param w\nw^2\n');
    const params = timed(['eval', 'w.txt', '--params', '/dev/zero']);
    expect(params.stderr).toMatch(/error\[E206\]: cannot read file: it is larger than 64 MiB, the limit for a params file/);
  });

  it('a literal of 160,000 digits: read in linear time (the number pattern once backtracked quadratically: 16-28 s)', () => {
    writeTemp(dir, 'digits.txt', `param w\nloss = w * 1${'0'.repeat(160_000)}\n`);
    const run = timed(['compile', 'digits.txt', '-o', 'digits.ts']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.seconds).toBeLessThan(10);
  });

  it('sizes given at run time that make a value too large: exit 1 naming the limit, not an internal error', () => {
    writeTemp(dir, 'huge.txt', 'input X: [n, m]\nparam w\nloss = w*sum(X)\n');
    const dims = timed(['check', 'huge.txt', '--dims', 'n=1000000,m=1000000', '--points', '1']); // was rc 70
    expect([dims.status, dims.stderr]).toEqual([1, "huge.txt: error[E236]: the sizes given make a value too large to hold in memory (input 'X' would have 1,000,000,000,000 elements, more than the 134,217,728 a value may hold): give smaller dimension sizes or fewer rows\n"]);
    writeTemp(dir, 'gram.txt', 'input X: [n, 1]\nparam w\nloss = w*sum(X @ transpose(X))\n');
    writeTemp(dir, 'rows.csv', `X[0]\n${'1\n'.repeat(100_000)}`);
    writeTemp(dir, 'w.json', '{"w": 1}');
    const rows = timed(['eval', 'gram.txt', '--params', 'w.json', '--data', 'rows.csv']); // [n, n] with n = 100,000: was rc 70
    expect(rows.status, rows.stderr).toBe(1);
    expect(rows.stderr).toMatch(/^gram\.txt: error\[E236\]: the sizes given make a value too large to hold in memory/);
  });
});
