/**
 * `autodiff predict --value NAME` and `compile --export NAME`: any binding's
 * value over a data file, checked against values computed by hand from the
 * saved params.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { autodiff, REPO, tempDir, writeTemp } from './cli.js';

const dir = tempDir();

/** CSV text as a header and rows of numbers. */
function parseCsv(text: string): { header: string[]; rows: number[][] } {
  const [head, ...lines] = text.trimEnd().split('\n');
  return { header: head!.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

const TWO_LAYER = `param W: [2, 3], b: [3], v: [3]
input X: [n, 2], y: [n]
h = tanh(X @ W + b)
score = h @ v
loss = mean((score - y)^2)
`;
const PARAMS = { W: [[0.5, -1, 0.25], [2, 0.1, -0.3]], b: [0.1, -0.2, 0.3], v: [1, -2, 0.5] };
const ROWS = [[1, 2, 0.5], [-0.5, 0.25, -1], [3, -1, 2]];

/** h and score by hand for one row of ROWS. */
function byHand(row: number[]): { h: number[]; score: number } {
  const h = [0, 1, 2].map((j) => Math.tanh(row[0]! * PARAMS.W[0]![j]! + row[1]! * PARAMS.W[1]![j]! + PARAMS.b[j]!));
  return { h, score: h.reduce((s, hj, j) => s + hj * PARAMS.v[j]!, 0) };
}

describe('autodiff predict', () => {
  const program = writeTemp(dir, 'two.txt', TWO_LAYER);
  const params = writeTemp(dir, 'two.json', JSON.stringify(PARAMS));
  const data = writeTemp(dir, 'two.csv', `X[0],X[1],y\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);

  it("prints a batch program's bindings row by row along the batch dimension, one column per element", () => {
    const run = autodiff(['predict', program, '--params', params, '--data', data, '--value', 'score', '--value', 'h']);
    expect(run.status, run.stderr).toBe(0);
    const { header, rows } = parseCsv(run.stdout);
    expect(header).toEqual(['score', 'h[0]', 'h[1]', 'h[2]']);
    expect(rows).toHaveLength(ROWS.length);
    rows.forEach((cells, r) => {
      const want = byHand(ROWS[r]!);
      expect(cells[0]).toBeCloseTo(want.score, 14);
      want.h.forEach((hj, j) => expect(cells[1 + j]).toBeCloseTo(hj, 14));
    });
  });

  it('needs only the columns the bindings read: new rows without labels', () => {
    const unlabelled = writeTemp(dir, 'unlabelled.csv', `X[0],X[1]\n${ROWS.map((r) => `${r[0]},${r[1]}`).join('\n')}\n`);
    const run = autodiff(['predict', program, '--params', params, '--data', unlabelled, '--value', 'score']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const labelled = autodiff(['predict', program, '--params', params, '--data', data, '--value', 'score']);
    expect(run.stdout).toBe(labelled.stdout);
    // A binding that reads the labels needs them.
    const perRow = writeTemp(dir, 'per-row.txt', 'param w\ninput x, y\nr = w * x - y\nr^2\n');
    const missing = autodiff(['predict', perRow, '--params', writeTemp(dir, 'w.json', '{"w": 2}'), '--data', writeTemp(dir, 'x.csv', 'x\n1\n'), '--value', 'r']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/x\.csv:1:\d+: error\[D\d+\]: .*'y'/);
  });

  it('runs a per-row program once per row (a v1 program too)', () => {
    const neuron = join(REPO, 'examples/neuron.txt');
    const saved = writeTemp(dir, 'neuron.json', '{"w1": 0.5, "w2": -1, "b": 0.1}');
    const rows = writeTemp(dir, 'neuron.csv', 'x1,x2,y\n1,2,0.3\n-1,0.5,0\n');
    const run = autodiff(['predict', neuron, '--params', saved, '--data', rows, '--value', 'h', '--value', 'loss']);
    expect(run.status, run.stderr).toBe(0);
    const { header, rows: out } = parseCsv(run.stdout);
    expect(header).toEqual(['h', 'loss']);
    const h = [Math.tanh(0.5 - 2 + 0.1), Math.tanh(-0.5 - 0.5 + 0.1)];
    expect(out[0]![0]).toBeCloseTo(h[0]!, 15);
    expect(out[0]![1]).toBeCloseTo((h[0]! - 0.3) ** 2, 15);
    expect(out[1]![0]).toBeCloseTo(h[1]!, 15);
    expect(out[1]![1]).toBeCloseTo(h[1]! ** 2, 15);
  });

  it('a per-row vector binding gets x[0]... columns, quoted where they hold commas', () => {
    const matrix = writeTemp(dir, 'outer.txt', 'param a\ninput x: [2]\nm = a * [[x[0], x[1]], [x[1], x[0]]]\nsum(m)\n');
    const saved = writeTemp(dir, 'outer.json', '{"a": 2}');
    const rows = writeTemp(dir, 'outer.csv', 'x[0],x[1]\n1,3\n');
    const run = autodiff(['predict', matrix, '--params', saved, '--data', rows, '--value', 'm']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('"m[0,0]","m[0,1]","m[1,0]","m[1,1]"\n2,6,6,2\n');
  });

  it('refuses what it cannot print, naming the binding', () => {
    const notPerRow = autodiff(['predict', program, '--params', params, '--data', data, '--value', 'loss']);
    expect(notPerRow.status).toBe(1);
    expect(notPerRow.stderr).toMatch(/error\[E234\]: --value 'loss' has shape \[\], not one value per row/);
    // The batch dimension in a later axis too: [n, n] is not one value per row.
    const gram = writeTemp(dir, 'gram.txt', 'param w: [2]\ninput X: [n, 2], y: [n]\nK = X @ transpose(X)\ns = X @ w\nmean((s - y)^2) + 0 * sum(K)\n');
    const square = autodiff(['predict', gram, '--params', writeTemp(dir, 'gram.json', '{"w": [1, 2]}'), '--data', data, '--value', 'K', '--value', 's']);
    expect(square.status).toBe(1);
    expect(square.stderr).toMatch(/error\[E234\]: --value 'K' has shape \[n, n\], not one value per row/);
    const typo = autodiff(['predict', program, '--params', params, '--data', data, '--value', 'scor']);
    expect(typo.status).toBe(1);
    expect(typo.stderr).toMatch(/error\[E232\]: --value names 'scor', which is not a binding of this file; did you mean 'score'\? \(its bindings: h, score, loss\)/);
    for (const args of [['--params', params, '--data', data], ['--data', data, '--value', 'h'], ['--params', params, '--value', 'h']]) {
      const usage = autodiff(['predict', program, ...args]);
      expect(usage.status).toBe(2);
      expect(usage.stderr).toMatch(/^autodiff: predict needs --(value|params|data)/);
    }
  });
});

describe('autodiff compile --export', () => {
  const program = writeTemp(dir, 'exported.txt', TWO_LAYER);

  it('adds typed functions for the binding: NAME(p, x) returns it, NAMEFlat writes it', async () => {
    const out = join(dir, 'exported.ts');
    const run = autodiff(['compile', program, '--export', 'score', '--export', 'h', '-o', out]);
    expect(run.status, run.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('export function score(p: Params, x: Inputs): Float64Array {');
    expect(text).toContain('export function scoreFlat(p: Float64Array, x: Float64Array, out: Float64Array, dim_n: number): void {');
    expect(text).toContain('export function h(p: Params, x: Inputs): Float64Array {');
    const js = join(dir, 'exported.mjs');
    expect(autodiff(['compile', program, '--export', 'score', '--emit', 'js', '-o', js]).status).toBe(0);
    const m = (await import(pathToFileURL(js).href)) as {
      score: (p: object, x: object) => Float64Array;
      scoreFlat: (p: Float64Array, x: Float64Array, out: Float64Array, n: number) => void;
    };
    const p = { W: Float64Array.from(PARAMS.W.flat()), b: Float64Array.from(PARAMS.b), v: Float64Array.from(PARAMS.v) };
    const x = { X: Float64Array.from(ROWS.flatMap((r) => [r[0]!, r[1]!])), y: Float64Array.from(ROWS.map((r) => r[2]!)) };
    const scores = m.score(p, x);
    expect(scores).toHaveLength(ROWS.length);
    ROWS.forEach((row, r) => expect(scores[r]).toBeCloseTo(byHand(row).score, 14));
    const flat = new Float64Array(ROWS.length);
    m.scoreFlat(Float64Array.from([...p.W, ...p.b, ...p.v]), Float64Array.from([...x.X, ...x.y]), flat, ROWS.length);
    expect([...flat]).toEqual([...scores]);
  });

  it('the module with exports passes tsc --strict, scalar and tensor bindings, a v1 program too', () => {
    const files = [join(dir, 'exported.ts'), join(dir, 'neuron-h.ts')];
    expect(autodiff(['compile', program, '--export', 'score', '--export', 'h', '-o', files[0]!]).status).toBe(0);
    expect(autodiff(['compile', join(REPO, 'examples/neuron.txt'), '--export', 'h', '-o', files[1]!]).status).toBe(0);
    const consumer = join(dir, 'consumer.ts');
    writeFileSync(consumer, [
      "import * as two from './exported.js';",
      "import * as neuron from './neuron-h.js';",
      'export const s: Float64Array = two.score({} as two.Params, {} as two.Inputs);',
      'export const h: number = neuron.h({ w1: 1, w2: 2, b: 3 }, { x1: 1, x2: 2, y: 0 });',
    ].join('\n'));
    const tsc = join(dirname(createRequire(join(REPO, 'package.json')).resolve('typescript/package.json')), 'bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '--strict', '--noEmit', '--target', 'ES2022', '--module', 'ESNext', '--moduleResolution', 'bundler',
      '--noUncheckedIndexedAccess', '--noUnusedLocals', ...files, consumer], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
  });

  it('reports many unknown exports as the program\'s diagnostics are: the first 50, then a count', () => {
    const many = autodiff(['compile', program, ...Array.from({ length: 60 }, (_, i) => ['--export', `zz${i}`]).flat()]);
    expect(many.status).toBe(1);
    const lines = many.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(51);
    expect(lines[50]).toMatch(/: \.\.\. and 10 more errors like this \[E232\]$/);
  });

  it('any other name makes a module that imports and computes the binding', async () => {
    for (const name of ['score', 'h', 'Flat', 'p', 'x', 'out', 'f0', 'i0', 'acc', 'dims', 'value', 'grad', '_', 'b0x', 'sigmoid_']) {
      const file = writeTemp(dir, 'named.txt', `param w\ninput x0\n${name} = w * x0\nloss = ${name}^2\n`);
      const js = join(dir, `named-${name}.mjs`);
      const run = autodiff(['compile', file, '--export', name, '--emit', 'js', '-o', js]);
      expect(run.status, `${name}: ${run.stderr}`).toBe(0);
      const m = (await import(pathToFileURL(js).href)) as Record<string, (p: object, x: object) => number>;
      expect(m[name]!({ w: 3 }, { x0: 2 }), name).toBe(6);
      expect(m.forward!({ w: 3 }, { x0: 2 }), name).toBe(36);
    }
  });

  it('refuses a binding that does not exist or whose name the module already uses', () => {
    const missing = autodiff(['compile', program, '--export', 'scroe']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/error\[E232\]: --export names 'scroe', which is not a binding of this file; did you mean 'score'\?/);
    for (const [name, why] of [['new', /'new' is a reserved word in JavaScript/], ['Math', /would hide JavaScript's own 'Math'/], ['sech2', /may define a helper 'sech2'/]] as const) {
      const file = writeTemp(dir, `unsafe-${name}.txt`, `param w\ninput x\n${name} = w * x\n${name}^2\n`);
      const refused = autodiff(['compile', file, '--export', name]);
      expect(refused.status, name).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`error\\[E233\\]: cannot export '${name}': .*${why.source}`));
    }
    // Exported, a binding the output does not use is evaluated: no W201 for it.
    const unused = writeTemp(dir, 'unused.txt', 'param w\ninput x\nh = w * x\nw^2\n');
    expect(autodiff(['compile', unused]).stderr).toMatch(/W201/);
    expect(autodiff(['compile', unused, '--export', 'h']).stderr).toBe('');
    const clash = writeTemp(dir, 'clash.txt', 'param w\ninput x\nvalueIn = w * x\nvalueIn^2\n');
    const taken = autodiff(['compile', clash, '--export', 'valueIn']);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toMatch(/error\[E233\]: cannot export 'valueIn': the module already defines 'valueIn'; rename the binding/);
  });
});
