/**
 * micrograd's own tests (test_engine.py), written as source programs, through
 * the compiled code and the tape engine. The expected numbers are the ones
 * micrograd's tests check against PyTorch.
 */
import { compileSource, loadCompiled } from '@autodiff/compiler';
import { interpret } from '@autodiff/runtime';
import { describe, expect, it } from 'vitest';
import { checkGradient } from './index.js';

const SANITY_CHECK = `
param x
z = 2 * x + 2 + x
q = relu(z) + z * x
h = relu(z * z)
y = h + q + q * x
`;

// micrograd mutates c, d and g in place; single assignment needs new names.
const MORE_OPS = `
param a, b
c = a + b
d = a * b + b**3
c2 = c + c + 1
c3 = c2 + 1 + c2 + (-a)
d2 = d + d * 2 + relu(b + a)
d3 = d2 + 3 * d2 + relu(b - a)
e = c3 - d3
f = e**2
g = f / 2.0
g2 = g + 10.0 / f
`;

interface Case {
  name: string;
  source: string;
  at: Record<string, number>;
  value: number;
  gradient: Record<string, number>;
}

const cases: Case[] = [
  { name: 'sanity check', source: SANITY_CHECK, at: { x: -4 }, value: -20, gradient: { x: 46 } },
  {
    name: 'more ops', source: MORE_OPS, at: { a: -4, b: 2 },
    value: 24.70408163265306, gradient: { a: 138.83381924198252, b: 645.5772594752186 },
  },
];

/** Within 1e-12 relative: these are short chains of exact-ish arithmetic. */
function expectClose(actual: number | undefined, expected: number, what: string) {
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

describe.each(cases)('micrograd $name', ({ source, at, value, gradient }) => {
  const compilation = compileSource(source);
  const values = new Map(Object.entries(at));

  it('compiled', () => {
    expect(compilation.diagnostics).toEqual([]);
    const result = loadCompiled(compilation.ir!).backward(at);
    expectClose(result.value, value, 'value');
    for (const [name, want] of Object.entries(gradient)) expectClose(result.grad[name] as number, want, `d/d${name}`);
  });

  it('tape', () => {
    const result = interpret(compilation.checked!, values);
    expectClose(result.value, value, 'value');
    for (const [name, want] of Object.entries(gradient)) expectClose(result.gradient.get(name), want, `d/d${name}`);
  });

  it('passes checkGradient (compiled = tape = finite differences)', () => {
    const check = checkGradient(compilation, at);
    expect(check.params.map((p) => p.name)).toEqual(Object.keys(gradient));
    expect(check.ok, JSON.stringify(check.params)).toBe(true);
  });
});
