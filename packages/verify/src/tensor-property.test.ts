/**
 * Property-based cross-check of tensor programs (v2): random well-typed
 * programs (random shapes with and without dimension names, broadcasting,
 * reductions over random axes with keepdims, `@`, softmax and log_softmax,
 * indexing and slicing, stacking, transpose, reshape, onehot) on which the
 * compiled gradient and the tape's agree element by element to 1e-12
 * (relative, or the same non-finite value), and both agree with central
 * finite differences on the elements (up to 64) and along 3 random directions.
 * A wrong vjp rule for `sum` or for `@`, planted through the op table a
 * `PassContext` carries, must be caught.
 *
 * fast-check draws a new seed each run and prints it when the property
 * fails; AUTODIFF_PROPERTY_SEED=<seed> replays that run.
 */
import { compileSource, DEFAULT_CONTEXT, type PassContext } from '@autodiff/compiler';
import { opNamed, type OpDef } from '@autodiff/ir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkPrepared, differencePlan, FINITE_DIFFERENCE_TOLERANCE, pointValueText, prepare, samplePoints, seededRandom,
} from './index.js';
import { SOURCE_OPS } from './testing/op-source.js';
import { gradientScale, relativeError } from './tolerance.js';
import { TENSOR_FEATURES, tensorProgramArb } from './testing/random-tensor-programs.js';

/**
 * Compiled vs tape: 1e-12 of max(|a|, |b|), or of the gradient scale
 * max(1, |f|) near zero (numpy's allclose with rtol = atol = 1e-12, scaled).
 * The engines add the terms of a sum in different orders (a matrix product,
 * a reduction, a broadcast operand's cotangent), so a gradient that cancels
 * to ~0, such as that of sum(softmax(x)), is a few rounding errors of its
 * terms' size in both, not the same ones.
 */
const ENGINE_AGREEMENT = 1e-12;
const engineError = (a: number, b: number, value: number) => relativeError(a, b, gradientScale(value, 0));

interface RunStats {
  programs: number;
  checked: number;
  covered: Set<string>;
  elements: number;
  worstEngineError: number;
  worstFiniteDifferenceError: number;
}

const newStats = (): RunStats => ({
  programs: 0, checked: 0, covered: new Set(), elements: 0, worstEngineError: 0, worstFiniteDifferenceError: 0,
});

function tensorAgreement(stats: RunStats, context: PassContext = DEFAULT_CONTEXT) {
  return fc.property(tensorProgramArb, fc.nat(), ({ source, dims, features }, seed) => {
    stats.programs++;
    const compilation = compileSource(source, context);
    expect(compilation.diagnostics.filter((d) => d.severity === 'error'), source).toEqual([]);
    const program = prepare(compilation);
    // Params have literal shapes: their element count does not depend on the dimension sizes.
    const size = program.checked.params.reduce((n, p) => n + p.shape.reduce((a: number, d) => a * (d as number), 1), 0);
    const plan = differencePlan(size, seededRandom(seed));
    const [point] = samplePoints(program, { count: 1, seed, attempts: 30, plan, dims });
    if (!point) return; // nowhere finite and well-conditioned (say, 0/0 after a cancelling broadcast)
    stats.checked++;
    stats.elements += size;
    for (const f of features) stats.covered.add(f);
    const check = checkPrepared(program, point, FINITE_DIFFERENCE_TOLERANCE, plan);
    const sizes = [...dims].map(([d, n]) => `${d}=${n}`).join(',');
    const where = `${source}${sizes === '' ? '' : `with --dims ${sizes} `}at --at '${[...point].map(([k, v]) => `${k}=${pointValueText(v)}`).join(',')}'`;
    const valueError = relativeError(check.value.compiled, check.value.tape, 1);
    expect(valueError, `value: compiled ${check.value.compiled}, tape ${check.value.tape}; ${where}`).toBeLessThanOrEqual(ENGINE_AGREEMENT);
    const value = check.value.compiled;
    for (const p of check.params) {
      const detail = `${p.name}: compiled ${p.compiled}, tape ${p.tape}, finite differences ${p.finiteDifference ?? '-'}; ${where}`;
      const error = engineError(p.compiled, p.tape, value);
      stats.worstEngineError = Math.max(stats.worstEngineError, error);
      expect(error, detail).toBeLessThanOrEqual(ENGINE_AGREEMENT);
      if (p.finiteDifferenceError === undefined) continue;
      stats.worstFiniteDifferenceError = Math.max(stats.worstFiniteDifferenceError, p.finiteDifferenceError);
      expect(p.finiteDifferenceError, detail).toBeLessThanOrEqual(FINITE_DIFFERENCE_TOLERANCE);
    }
    expect(check.params.filter((p) => p.finiteDifference !== undefined)).toHaveLength(Math.min(size, 64));
    expect(check.directions).toHaveLength(size > 0 ? 3 : 0);
    for (const d of check.directions) {
      const detail = `along direction ${d.index + 1}: compiled ${d.compiled}, tape ${d.tape}, finite differences ${d.finiteDifference}; ${where}`;
      const error = engineError(d.compiled, d.tape, value);
      stats.worstEngineError = Math.max(stats.worstEngineError, error);
      stats.worstFiniteDifferenceError = Math.max(stats.worstFiniteDifferenceError, d.finiteDifferenceError);
      expect(error, detail).toBeLessThanOrEqual(ENGINE_AGREEMENT);
      expect(d.finiteDifferenceError, detail).toBeLessThanOrEqual(FINITE_DIFFERENCE_TOLERANCE);
    }
  });
}

const replay = process.env.AUTODIFF_PROPERTY_SEED;
const seedOption = replay === undefined ? {} : { seed: Number(replay) };

const RUNS = 600;

/** The op table with one rule replaced. */
const withRule = (name: string, vjp: OpDef['vjp']): PassContext => {
  const broken: OpDef = { ...opNamed(name), vjp };
  return { ops: (op) => (op === name ? broken : opNamed(op)) };
};

describe('random tensor programs: compiled vs tape vs finite differences', () => {
  it(`agree on ${RUNS} random programs, element by element and along random directions`, () => {
    const stats = newStats();
    const started = performance.now();
    fc.assert(tensorAgreement(stats), { numRuns: RUNS, ...seedOption });
    const seconds = (performance.now() - started) / 1000;
    console.log(`${stats.programs} random tensor programs, ${stats.checked} with a usable point (${stats.elements} gradient elements), `
      + `in ${seconds.toFixed(1)} s; worst relative errors: compiled vs tape ${stats.worstEngineError.toExponential(1)}, `
      + `vs finite differences ${stats.worstFiniteDifferenceError.toExponential(1)}`);
    expect(stats.checked).toBeGreaterThanOrEqual(RUNS * 0.9);
    // The generator must not quietly stop writing a feature, nor point sampling drop one.
    const wanted = [...TENSOR_FEATURES, ...SOURCE_OPS.map((o) => o.name)];
    expect(wanted.filter((f) => !stats.covered.has(f))).toEqual([]);
  });

  it('catches a wrong rule for sum (the cotangent doubled), naming the program, the point and a seed to replay', () => {
    const sum = opNamed('sum');
    const context = withRule('sum', (b, args, out, g) => sum.vjp(b, args, out, b.mul(g, b.const(2))));
    const result = fc.check(tensorAgreement(newStats(), context), { numRuns: RUNS, endOnFailure: true });
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/p\d(\[[\d,]+\])?: compiled .*\bat --at '/s);
    expect(fc.defaultReportMessage(result)).toMatch(/seed: -?\d+/);
  });

  it("catches a wrong rule for @ (the right operand's cotangent negated) in a program with @", () => {
    const matmul = opNamed('matmul');
    const context = withRule('matmul', (b, args, out, g) => {
      const [left, right] = matmul.vjp(b, args, out, g);
      return [left!, b.neg(right!)];
    });
    const result = fc.check(tensorAgreement(newStats(), context), { numRuns: RUNS, endOnFailure: true });
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/ @ /);
  });
});
