import { describe, expect, it } from 'vitest';
import { Graph } from './graph.js';
import { opNamed } from './ops.js';
import { isConstantVariable, isPowerOfTwoAtLeastOne, parsePattern, SIMPLIFY_RULES, simplifier, type Pattern } from './simplify.js';

/** Values where floating point is least forgiving. */
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2, 0.5, -2.5, 3.7, 1e308, -1e308, 5e-324, 1e-300];

function evaluate(p: Pattern, env: Record<string, number>): number {
  switch (p.kind) {
    case 'num': return p.value;
    case 'var': return env[p.name]!;
    case 'op': return opNamed(p.op).eval!(...p.args.map((a) => evaluate(a, env)));
  }
}

function variables(p: Pattern, into = new Set<string>()): Set<string> {
  if (p.kind === 'var') into.add(p.name);
  if (p.kind === 'op') p.args.forEach((a) => variables(a, into));
  return into;
}

/** The same IEEE result, bit for bit (NaN payloads aside): the sign of a zero too. */
const same = (a: number, b: number) => Object.is(a, b);

describe('simplification rules', () => {
  for (const [lhsText, rhsText, guard] of SIMPLIFY_RULES) {
    it(`${lhsText} -> ${rhsText} gives the same result for every special value`, () => {
      const lhs = parsePattern(lhsText);
      const rhs = parsePattern(rhsText);
      const names = [...variables(lhs)];
      // Constants (k, k1, ...) range over special values and powers of two; the guard picks.
      const candidates = (name: string) => (isConstantVariable(name) ? [...SPECIAL, 4, -8, 2 ** 600, 0.25, 100, -3] : SPECIAL);
      const combos = names.reduce<Record<string, number>[]>(
        (acc, name) => acc.flatMap((env) => candidates(name).map((v) => ({ ...env, [name]: v }))), [{}])
        .filter((env) => !guard || guard(env));
      expect(combos.length).toBeGreaterThan(0);
      for (const env of combos) {
        const [a, b] = [evaluate(lhs, env), evaluate(rhs, env)];
        if (!same(a, b)) throw new Error(`${lhsText} at ${JSON.stringify(env)}: ${a} but ${rhsText} gives ${b}`);
      }
    });
  }

  it('rejects the unsafe rewrites it documents as absent', () => {
    const g = new Graph(simplifier);
    const x = g.param('x', 0);
    expect(g.mul(x, g.const(0)).op).toBe('mul'); // Inf * 0 is NaN, not 0
    expect(g.sub(x, x).op).toBe('sub'); // Inf - Inf is NaN
    expect(g.call('exp', g.call('log', x)).op).toBe('exp'); // NaN for x < 0
  });

  it('applies rules as nodes are made, to a fixed point', () => {
    const g = new Graph(simplifier);
    const x = g.param('x', 0);
    const y = g.param('y', 1);
    expect(g.neg(g.neg(x))).toBe(x);
    expect(g.mul(g.const(1), g.add(x, g.const(-0)))).toBe(x);
    expect(g.add(x, g.const(0)).op).toBe('add'); // -0 + 0 is +0
    expect(g.neg(g.sub(x, y)).op).toBe('neg'); // -(x - x) is -0, x - x is +0
    expect(g.add(x, g.neg(y))).toBe(g.sub(x, y));
    expect(g.mul(g.neg(x), g.neg(y))).toBe(g.mul(x, y));
    expect(g.pow(x, g.const(-1))).toBe(g.div(g.const(1), x));
    expect(g.neg(g.mul(g.const(2), x))).toBe(g.mul(g.const(-2), x));
    expect(g.mul(g.const(100), g.mul(g.const(2), x))).toBe(g.mul(g.const(200), x));
    expect(g.mul(g.const(2), g.mul(g.const(100), x)).args[0]!.value).toBe(2); // 100x rounds: not folded
  });

  it('knows which constants are exact scalings', () => {
    expect([1, 2, -4, 2 ** 1000].every(isPowerOfTwoAtLeastOne)).toBe(true);
    expect([0, 0.5, 3, -6, Infinity, NaN].some(isPowerOfTwoAtLeastOne)).toBe(false);
  });
});
