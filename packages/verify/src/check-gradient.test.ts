import { compileSource, type PassContext } from '@autodiff/compiler';
import { opNamed, type OpDef } from '@autodiff/ir';
import { describe, expect, it } from 'vitest';
import { checkGradient, checkPrepared, checkProgram, differencePlan, prepare, ProgramError, samplePoints, seededRandom } from './index.js';

/** A test-only copy of the op table in which sin's derivative is +sin instead of cos. */
const brokenSin: OpDef = { ...opNamed('sin'), vjp: (b, [x], _out, g) => [b.mul(g, b.call('sin', x!))] };
const BROKEN: PassContext = { ops: (name) => (name === 'sin' ? brokenSin : opNamed(name)) };

describe('checkGradient', () => {
  it('reports every witness for every param of a correct program', () => {
    const check = checkGradient('param w, b\ninput x\ntanh(w * x + b)\n', { w: 0.5, b: -0.25, x: 2 });
    const t = Math.tanh(0.75);
    const exact = { w: 2 * (1 - t * t), b: 1 - t * t };
    expect(check.ok).toBe(true);
    expect(check.value.compiled).toBeCloseTo(t, 15);
    expect(check.params.map((p) => p.name)).toEqual(['w', 'b']);
    for (const p of check.params) {
      const want = exact[p.name as 'w' | 'b'];
      expect(Math.abs(p.compiled - want)).toBeLessThan(1e-15);
      expect(Math.abs(p.tape - want)).toBeLessThan(1e-15);
      expect(Math.abs(p.finiteDifference! - want)).toBeLessThan(1e-9); // a small program: every element is differenced
      expect(p.engineError).toBeLessThan(1e-15);
      expect(p.finiteDifferenceError).toBeLessThan(1e-9);
    }
    expect(check.tolerance).toEqual({ engines: 1e-9, finiteDifferences: 1e-6 });
  });

  it('takes a point as a Map or a plain object, and a compilation in place of source', () => {
    const compilation = compileSource('x^3\n');
    const fromMap = checkGradient(compilation, new Map([['x', 2]]));
    const fromObject = checkGradient('x^3\n', { x: 2 });
    expect(fromMap.params).toEqual(fromObject.params);
    expect(fromMap.params[0]!.compiled).toBe(12);
  });

  it('catches a wrong vjp rule and names the param whose gradient is wrong', () => {
    const source = 'param a, b\nsin(a) * b\n';
    const point = { a: 0.7, b: 1.3 };
    expect(checkGradient(source, point).ok).toBe(true);
    const check = checkGradient(source, point, { context: BROKEN });
    expect(check.ok).toBe(false);
    const [a, b] = check.params;
    expect(a).toMatchObject({ name: 'a', ok: false });
    expect(a!.compiled).toBeCloseTo(Math.sin(0.7) * 1.3, 14); // the broken rule's answer
    expect(a!.tape).toBeCloseTo(Math.cos(0.7) * 1.3, 14); // the tape is independent of the table
    expect(a!.engineError).toBeGreaterThan(0.1);
    expect(a!.finiteDifferenceError).toBeGreaterThan(0.1);
    expect(b).toMatchObject({ name: 'b', ok: true }); // d/db = sin(a) does not use sin's rule
  });

  it('applies the tolerance it is given to finite differences', () => {
    // At 1e-14 no central difference can pass; compiled vs tape still must agree to 1e-9.
    const check = checkGradient('exp(sin(x))\n', { x: 0.3 }, { tolerance: 1e-14 });
    expect(check.tolerance.finiteDifferences).toBe(1e-14);
    expect(check.params[0]!.engineError).toBeLessThanOrEqual(1e-9);
    expect(check.ok).toBe(false);
  });

  it('throws a ProgramError carrying the diagnostics of a program that does not compile', () => {
    let error: unknown;
    try {
      checkGradient('x = 1 +\n', {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProgramError);
    expect((error as ProgramError).diagnostics[0]).toMatchObject({ severity: 'error', span: { start: 7 } });
  });
});

describe('samplePoints', () => {
  it('is reproducible from its seed, and another seed gives other points', () => {
    const source = 'param w1, w2\ninput x\ntanh(w1 * x) * w2\n';
    const first = samplePoints(source, { count: 5, seed: 42 });
    expect(samplePoints(source, { count: 5, seed: 42 })).toEqual(first);
    expect(samplePoints(source, { count: 5, seed: 43 })).not.toEqual(first);
    expect(first).toHaveLength(5);
    expect([...first[0]!.keys()]).toEqual(['w1', 'w2', 'x']);
  });

  it("draws a variable from the domain of the op it feeds", () => {
    const points = samplePoints('log(x) + asin(y) + sqrt(z)\n', { count: 50, seed: 1 });
    expect(points).toHaveLength(50);
    for (const p of points) {
      expect(p.get('x')).toBeGreaterThanOrEqual(0.1); // log: uniform(0.1, 5)
      expect(Math.abs(p.get('y') as number)).toBeLessThanOrEqual(0.95); // asin: uniform(-0.95, 0.95)
      expect(p.get('z')).toBeGreaterThanOrEqual(0.05); // sqrt: uniform(0.05, 5)
    }
  });

  it('keeps only points where the function is finite (log(x - 2) needs x > 2)', () => {
    const points = samplePoints('log(x - 2)\n', { count: 20, seed: 3 });
    expect(points).toHaveLength(20);
    for (const p of points) expect(p.get('x')).toBeGreaterThan(2);
  });

  it('stays away from kinks, poles and saturation, where finite differences are no witness', () => {
    // Each is smooth almost everywhere but has a kink, pole or flat region inside the draws.
    const nasty = ['abs(x - 0.5) * y', 'relu(x * y - 1)', 'max(x, y) + min(x, 2 * y)', '1 / (x - 1)', 'tan(3 * x)', 'log1p(tanh(10 * x))'];
    for (const source of nasty) {
      const points = samplePoints(`${source}\n`, { count: 30, seed: 7 });
      expect(points.length, source).toBe(30);
      for (const p of points) expect(checkGradient(`${source}\n`, p).ok, `${source} at ${[...p]}`).toBe(true);
    }
  });

  it('rejects points where the tape meets an infinite derivative', () => {
    // sqrt'(0) is infinite; the function is identically 0 but the chain rule gives inf * 0.
    expect(samplePoints('sqrt(x - x)\n', { count: 1, seed: 1, attempts: 20 })).toEqual([]);
  });

  it('gives up, returning fewer points, where no draw works', () => {
    expect(samplePoints('log(-exp(x))\n', { count: 3, seed: 1, attempts: 10 })).toEqual([]);
  });
});

describe('checkProgram', () => {
  it('passes a correct program and fails one compiled with a wrong rule, at the same points', () => {
    const source = 'param w, b\ninput x\nsin(w * x) + b * x\n';
    const good = checkProgram(source, { points: 4, seed: 9 });
    const bad = checkProgram(source, { points: 4, seed: 9, context: BROKEN });
    expect(good.ok).toBe(true);
    expect(good.checks).toHaveLength(4);
    expect(bad.ok).toBe(false);
    expect(bad.checks.map((c) => c.point)).toEqual(good.checks.map((c) => c.point));
    for (const c of bad.checks) expect(c.params.filter((p) => !p.ok).map((p) => p.name)).toEqual(['w']);
  });
});

describe('seededRandom', () => {
  it('gives the same numbers in [0, 1) for the same seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });
});

describe('the finite differences a check takes', () => {
  it('every element of a small program, a seeded sample of 64 of a large one, and 3 directions', () => {
    expect(differencePlan(10, seededRandom(1)).elements).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const plan = differencePlan(4000, seededRandom(1));
    expect(plan.elements).toHaveLength(64);
    expect(new Set(plan.elements).size).toBe(64);
    expect([...plan.elements].sort((a, b) => a - b)).toEqual(plan.elements);
    expect(plan.elements.every((i) => i >= 0 && i < 4000)).toBe(true);
    expect(differencePlan(4000, seededRandom(1))).toEqual(plan);
    expect(plan.directions).toHaveLength(3);
    for (const d of plan.directions) expect(Math.max(...d.map(Math.abs))).toBe(1);
  });

  it('a wrong rule on a param outside the sample is still caught, along the random directions', () => {
    const n = 100;
    const source = `param ${Array.from({ length: n }, (_, i) => `p${i}`).join(', ')}\nsin(p7) + ${Array.from({ length: n - 1 }, (_, i) => `p${i + 1}`).join(' + ')} + p0\n`;
    const program = prepare(source, BROKEN);
    let seed = 1;
    while (differencePlan(n, seededRandom(seed)).elements.includes(7)) seed++;
    const plan = differencePlan(n, seededRandom(seed));
    const point = new Map(Array.from({ length: n }, (_, i) => [`p${i}`, 0.1 * (i % 7) + 0.3] as const));
    const check = checkPrepared(program, point, 1e-6, plan);
    expect(check.params.filter((p) => p.finiteDifference !== undefined).every((p) => p.finiteDifferenceError! <= 1e-6)).toBe(true);
    expect(check.directions.some((d) => !d.ok)).toBe(true);
    expect(check.ok).toBe(false);
  });
});
