/**
 * `autodiff check` on tensor programs (cli.md, v2): `--dims n=5,m=3` (default
 * 3), what the report says was compared, points replayable with `eval --at`,
 * exit 1 on a disagreement and on a bad `--dims`, exit 2 for a bad command
 * line; scalar programs print as before.
 */
import { describe, expect, it } from 'vitest';
import { autodiff, autodiffAsync, inBatches, tempDir, writeTemp } from './cli.js';

const dir = tempDir();
const MLP = writeTemp(dir, 'mlp.txt', [
  '# a 2-4-1 tanh network on a batch of n points, logistic loss',
  'param W1: [2, 4], b1: [4], w2: [4], b2',
  'input X: [n, 2], y: [n]',
  'h = tanh(X @ W1 + b1)',
  'score = h @ w2 + b2',
  'loss = mean(softplus(-y * score)) + 1e-3 * sum(W1^2)',
  '',
].join('\n'));
const TWO_DIMS = writeTemp(dir, 'two.txt', 'param W: [3, 2]\ninput A: [n, 3], B: [m, 2]\nlogsumexp(A @ W) + mean(log(B) * sum(W, axis=0))\n');
const CLASSES = writeTemp(dir, 'classes.txt', 'param W: [4, 3], b: [3]\ninput X: [n, 4], y: [n]\n-mean(sum(onehot(y, 3) * log_softmax(X @ W + b), axis=1))\n');

/** Table rows: point number, what, compiled, tape, finite diff, errors, verdict. */
const rows = (stdout: string) => stdout.split('\n').filter((l) => /^\d+ +\S+/.test(l)).map((l) => l.split(/ {2,}/));

describe('autodiff check --dims on a tensor program', () => {
  it('gives the dimension names the sizes given, checks every gradient element and says what it compared', () => {
    const run = autodiff(['check', MLP, '--dims', 'n=5', '--points', '3']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`checking ${MLP} at 3 points (seed 1), dimension sizes n=5\n`);
    // 2*4 + 4 + 4 + 1 = 17 gradient elements: 3 * (1 + 17 + 3) = 63 rows, over the 60 the table prints.
    expect(run.stdout).toMatch(/^ {2}point 1: 32 elements of 6 params and inputs \(--verbose lists them\)$/m);
    expect(run.stdout).toContain('(63 rows agree; --verbose prints them)');
    expect(run.stdout).toContain('compared: compiled vs tape on every gradient element (17 per point, of 4 params); '
      + 'finite differences on every element and along 3 random directions per point\n');
    expect(run.stdout).toMatch(/^ok: compiled, tape and finite differences agree at 3 points$/m);
  });

  it('with --verbose, one row per gradient element, named by its index, and each point as an --at list', () => {
    const run = autodiff(['check', MLP, '--dims', 'n=2', '--points', '1', '--verbose']);
    expect(run.status, run.stderr).toBe(0);
    const table = rows(run.stdout);
    expect(table.map((r) => r[1])).toEqual([
      '(value)', 'W1[0,0]', 'W1[0,1]', 'W1[0,2]', 'W1[0,3]', 'W1[1,0]', 'W1[1,1]', 'W1[1,2]', 'W1[1,3]',
      'b1[0]', 'b1[1]', 'b1[2]', 'b1[3]', 'w2[0]', 'w2[1]', 'w2[2]', 'w2[3]', 'b2', 'along d1', 'along d2', 'along d3',
    ]);
    for (const r of table) expect(r.at(-1)).toBe('ok');
    // The point, replayed with `autodiff eval`, gives the value and gradient in the table.
    const at = /^ {2}point 1: --at '(.*)'$/m.exec(run.stdout)![1]!;
    expect(at).toMatch(/^W1=\[\[\S+\],\[\S+\]\],b1=\[\S+\],w2=\[\S+\],b2=\S+,X=\[\[\S+,\S+\],\[\S+,\S+\]\],y=\[\S+,\S+\]$/);
    const replay = autodiff(['eval', MLP, '--at', at, '--json']);
    expect(replay.status, replay.stderr).toBe(0);
    const result = JSON.parse(replay.stdout) as { value: number; gradient: Record<string, number | number[] | number[][]> };
    expect(Number(table[0]![2])).toBeCloseTo(result.value, 10);
    expect(Number(table.find((r) => r[1] === 'W1[1,2]')![2])).toBeCloseTo((result.gradient.W1 as number[][])[1]![2]!, 10);
  });

  it('gives every dimension name 3 unless told, and takes several', () => {
    const byDefault = autodiff(['check', TWO_DIMS, '--points', '1', '--verbose']);
    expect(byDefault.status, byDefault.stderr).toBe(0);
    expect(byDefault.stdout).toContain('dimension sizes n=3, m=3');
    expect(byDefault.stdout).toMatch(/A=\[\[\S+,\S+,\S+\],\[\S+,\S+,\S+\],\[\S+,\S+,\S+\]\],B=\[\[\S+,\S+\],\[\S+,\S+\],\[\S+,\S+\]\]'$/m);
    const sized = autodiff(['check', TWO_DIMS, '--points', '1', '--dims', 'm=1, n=4']);
    expect(sized.status, sized.stderr).toBe(0);
    expect(sized.stdout).toContain('dimension sizes n=4, m=1');
    // B is drawn inside log's domain.
    const b = /B=(\[\[.*?\]\])/.exec(autodiff(['check', TWO_DIMS, '--points', '5', '--verbose']).stdout)![1]!;
    expect((JSON.parse(b) as number[][]).flat().every((v) => v > 0)).toBe(true);
  });

  it("draws onehot's labels as integers in [0, k)", () => {
    const run = autodiff(['check', CLASSES, '--dims', 'n=6', '--points', '2', '--verbose']);
    expect(run.status, run.stderr).toBe(0);
    for (const m of run.stdout.matchAll(/,y=(\[[^\]]*\])'$/gm)) {
      const labels = JSON.parse(m[1]!) as number[];
      expect(labels).toHaveLength(6);
      expect(labels.every((v) => Number.isInteger(v) && v >= 0 && v < 3)).toBe(true);
    }
    expect(run.stdout).toContain('(15 per point, of 2 params)');
  });

  it('exits 1 with FAIL rows naming tensor elements when the witnesses disagree', () => {
    const run = autodiff(['check', MLP, '--points', '1', '--tolerance', '1e-30']);
    expect(run.status).toBe(1);
    expect(rows(run.stdout).filter((r) => r.at(-1) === 'FAIL').map((r) => r[1])).toContain('W1[0,0]');
    expect(run.stdout).toMatch(/^FAIL: the witnesses disagree at 1 of 1 point$/m);
    expect(run.stderr).toContain(`${MLP}: error[E211]: gradient check failed at 1 of 1 point (see the table)`);
  });
});

describe('a bad --dims', () => {
  const cases: [string, string][] = [
    ['n=abc', "error[E224]: --dims item 'n=abc' is not NAME=SIZE: the size must be an integer from 1 to 1,000,000"],
    ['n=0', "error[E224]: --dims item 'n=0' is not NAME=SIZE: the size must be an integer from 1 to 1,000,000"],
    ['n=2.5', "error[E224]: --dims item 'n=2.5' is not NAME=SIZE: the size must be an integer from 1 to 1,000,000"],
    ['n=1000001', "error[E224]: --dims item 'n=1000001' is not NAME=SIZE: the size must be an integer from 1 to 1,000,000"],
    ['n', "error[E224]: --dims item 'n' is not NAME=SIZE: there is no '=' in it"],
    ['=4', "error[E224]: --dims item '=4' is not NAME=SIZE: no name before the '='"],
    ['2n=4', "error[E224]: --dims item '2n=4' is not NAME=SIZE: '2n' is not a name"],
    ['n=3,', "error[E224]: --dims item '' is not NAME=SIZE: it is empty"],
    ['m=3', "error[E225]: --dims names 'm', which is not a dimension name of this file (it has: n)"],
    ['n=2,n=3', "error[E226]: --dims gives 'n' more than once"],
  ];

  it(`is exit 1 with a message saying what is wrong (${cases.length} cases: bad text, unknown or repeated names)`, async () => {
    const runs = await inBatches(cases.map(([dims]) => () => autodiffAsync(['check', MLP, '--dims', dims])), 2);
    runs.forEach((run, i) => {
      const [dims, message] = cases[i]!;
      expect(run.status, dims).toBe(1);
      expect(run.stdout, dims).toBe('');
      expect(run.stderr, dims).toBe(`${MLP}: ${message}\n`);
    });
  });

  it('reports every problem of the list at once', () => {
    const run = autodiff(['check', MLP, '--dims', 'k=2,n=x']);
    expect(run.status).toBe(1);
    expect(run.stderr.split('\n').filter((l) => l !== '').map((l) => /error\[(E\d+)\]/.exec(l)![1])).toEqual(['E225', 'E224']);
  });

  it('on a program without dimension names, any name is unknown', () => {
    const scalar = writeTemp(dir, 'scalar.txt', 'param w\ninput x\ntanh(w * x)\n');
    const run = autodiff(['check', scalar, '--dims', 'n=3']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`${scalar}: error[E225]: --dims names 'n', which is not a dimension name of this file (it has none)\n`);
  });

  it('without a value, or given twice, is a usage error (exit 2)', () => {
    for (const args of [['--dims'], ['--dims', 'n=2', '--dims', 'n=3']]) {
      const run = autodiff(['check', MLP, ...args]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('--dims');
      expect(run.stderr).toContain('autodiff check   FILE [--points N] [--seed S] [--tolerance T] [--dims NAME=SIZE,...] [--verbose]');
    }
  });

  it('is described by check --help', () => {
    const run = autodiff(['check', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ {2}--dims <value> +Sizes of dimension names, NAME=SIZE,\.\.\. \(e\.g\. n=5,m=3; default 3 each\)$/m);
  });
});

describe('autodiff check on a scalar program', () => {
  it('prints no dimension sizes and lists each point as before', () => {
    const scalar = writeTemp(dir, 'neuron.txt', 'param w, b\ninput x\ntanh(w * x + b)\n');
    const run = autodiff(['check', scalar, '--points', '2']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`checking ${scalar} at 2 points (seed 1)`);
    expect(run.stdout).toMatch(/^ {2}point 1: --at w=\S+,b=\S+,x=\S+$/m);
    expect(run.stdout).toContain('compared: compiled vs tape on every gradient element (2 per point); finite differences on every element');
  });
});
