/** `autodiff fit` on tensor programs (cli.md, v2): per-row and batch programs, x[0]... columns, onehot labels, nested params. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autodiff, tempDir, writeTemp } from './cli.js';

const dir = tempDir();

/** A seeded stream in [0, 1). */
function stream(seed: number) {
  let s = seed;
  return () => ((s = (s * 16807) % 2147483647) / 2147483647);
}

describe('autodiff fit with tensors', () => {
  it('a per-row program reads x[0], x[1] for x: [2] and finds the line the data comes from', () => {
    const r = stream(3);
    const rows = Array.from({ length: 40 }, () => { const [a, b] = [2 * r() - 1, 2 * r() - 1]; return `${a},${b},${3 * a - 2 * b + 0.5}`; });
    const data = writeTemp(dir, 'line.csv', `x[0],x[1],y\n${rows.join('\n')}\n`);
    const program = writeTemp(dir, 'line.txt', 'param w: [2], b\ninput x: [2], y\n(w @ x + b - y)^2\n');
    const run = autodiff(['fit', program, '--data', data, '--steps', '3000', '--lr', '0.05']);
    expect(run.status, run.stderr).toBe(0);
    const params = JSON.parse(run.stdout) as { w: number[]; b: number };
    expect(params.w[0]).toBeCloseTo(3, 6);
    expect(params.w[1]).toBeCloseTo(-2, 6);
    expect(params.b).toBeCloseTo(0.5, 6);
    // eval --data: the mean over the rows, at saved params (here the exact line: 0).
    const saved = writeTemp(dir, 'line.json', run.stdout);
    const scored = autodiff(['eval', program, '--params', saved, '--data', data]);
    expect(scored.status, scored.stderr).toBe(0);
    expect(scored.stdout).toMatch(/^value: \S+ \(mean over 40 rows\)\n$/);
    expect(Number(/^value: (\S+)/.exec(scored.stdout)![1])).toBeLessThan(1e-10);
  });

  it('a batch program gets the batch at once, writes nested params that eval and --params read back', () => {
    const r = stream(5);
    const rows = Array.from({ length: 60 }, (_, i) => {
      const c = i % 3;
      return `${Math.cos(2.1 * c) + 0.2 * (r() - 0.5)},${Math.sin(2.1 * c) + 0.2 * (r() - 0.5)},${c}`;
    });
    const data = writeTemp(dir, 'classes.csv', `X[0],X[1],y\n${rows.join('\n')}\n`);
    const program = writeTemp(dir, 'softmax.txt', 'param W: [2, 3], b: [3]\ninput X: [n, 2], y: [n]\n-mean(sum(onehot(y, 3) * log_softmax(X @ W + b), axis=1))\n');
    const out = join(dir, 'softmax.json');
    const run = autodiff(['fit', program, '--data', data, '--steps', '300', '--lr', '0.1', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/final loss (\S+) \(the output over 60 rows\)/);
    const loss = Number(/final loss (\S+)/.exec(run.stderr)![1]);
    expect(loss).toBeLessThan(0.05);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as { W: number[][]; b: number[] };
    expect(saved.W.length).toBe(2);
    expect(saved.W[0]!.length).toBe(3);
    expect(saved.b.length).toBe(3);
    const evaluated = autodiff(['eval', program, '--params', out, '--at', 'X=[[1,0]],y=[0]', '--json']);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    // Resuming from the saved params, in mini-batches of 16 rows: the loss stays where the run left it.
    const resumed = autodiff(['fit', program, '--data', data, '--steps', '20', '--lr', '0.01', '--params', out, '--batch', '16']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(Number(/final loss (\S+)/.exec(resumed.stderr)![1])).toBeLessThan(0.05);
    // eval over the data file at the saved params: the loss fit reported.
    const scored = autodiff(['eval', program, '--params', out, '--data', data, '--json']);
    expect(scored.status, scored.stderr).toBe(0);
    const score = JSON.parse(scored.stdout) as { value: number; rows: number };
    expect(score.rows).toBe(60);
    expect(score.value).toBeCloseTo(loss, 5);
    expect(autodiff(['eval', program, '--data', data]).status).toBe(2); // no --params
    const bad = writeTemp(dir, 'bad-params.json', '{"W": [1, 2, 3], "b": [0, 0, 0]}');
    const wrong = autodiff(['fit', program, '--data', data, '--params', bad]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/error\[E230\]: param 'W' should have shape \[2, 3\], the file gives \[3\]/);
  });

  it('tensor params start as glorot for matrices and 0 for vectors and scalars; --init he or uniform:A for every param', () => {
    const program = writeTemp(dir, 'init.txt', 'param W: [4, 6], b: [6], c\nsum(W) * c + sum(b)\n');
    const start = (...init: string[]) => {
      const run = autodiff(['fit', program, '--steps', '0', ...init]);
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as { W: number[][]; b: number[]; c: number };
    };
    const glorot = start();
    expect(glorot.W.flat().every((v) => Math.abs(v) < Math.sqrt(6 / 10) && v !== 0)).toBe(true);
    expect([...glorot.b, glorot.c]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    const he = start('--init', 'he');
    expect(he.b.every((v) => v !== 0)).toBe(true);
    const uniform = start('--init', 'uniform:0.01');
    expect([...uniform.W.flat(), ...uniform.b, uniform.c].every((v) => Math.abs(v) <= 0.01)).toBe(true);
  });

  it('labels for onehot are checked before training: a bad one is reported at its line and field', () => {
    // y is the first field here, and a blank line moves the rows after it down.
    const data = writeTemp(dir, 'labels.csv', 'y,X[0],X[1]\n0,1,0\n3,0,1\n\n1.5,1,1\n');
    const program = writeTemp(dir, 'labels.txt', 'param W: [2, 3]\ninput X: [n, 2], y: [n]\n-mean(sum(onehot(y, 3) * log_softmax(X @ W), axis=1))\n');
    const run = autodiff(['fit', program, '--data', data]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${data}:3:1: error[E229]: 3 in column 'y' is not a label of onehot(y, 3), an integer in [0, 3)`);
    expect(run.stderr).toContain(`${data}:5:1: error[E229]: 1.5 in column 'y' is not a label`);
    const last = writeTemp(dir, 'labels-last.csv', 'X[0],X[1],y\n1,0,0\n0,1,3\n');
    expect(autodiff(['fit', program, '--data', last]).stderr).toContain(`${last}:3:3: error[E229]: 3 in column 'y'`);
  });

  it('a program that is neither per-row nor batch says which kinds fit trains', () => {
    const data = writeTemp(dir, 'two.csv', 'u,v\n1,2\n');
    const program = writeTemp(dir, 'two.txt', 'param a\ninput U: [n, 1], V: [1, m]\nmean(a * U * V)\n');
    const run = autodiff(['fit', program, '--data', data]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error\[E228\]: fit trains a per-row program .* or a batch program/);
  });
});
