/**
 * Programs far larger and deeper than people write: nothing may overflow the
 * stack, and reverse mode must stay linear (gradient code ≤ 4x forward code).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autodiff, close, tempDir, writeTemp } from './cli.js';

const dir = tempDir();
const N = 100_000;

/** `x1 = sin(x0) * 0.5 + x0`, ... : a chain of N statements. */
function chain(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`x${i + 1} = sin(x${i}) * 0.5 + x${i}`);
  return lines.join('\n') + '\n';
}

/** The same chain evaluated directly, with its derivative by the chain rule. */
function chainReference(x0: number, n: number): { value: number; slope: number } {
  let x = x0;
  let slope = 1;
  for (let i = 0; i < n; i++) {
    slope *= 0.5 * Math.cos(x) + 1;
    x = Math.sin(x) * 0.5 + x;
  }
  return { value: x, slope };
}

function functionText(module: string, name: string): string {
  const start = module.indexOf(`export function ${name}(`);
  const end = module.indexOf('\n}\n', start);
  expect(start).toBeGreaterThanOrEqual(0);
  return module.slice(start, end + 2);
}

describe(`a chain of ${N} statements`, () => {
  const file = writeTemp(dir, 'chain.txt', chain(N));

  it('evaluates, with the gradient the chain rule gives', () => {
    const run = autodiff(['eval', file, '--at', 'x0=-3', '--json']);
    expect(run.status, run.stderr.slice(0, 2000)).toBe(0);
    const out = JSON.parse(run.stdout) as { value: number; gradient: { x0: number } };
    const want = chainReference(-3, N);
    expect(close(out.value, want.value)).toBe(true);
    expect(close(out.gradient.x0, want.slope, 1e-9, 1e-300)).toBe(true);
  });

  it('evaluates on the tape engine too', () => {
    const run = autodiff(['eval', file, '--at', 'x0=0.1', '--json', '--engine', 'tape']);
    expect(run.status, run.stderr.slice(0, 2000)).toBe(0);
    const out = JSON.parse(run.stdout) as { value: number; gradient: { x0: number } };
    const want = chainReference(0.1, N);
    expect(close(out.value, want.value)).toBe(true);
    expect(close(out.gradient.x0, want.slope, 1e-9, 1e-300)).toBe(true);
  });

  it('compiles to a gradient no more than 4 times the size of the forward', () => {
    const out = join(dir, 'chain.ts');
    const run = autodiff(['compile', file, '-o', out]);
    expect(run.status, run.stderr.slice(0, 2000)).toBe(0);
    const module = readFileSync(out, 'utf8');
    const forward = functionText(module, 'forwardFlat').length;
    const backward = functionText(module, 'backwardFlat').length;
    console.log(`chain of ${N}: forwardFlat ${forward} chars, backwardFlat ${backward} chars, ratio ${(backward / forward).toFixed(3)}`);
    expect(backward / forward).toBeLessThanOrEqual(4);
  });
});

describe('deep nesting', () => {
  it('100,000 open parentheses: a clear error, no crash', () => {
    const file = writeTemp(dir, 'parens.txt', `y = ${'('.repeat(100_000)}x${')'.repeat(100_000)}\n`);
    const run = autodiff(['compile', file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/parens\.txt:1:\d+: error\[E007\]: expression nested too deeply/);
    expect(run.stderr).not.toMatch(/RangeError|Maximum call stack/);
  });

  it('100,000 unclosed parentheses: a clear error', () => {
    const file = writeTemp(dir, 'open.txt', `y = ${'('.repeat(100_000)}x\n`);
    const run = autodiff(['compile', file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error\[E\d{3}\]: /);
    expect(run.stderr).not.toMatch(/RangeError|Maximum call stack/);
  });

  it('nesting up to the limit gives a correct answer', () => {
    const file = writeTemp(dir, 'limit.txt', `y = ${'sin('.repeat(200)}x${')'.repeat(200)}\n`);
    const run = autodiff(['eval', file, '--at', 'x=0.5', '--json']);
    expect(run.status, run.stderr).toBe(0);
    let x = 0.5;
    let slope = 1;
    for (let i = 0; i < 200; i++) {
      slope *= Math.cos(x);
      x = Math.sin(x);
    }
    const out = JSON.parse(run.stdout) as { value: number; gradient: { x: number } };
    expect(close(out.value, x)).toBe(true);
    expect(close(out.gradient.x, slope)).toBe(true);
  });

  it('long flat expressions: 100,000 terms, 100,000 signs and a 10,000-level power tower', () => {
    const sum = writeTemp(dir, 'sum.txt', Array.from({ length: N }, (_, i) => `${i % 7} * x`).join(' + ') + '\n');
    const sumRun = autodiff(['eval', sum, '--at', 'x=2', '--json']);
    expect(sumRun.status, sumRun.stderr.slice(0, 500)).toBe(0);
    let coefficient = 0;
    for (let i = 0; i < N; i++) coefficient += i % 7;
    expect(JSON.parse(sumRun.stdout)).toEqual({ value: 2 * coefficient, gradient: { x: coefficient } });

    const signs = writeTemp(dir, 'signs.txt', `${'-'.repeat(N)}x\n`);
    const signsRun = autodiff(['eval', signs, '--at', 'x=3', '--json']);
    expect(signsRun.status, signsRun.stderr.slice(0, 500)).toBe(0);
    expect(JSON.parse(signsRun.stdout)).toEqual({ value: 3, gradient: { x: 1 } });

    const tower = writeTemp(dir, 'tower.txt', `x${'^1'.repeat(10_000)}\n`);
    const towerRun = autodiff(['eval', tower, '--at', 'x=3', '--json']);
    expect(towerRun.status, towerRun.stderr.slice(0, 500)).toBe(0);
    expect(JSON.parse(towerRun.stdout)).toEqual({ value: 3, gradient: { x: 1 } });
  });
});
