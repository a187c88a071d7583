/**
 * The two engines agree everywhere, not only inside each op's domain: random
 * programs at points that include huge, tiny, zero and non-finite values.
 * The value must be bit for bit the same, the sign of a zero too; each
 * gradient entry must agree to 1e-12 relative, or be the same non-finite
 * value, except where the one deliberate deviation (sharedTapeGradient) applies. PyTorch decides what the right answer
 * is where they could differ (NaN arguments, masks, overflow); see README.
 *
 * fast-check draws a new seed each run and prints it on failure;
 * AUTODIFF_DIFFERENTIAL_SEED=<seed> replays it.
 */
import { compileSource, loadCompiled, type Compilation } from '@autodiff/compiler';
import { topoOrder, valueOf } from '@autodiff/ir';
import { BINARY_OPERATIONS, interpret, UNARY_OPERATIONS, Value } from '@autodiff/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { programArb } from './testing/random-programs.js';

/** Values where formulas overflow, underflow, cancel or meet NaN. */
const SPECIAL = [0, -0, 1, -1, 0.5, -2, 3, 10, -10, 40, -40, 710, -710, 1e-8, -1e-8, 1e-300, -1e-300, 5e-324,
  1e20, -1e20, 1e160, -1e160, 1e200, -1e200, 1e300, -1e300, Number.MAX_VALUE, NaN, Infinity, -Infinity];
const valueArb = fc.oneof(fc.constantFrom(...SPECIAL), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ noDefaultInfinity: true }));

export const GRADIENT_TOLERANCE = 1e-12;
/** Below this, results are subnormal or nearly so and carry too few digits for a relative comparison. */
const TINY = 1e-300;

/** The same number, bit for bit (NaN payloads aside): the simplifier keeps even the sign of a zero. */
const sameValue = (a: number, b: number) => Object.is(a, b);

function sameGradient(a: number, b: number): boolean {
  if (sameValue(a, b)) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= Math.max(TINY, GRADIENT_TOLERANCE * Math.max(Math.abs(a), Math.abs(b)));
}

const SOURCE_OPERATOR: Readonly<Record<string, string>> = { add: '+', sub: '-', mul: '*', div: '/' };

/**
 * The tape engine's gradient of the program as the compiler sees it: each
 * node of the simplified, hash-consed IR becomes one tape node, built by the
 * tape's own operations. It explains the one deliberate difference between
 * the engines: sharing and simplification regroup the arithmetic. That only
 * shows where rounding is coarse (cotangents near the bottom of the
 * subnormal range) or where a zero cotangent meets an infinite local derivative:
 * - sharing: the compiled gradient of a subexpression written twice is
 *   (g1 + g2) d, the tape's g1 d + g2 d; with g1 = 0 and d = inf the first is
 *   inf, the second NaN;
 * - simplification: x^-1 becomes 1/x, whose derivative -(g/x)/x is 0 for
 *   g = 0 where the power rule's 0 * (-1 * x^-2) overflows to 0 * inf = NaN.
 * PyTorch computes as the tape does. Everywhere else the engines agree.
 */
function sharedTapeGradient(compilation: Compilation, point: ReadonlyMap<string, number>): number[] {
  const checked = compilation.checked!;
  const fn = compilation.stages!.find((s) => s.pass === 'simplify')!.ir;
  const results = new Map<number, Value | number>();
  const leaves = new Map<string, Value>();
  const leaf = (name: string) => {
    let v = leaves.get(name);
    if (!v) leaves.set(name, (v = new Value(point.get(name)!)));
    return v;
  };
  const asValue = (r: Value | number) => (r instanceof Value ? r : new Value(r));
  for (const node of topoOrder([valueOf(fn)])) {
    let r: Value | number;
    if (node.op === 'const') r = node.value!;
    else if (node.op === 'param' || node.op === 'input') r = leaf(node.name!);
    else {
      const args = node.args.map((a) => results.get(a.id)!);
      const unary = node.op === 'neg' ? (x: Value) => x.neg() : UNARY_OPERATIONS.get(node.op);
      const binary = BINARY_OPERATIONS.get(SOURCE_OPERATOR[node.op] ?? node.op);
      const out = unary ? unary(asValue(args[0]!)) : binary!(asValue(args[0]!), args[1]!);
      r = args.every((a) => typeof a === 'number') ? out.data : out;
    }
    results.set(node.id, r);
  }
  const root = asValue(results.get(valueOf(fn).id)!);
  root.backward();
  return checked.params.map((p) => leaves.get(p.name)?.grad ?? 0);
}

const replay = process.env.AUTODIFF_DIFFERENTIAL_SEED;
const PROGRAMS = Number(process.env.AUTODIFF_DIFFERENTIAL_RUNS ?? 3000);
const POINTS = 6;

describe('compiled code and the tape engine agree bit for bit, also at extreme and non-finite points', () => {
  it(`${PROGRAMS} random programs at ${POINTS} points each`, () => {
    let compared = 0;
    let sharing = 0;
    const property = fc.property(programArb, fc.array(fc.array(valueArb, { minLength: 5, maxLength: 5 }), { minLength: POINTS, maxLength: POINTS }),
      ({ source }, points) => {
        const compilation = compileSource(source);
        const { checked, ir } = compilation;
        expect(checked && ir, source).toBeTruthy();
        const compiled = loadCompiled(ir!);
        const names = [...checked!.params, ...checked!.inputs].map((r) => r.name);
        for (const values of points) {
          const point = new Map(names.map((n, i) => [n, values[i]!]));
          const p = Float64Array.from(checked!.params, (r) => point.get(r.name)!);
          const x = Float64Array.from(checked!.inputs, (r) => point.get(r.name)!);
          const grad = new Float64Array(p.length);
          const value = compiled.backwardFlat(p, x, grad);
          const tape = interpret(checked!, point);
          const where = `${source}at ${[...point].map(([k, v]) => `${k}=${v}`).join(', ')}`;
          expect(sameValue(value, tape.value), `value: compiled ${value}, tape ${tape.value}; ${where}`).toBe(true);
          expect(sameValue(compiled.forwardFlat(p, x), value), `forwardFlat vs backwardFlat; ${where}`).toBe(true);
          let shared: number[] | undefined;
          checked!.params.forEach((r, i) => {
            const t = tape.gradient.get(r.name)!;
            if (sameGradient(grad[i]!, t)) return;
            shared ??= sharedTapeGradient(compilation, point);
            // Explained when the tape, run on the compiler's own graph, gives what the compiled code gives.
            const explained = sameGradient(grad[i]!, shared[i]!);
            expect(explained, `d/d${r.name}: compiled ${grad[i]}, tape ${t}, tape with shared nodes ${shared[i]}; ${where}`).toBe(true);
            sharing++;
          });
          compared++;
        }
      });
    fc.assert(property, { numRuns: PROGRAMS, ...(replay === undefined ? {} : { seed: Number(replay) }) });
    expect(compared).toBe(PROGRAMS * POINTS);
    console.log(`${compared} points compared; ${sharing} gradient entries differ, each explained by the tape run on the compiler's own graph (sharing, simplification)`);
  });
});
