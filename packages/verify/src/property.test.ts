/**
 * Property-based cross-check: random well-formed programs (nesting, bindings
 * used several times, every op of the table, params and inputs) on which the
 * compiled gradient, the tape and central differences must agree.
 *
 * fast-check draws a new seed each run and prints it when the property
 * fails; AUTODIFF_PROPERTY_SEED=<seed> replays that run.
 */
import { compileSource, DEFAULT_CONTEXT, type PassContext } from '@autodiff/compiler';
import { opNamed, type OpDef } from '@autodiff/ir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkPrepared, prepare, samplePoints, ENGINE_TOLERANCE, FINITE_DIFFERENCE_TOLERANCE,
} from './index.js';
import { SOURCE_OPS } from './testing/op-source.js';
import { programArb } from './testing/random-programs.js';

interface RunStats {
  programs: number;
  checked: number;
  covered: Set<string>;
  worstEngineError: number;
  worstFiniteDifferenceError: number;
}

const newStats = (): RunStats => ({
  programs: 0, checked: 0, covered: new Set(), worstEngineError: 0, worstFiniteDifferenceError: 0,
});

/** The property: at a sampled point, every value and gradient entry agrees across the three witnesses. */
function agreementProperty(stats: RunStats, context: PassContext = DEFAULT_CONTEXT) {
  return fc.property(programArb, fc.nat(), ({ source, ops }, seed) => {
    stats.programs++;
    const compilation = compileSource(source, context);
    expect(compilation.diagnostics.filter((d) => d.severity === 'error'), source).toEqual([]);
    const program = prepare(compilation);
    // Every element (these programs are small); directions are check's concern, tested in check-gradient.test.ts.
    const plan = { elements: program.checked.params.map((_, i) => i), directions: [] };
    const [point] = samplePoints(program, { count: 1, seed, attempts: 30, plan });
    if (!point) return; // nowhere finite and well-conditioned (e.g. log(-exp(p0))): nothing to compare
    stats.checked++;
    for (const op of ops) stats.covered.add(op);
    const check = checkPrepared(program, point, FINITE_DIFFERENCE_TOLERANCE, plan);
    const where = `${source}at ${[...point].map(([k, v]) => `${k}=${v}`).join(',')}`;
    expect(check.value.error, `value: compiled ${check.value.compiled}, tape ${check.value.tape}; ${where}`)
      .toBeLessThanOrEqual(ENGINE_TOLERANCE);
    const rows = check.params.map((p) => ({ ...p, what: `d/d${p.name}` }));
    for (const p of rows) {
      expect(p.finiteDifferenceError, `${p.what} has a finite difference`).toBeDefined();
      stats.worstEngineError = Math.max(stats.worstEngineError, p.engineError);
      stats.worstFiniteDifferenceError = Math.max(stats.worstFiniteDifferenceError, p.finiteDifferenceError!);
      const detail = `${p.what}: compiled ${p.compiled}, tape ${p.tape}, finite differences ${p.finiteDifference}; ${where}`;
      expect(p.engineError, detail).toBeLessThanOrEqual(ENGINE_TOLERANCE);
      expect(p.finiteDifferenceError, detail).toBeLessThanOrEqual(FINITE_DIFFERENCE_TOLERANCE);
    }
  });
}

const replay = process.env.AUTODIFF_PROPERTY_SEED;
const seedOption = replay === undefined ? {} : { seed: Number(replay) };

const RUNS = 5000;

describe('random programs: compiled vs tape vs finite differences', () => {
  it(`agree on ${RUNS} random programs`, () => {
    const stats = newStats();
    const started = performance.now();
    fc.assert(agreementProperty(stats), { numRuns: RUNS, ...seedOption });
    const seconds = (performance.now() - started) / 1000;
    console.log(`${stats.programs} random programs, ${stats.checked} with a usable point, in ${seconds.toFixed(1)} s; `
      + `worst relative errors: compiled vs tape ${stats.worstEngineError.toExponential(1)}, `
      + `vs finite differences ${stats.worstFiniteDifferenceError.toExponential(1)}`);
    expect(stats.checked).toBeGreaterThanOrEqual(2000);
    // Point sampling must not quietly drop an op (say, every program that uses acos).
    expect([...stats.covered].sort()).toEqual(SOURCE_OPS.map((o) => o.name).sort());
  });

  it('fails, naming the program, the point and a seed to replay, when one vjp rule is wrong', () => {
    const brokenSin: OpDef = {
      ...opNamed('sin'),
      vjp: (b, [x], _out, g) => [b.mul(g, b.call('sin', x!))], // should be cos
    };
    const context: PassContext = { ops: (name) => (name === 'sin' ? brokenSin : opNamed(name)) };
    const result = fc.check(agreementProperty(newStats(), context), { numRuns: RUNS });
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/d\/dp\d: compiled .*sin\(/s);
    expect(fc.defaultReportMessage(result)).toMatch(/seed: -?\d+/);
  });
});
