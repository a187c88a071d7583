/** `autodiff eval` and `compile` on tensor programs: nested lists, JSON files, shape errors that name the value. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autodiff, REPO, tempDir, writeTemp } from './cli.js';

const dir = tempDir();
// Hand-derived: r = X @ W[:, 0] + b[0] - y; value = mean(r)^2; d/dW[k][0] = 2 mean(r) mean(X[:, k]); d/db[0] = 2 mean(r).
const program = writeTemp(dir, 'lin.txt', 'param W: [2, 3], b: [3]\ninput X: [n, 2], y: [n]\nmean((X @ W + b)[:, 0] - y)^2\n');
const params = 'W=[[1,2,3],[4,5,6]],b=[0,0,1]';

describe('autodiff eval with tensors', () => {
  it('takes nested lists in --at and prints gradients as nested lists in their shapes', () => {
    const run = autodiff(['eval', program, '--json', '--at', `${params},X=[[1,0],[0,1],[1,1]],y=[1,2,3]`]);
    expect(run.status, run.stderr).toBe(0);
    // r = [1 - 1, 4 - 2, 5 - 3] = [0, 2, 2]: mean 4/3, value 16/9.
    const out = JSON.parse(run.stdout) as { value: number; gradient: { W: number[][]; b: number[] } };
    expect(out.value).toBeCloseTo(16 / 9, 14);
    expect(out.gradient.W).toEqual([[2 * (4 / 3) * (2 / 3), 0, 0], [2 * (4 / 3) * (2 / 3), 0, 0]].map((r) => r.map((v) => expect.closeTo(v, 14))));
    expect(out.gradient.b).toEqual([expect.closeTo(8 / 3, 14), 0, 0]);
  });

  it('reads --params and --inputs JSON files (name -> number or nested list), and the tape agrees', () => {
    const p = join(dir, 'p.json');
    const x = join(dir, 'x.json');
    writeFileSync(p, '{"W": [[1, 2, 3], [4, 5, 6]], "b": [0, 0, 1]}');
    writeFileSync(x, '{"X": [[1, 0]], "y": [5]}');
    const outs = (['compiled', 'tape'] as const).map((engine) => {
      const run = autodiff(['eval', program, '--params', p, '--inputs', x, '--json', '--engine', engine]);
      expect(run.status, run.stderr).toBe(0);
      return run.stdout;
    });
    expect(outs[0]).toBe('{"value": 16, "gradient": {"W": [[-8, 0, 0], [0, 0, 0]], "b": [-8, 0, 0]}}\n');
    expect(outs[1]).toBe(outs[0]);
  });

  it('a value of the wrong shape, sizes that disagree on a dimension, or a ragged list: exit 1 naming the value and both shapes', () => {
    const cases: [string, RegExp][] = [
      [`${params},X=[[1,0],[0,1],[1,1]],y=[1,2]`, /lin\.txt:2:18: error\[E216\]: dimension 'n' is 3 in 'X' but 2 in 'y': input 'y' should have shape \[n\] \(n = 3 from 'X'\), got \[2\]/],
      ['W=[[1,2],[4,5,6]],b=[0,0,1],X=[[1,0]],y=[1]', /lin\.txt:1:7: error\[E213\]: .*'W'.*ragged list: row 1 has 3 elements, row 0 has 2/],
      ['W=3,b=[0,0,1],X=[[1,0]],y=[1]', /error\[E215\]: param 'W' should have shape \[2, 3\], got \[\]/],
      [`${params},X=[[1,0,2]],y=[1]`, /error\[E215\]: input 'X' should have shape \[n, 2\]/],
      [`${params},X=[[1,0]]`, /error\[E201\]: .*'y'/],
    ];
    for (const [at, message] of cases) {
      const run = autodiff(['eval', program, '--at', at]);
      expect(run.status, at).toBe(1);
      expect(run.stderr, at).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
    }
  });

  it('a list given to a scalar program: its commas stay inside the value, and the message names both shapes', () => {
    const file = writeTemp(dir, 'scalar.txt', 'param a\ninput x\na * 2 * x\n');
    for (const [at, got] of [['a=[1,2],x=1', '[2]'], ['a=[1],x=1', '[1]']] as const) {
      const run = autodiff(['eval', file, '--at', at]);
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toContain(`scalar.txt:1:7: error[E215]: param 'a' should have shape [], got ${got}`);
    }
    expect(autodiff(['eval', file, '--json', '--at', 'a=3,x=2']).stdout).toBe('{"value": 12, "gradient": {"a": 4}}\n');
  });

  it('a program with an unused tensor input still gets the tensor layout (the input takes its 3 elements)', () => {
    const file = writeTemp(dir, 'unused-input.txt', 'param x\ninput X: [3], y\n(x - y)^2\n');
    for (const engine of ['compiled', 'tape']) {
      const run = autodiff(['eval', file, '--json', '--engine', engine, '--at', 'x=1,X=[1,2,3],y=3']);
      expect(run.stdout, run.stderr).toBe('{"value": 4, "gradient": {"x": -4}}\n');
    }
    expect(autodiff(['compile', file]).stdout).toContain('export const inputShapes = [[3], []] as const;');
  });

  it('a label outside onehot\'s range is the input\'s fault: exit 1 naming it, from both engines', () => {
    const softmax = join(REPO, 'examples/softmax.txt');
    for (const engine of ['compiled', 'tape']) {
      const run = autodiff(['eval', softmax, '--engine', engine, '--at', 'W=[[1,2,3],[4,5,6],[1,1,1],[0,0,0]],b=[0,0,0],X=[[1,2,3,4],[0,0,0,0]],y=[0,3]']);
      expect(run.status, engine).toBe(1);
      expect(run.stderr).toBe(`${softmax}: error[E227]: onehot: input 'y'[1] is 3, not an integer in [0, 3)\n`);
    }
  });

  it('fit trains the two-moons example from X[0], X[1], y columns', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${Math.cos(i)},${Math.sin(i) + (i % 2 ? 0.5 : -0.5)},${i % 2 ? 1 : -1}`);
    const data = writeTemp(dir, 'moons.csv', `X[0],X[1],y\n${rows.join('\n')}\n`);
    const run = autodiff(['fit', join(REPO, 'examples/moons.txt'), '--data', data, '--steps', '200']);
    expect(run.status, run.stderr).toBe(0);
    expect(Object.keys(JSON.parse(run.stdout) as object)).toEqual(['W1', 'b1', 'W2', 'b2', 'w3', 'b3']);
  });

  it('compile --emit ir prints the typed IR of a tensor program', () => {
    const run = autodiff(['compile', program, '--emit', 'ir']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('fn (params: W: f64[2,3], b: f64[3]; inputs: X: f64[n,2], y: f64[n]) {');
    expect(run.stdout).toMatch(/%\d+: f64\[n,3\] = matmul %2 %0/);
    expect(run.stdout).toMatch(/d\/dW = %\d+/);
  });
});
