/**
 * Both engines at the points where formulas meet NaN, infinities, masks and
 * overflow, against PyTorch's answers (testing/torch-special-points.json,
 * written by scripts/torch-special-points.py with PyTorch 1.13 in float64)
 * and, where PyTorch's own formula loses the answer, against exact values.
 */
import { readFileSync } from 'node:fs';
import { compileSource, loadCompiled } from '@autodiff/compiler';
import { interpret } from '@autodiff/runtime';
import { describe, expect, it } from 'vitest';

type Json = number | 'NaN' | 'Infinity' | '-Infinity';
interface Case { source: string; at: Record<string, Json>; value: Json; gradient: Record<string, Json> }

const number = (v: Json) => (typeof v === 'number' ? v : Number(v));
const CASES = JSON.parse(readFileSync(new URL('./testing/torch-special-points.json', import.meta.url), 'utf8')) as Case[];

/** Value and gradient from each engine. */
function both(source: string, at: Record<string, number>): { engine: string; value: number; gradient: number[] }[] {
  const compilation = compileSource(source);
  const { checked, ir } = compilation;
  if (!checked || !ir) throw new Error(compilation.diagnostics.map((d) => d.message).join('; '));
  const p = Float64Array.from(checked.params, (r) => at[r.name]!);
  const grad = new Float64Array(p.length);
  const value = loadCompiled(ir).backwardFlat(p, new Float64Array(0), grad);
  const tape = interpret(checked, new Map(Object.entries(at)));
  return [
    { engine: 'compiled', value, gradient: [...grad] },
    { engine: 'tape', value: tape.value, gradient: checked.params.map((r) => tape.gradient.get(r.name)!) },
  ];
}

/** Equal, with NaN equal to NaN; finite values within `rel` relative. */
const agrees = (actual: number, expected: number, rel: number) =>
  Object.is(actual, expected) || actual === expected || (Number.isFinite(expected) && Math.abs(actual - expected) <= rel * Math.abs(expected));

describe("PyTorch's answers at NaN arguments, NaN and infinite cotangents, masks and zero powers", () => {
  it.each(CASES.map((c) => [`${c.source.split('\n').pop()} at ${JSON.stringify(c.at)}`, c] as const))('%s', (_, c) => {
    const at = Object.fromEntries(Object.entries(c.at).map(([k, v]) => [k, number(v)]));
    for (const r of both(c.source, at)) {
      expect(agrees(r.value, number(c.value), 1e-15), `${r.engine} value ${r.value}`).toBe(true);
      Object.values(c.gradient).forEach((g, i) => {
        expect(agrees(r.gradient[i]!, number(g), 1e-15), `${r.engine} gradient ${i}: ${r.gradient[i]}, PyTorch ${g}`).toBe(true);
      });
    }
  });
});

describe('where PyTorch loses the answer, both engines keep it', () => {
  it("gelu' at |x| up to 1e308 is its limit (PyTorch's formula overflows to NaN past ~1e154)", () => {
    for (const [x, slope] of [[1e200, 1], [-1e200, 0], [1e160, 1], [-1e160, 0], [1e300, 1], [40, 1]] as const) {
      for (const r of both('param x\ngelu(x)', { x })) expect(r.gradient[0], `${r.engine} at ${x}`).toBe(slope);
    }
  });

  it("tanh' keeps full relative precision where tanh rounds to 1 (PyTorch's 1 - tanh^2 does not)", () => {
    // sech(x)^2 at 50 digits (mpmath).
    const exact: [number, number][] = [[10, 8.2446144557673973746e-9], [20, 1.6993417021166355837e-17], [-15, 3.7430491875353693211e-13],
      [3, 0.0098660371654401912732], [0.5, 0.78644773296592741015]];
    for (const [x, slope] of exact) {
      for (const r of both('param x\ntanh(x)', { x })) {
        expect(Math.abs(r.gradient[0]! - slope) / slope, `${r.engine} at ${x}: ${r.gradient[0]}`).toBeLessThan(4 * Number.EPSILON);
      }
    }
  });
});
