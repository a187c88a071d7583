/**
 * Both engines on tensor programs where formulas meet NaN, infinities, ties
 * and huge values, against PyTorch's answers (testing/torch-tensor-special-points.json,
 * written by scripts/torch-tensor-special-points.py with PyTorch 1.13 in float64).
 */
import { readFileSync } from 'node:fs';
import { compileSource, loadCompiled } from '@autodiff/compiler';
import { interpretTensor } from '@autodiff/runtime';
import { describe, expect, it } from 'vitest';

type Json = number | 'NaN' | 'Infinity' | '-Infinity';
type Nested = Json | Nested[];
interface Case { source: string; at: Record<string, Nested>; value: Json; gradient: Record<string, Nested> }

const CASES = JSON.parse(readFileSync(new URL('./testing/torch-tensor-special-points.json', import.meta.url), 'utf8')) as Case[];
const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [typeof v === 'number' ? v : Number(v)]);
const shapeOf = (v: Nested): number[] => (Array.isArray(v) ? [v.length, ...shapeOf(v[0]!)] : []);

/** Equal, with NaN equal to NaN; finite values within 1e-9 relative (PyTorch's own rounding differs a little). */
const agrees = (actual: number, expected: number) =>
  Object.is(actual, expected) || actual === expected || (Number.isFinite(expected) && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)));

describe("PyTorch's answers for tensor programs at NaN, infinities, ties and huge values", () => {
  it.each(CASES.map((c) => [`${c.source.split('\n').pop()} at ${JSON.stringify(c.at)}`, c] as const))('%s', (_, c) => {
    const { checked, ir, diagnostics } = compileSource(c.source);
    if (!checked || !ir) throw new Error(diagnostics.map((d) => d.message).join('; '));
    const p = Float64Array.from(checked.params.flatMap((v) => flat(c.at[v.name]!)));
    const grad = new Float64Array(p.length);
    const compiled = { value: loadCompiled(ir).backwardFlat(p, new Float64Array(0), grad), gradient: [...grad] };
    const values = new Map(checked.params.map((v) => [v.name, { shape: shapeOf(c.at[v.name]!), data: Float64Array.from(flat(c.at[v.name]!)) }]));
    const t = interpretTensor(checked, values, new Map());
    const tape = { value: t.value, gradient: checked.params.flatMap((v) => [...t.gradient.get(v.name)!.data]) };
    const want = checked.params.flatMap((v) => flat(c.gradient[v.name]!));
    for (const [engine, r] of [['compiled', compiled], ['tape', tape]] as const) {
      expect(agrees(r.value, flat(c.value)[0]!), `${engine} value ${r.value}`).toBe(true);
      r.gradient.forEach((g, i) => expect(agrees(g, want[i]!), `${engine} gradient[${i}] ${g}, PyTorch ${want[i]}`).toBe(true));
    }
  });
});
