/**
 * `autodiff check`: the built CLI on every example, its exit statuses, and
 * (in process, with a doctored op table) the failing report.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONTEXT, type PassContext } from '@autodiff/compiler';
import { registeredCodes } from '@autodiff/diagnostics';
import { describe, expect, it, vi } from 'vitest';
import { checkCommand } from './check-command.js';
import { CLI_DIAGNOSTICS } from './diagnostics.js';
import { InputError } from './failures.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = join(REPO, 'packages/cli/dist/autodiff.mjs');
const EXAMPLES = join(REPO, 'examples');

function autodiff(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 30 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'autodiff-check-'));
process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));
/** Runs `command` with stdout captured: what it printed, and what it threw. */
function runCaptured(command: () => void): { printed: string; error: unknown } {
  const written: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  let error: unknown;
  try {
    command();
  } catch (e) {
    error = e;
  } finally {
    out.mockRestore();
  }
  return { printed: written.join(''), error };
}

function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe('autodiff check on the examples', () => {
  const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.txt')).sort();

  it('has examples to check', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('%s: exits 0 and prints the summary, and with --verbose the table', (name) => {
    const run = autodiff('check', join('examples', name), '--verbose');
    expect(run.stderr.split('\n').filter((l) => / error/.test(l))).toEqual([]);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`checking examples/${name} at 5 points (seed 1)`);
    expect(run.stdout).toMatch(/^point +param +compiled +tape +finite diff +tape err +fd err$/m);
    // A tensor program's gradient elements are counted with its params, and a large one is differenced on a sample.
    expect(run.stdout).toMatch(/^compared: compiled vs tape on every gradient element \([\d,]+ per point(, of \d+ params)?\); finite differences on (every element|64 of the [\d,]+ elements \(a seeded sample\))/m);
    expect(run.stdout).toMatch(/^ok: compiled, tape and finite differences agree at 5 points$/m);
    expect(run.stdout).not.toContain('FAIL');
  });
});

describe('autodiff check', () => {
  const neuron = join('examples', 'neuron.txt');

  it('prints one row per point for the value and for each param', () => {
    const run = autodiff('check', neuron, '--points', '3', '--seed', '11');
    expect(run.status).toBe(0);
    const rows = run.stdout.split('\n').filter((l) => /^\d+ +\S+ +-?\d/.test(l));
    expect(rows.map((r) => r.split(/ +/).slice(0, 2).join(' '))).toEqual(
      [1, 2, 3].flatMap((i) => ['(value)', 'w1', 'w2', 'b'].map((p) => `${i} ${p}`)),
    );
    for (const row of rows) expect(row).toMatch(/ ok$/);
    // Every point is printed as an --at list that `autodiff eval` accepts.
    expect(run.stdout.match(/^ {2}point \d: --at w1=\S+,w2=\S+,b=\S+,x1=\S+,x2=\S+,y=\S+$/gm)).toHaveLength(3);
  });

  it('is reproducible with --seed, and another seed checks other points', () => {
    const a = autodiff('check', neuron, '--seed', '5', '--points', '2');
    expect(autodiff('check', neuron, '--seed', '5', '--points', '2').stdout).toBe(a.stdout);
    expect(autodiff('check', neuron, '--seed', '6', '--points', '2').stdout).not.toBe(a.stdout);
  });

  it('uses --tolerance for finite differences, and fails (exit 1) when no difference can meet it', () => {
    const tight = autodiff('check', neuron, '--points', '1', '--tolerance', '1e-30');
    expect(tight.stdout).toContain('at most 1e-30');
    expect(tight.status).toBe(1);
  });

  it('reports bad input with file:line:col and exit 1, without a stack trace', () => {
    const run = autodiff('check', file('bad.txt', 'y = 2 *\n'));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/bad\.txt:1:8: error\[E006\]: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
    const missing = autodiff('check', join(scratch, 'missing.txt'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/missing\.txt:1:1: error\[E205\]: cannot read file/);
  });

  it('says so (exit 1) when it finds no usable point', () => {
    const run = autodiff('check', file('nowhere.txt', 'log(-exp(x))\n'), '--points', '1');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/nowhere\.txt: error\[E210\]: found no point where the function/);
  });

  it.each([
    ['--points', '0'], ['--points', '2.5'], ['--seed', '-1'], ['--tolerance', 'tiny'],
  ])('rejects %s %s as a usage error (exit 2)', (flag, value) => {
    const run = autodiff('check', neuron, flag, value);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(flag);
    expect(run.stderr).toContain('autodiff check   FILE [--points N] [--seed S] [--tolerance T]');
  });
});

describe('autodiff check with a wrong gradient rule', () => {
  // The command compiles with the op table it is given; users always get the real one.
  const table = DEFAULT_CONTEXT.ops;
  const brokenSin = { ...table('sin'), vjp: ((b, [x], _out, g) => [b.mul(g, b.call('sin', x!))]) as ReturnType<typeof table>['vjp'] };
  const broken: PassContext = { ops: (name) => (name === 'sin' ? brokenSin : table(name)) };

  it('prints FAIL rows naming the param and throws the exit-1 error', () => {
    const path = file('wave.txt', 'param w, b\ninput x\nsin(w * x) + b\n');
    const { printed, error } = runCaptured(() => checkCommand(path, { points: 3 }, broken));
    expect(error).toBeInstanceOf(InputError); // main() prints its lines and exits 1
    expect((error as InputError).lines).toEqual([`${path}: error[E211]: gradient check failed at 3 of 3 points (see the table)`]);
    const rows = printed.split('\n').filter((l) => /^\d+ /.test(l));
    const failing = rows.filter((r) => r.endsWith('FAIL') && !/ along /.test(r));
    expect(failing.map((r) => r.split(/ +/)[1])).toEqual(['w', 'w', 'w']);
    expect(rows.filter((r) => / b /.test(r)).every((r) => r.endsWith(' ok'))).toBe(true);
    expect(rows.filter((r) => / along d\d /.test(r))).toHaveLength(9); // 3 directions at each of 3 points
    expect(printed).toMatch(/^FAIL: the witnesses disagree at 3 of 3 points$/m);
  });
});

describe('autodiff check on a tensor program with a wrong gradient rule', () => {
  const table = DEFAULT_CONTEXT.ops;
  const matmul = table('matmul');
  // The right operand of @ gets the negated cotangent.
  const brokenMatmul = { ...matmul, vjp: ((b, args, out, g) => {
    const [left, right] = matmul.vjp(b, args, out, g);
    return [left!, b.neg(right!)];
  }) as typeof matmul.vjp };
  const broken: PassContext = { ops: (name) => (name === 'matmul' ? brokenMatmul : table(name)) };

  it('prints FAIL rows naming the elements of the right operand, at the sizes --dims gives', () => {
    const path = file('layer.txt', 'param W: [2, 3], b: [3]\ninput X: [n, 2]\nsum(tanh(X @ W + b))\n');
    const { printed, error } = runCaptured(() => checkCommand(path, { points: 2, dims: 'n=4' }, broken));
    expect((error as InputError).lines).toEqual([`${path}: error[E211]: gradient check failed at 2 of 2 points (see the table)`]);
    expect(printed).toContain('at 2 points (seed 1), dimension sizes n=4\n');
    const rows = printed.split('\n').filter((l) => /^\d+ /.test(l));
    const failing = rows.filter((r) => r.endsWith('FAIL') && !/ along /.test(r)).map((r) => r.split(/ +/)[1]);
    const elements = ['W[0,0]', 'W[0,1]', 'W[0,2]', 'W[1,0]', 'W[1,1]', 'W[1,2]'];
    expect(failing).toEqual([...elements, ...elements]); // at each of the 2 points
    expect(rows.filter((r) => / b\[\d\] /.test(r)).every((r) => r.endsWith(' ok'))).toBe(true);
  });
});

describe("check's rows of the diagnostics table for --dims", () => {
  it('are errors E224 to E226, each registered to the CLI', () => {
    const rows = (['badDims', 'unknownDim', 'duplicateDim'] as const).map((kind) => [kind, CLI_DIAGNOSTICS[kind]] as const);
    expect(rows.map(([, r]) => r.code)).toEqual(['E224', 'E225', 'E226']);
    for (const [kind, row] of rows) {
      expect(registeredCodes().get(row.code)).toBe(`cli.${kind}`);
      expect(row.severity).toBe('error');
    }
  });
});

describe('autodiff check on a large model', () => {
  it('4,000 params: finite differences on a sample of 64 and 3 directions, a summary, in seconds', () => {
    const names = Array.from({ length: 4000 }, (_, i) => `p${i}`);
    const path = file('big.txt', `param ${names.join(', ')}\nz = ${names.map((n) => `sin(${n})`).join(' + ')}\n`);
    const started = performance.now();
    const run = autodiff('check', path, '--points', '1');
    expect(performance.now() - started).toBeLessThan(30_000); // it took over 120 s when every param was differenced
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('finite differences on 64 of the 4,000 elements (a seeded sample) and along 3 random directions per point');
    expect(run.stdout).toContain('point 1: 4,000 params and inputs (--verbose lists them)');
    expect(run.stdout.split('\n').length).toBeLessThan(30);
    const verbose = autodiff('check', path, '--verbose', '--points', '1');
    expect(verbose.stdout.split('\n').filter((l) => /^1 +p\d+ /.test(l))).toHaveLength(4000);
    expect(verbose.stdout.split('\n').filter((l) => /^1 +p\d+ .* - +\S+ +- +ok$/.test(l))).toHaveLength(4000 - 64);
  });
});
