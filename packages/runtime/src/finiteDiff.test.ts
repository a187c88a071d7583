import { describe, it, expect } from 'vitest';
import { finiteDifferenceGradient } from './finiteDiff.js';

describe('finiteDifferenceGradient', () => {
  it('is exact to rounding for a quadratic (central differences have no h^2 term error there)', () => {
    const f = (x: Float64Array) => 3 * x[0]! * x[0]! - 2 * x[0]! * x[1]! + x[1]!;
    const g = finiteDifferenceGradient(f, Float64Array.of(1.5, -2));
    expect(g[0]).toBeCloseTo(6 * 1.5 + 4, 8);
    expect(g[1]).toBeCloseTo(-3 + 1, 8);
  });

  it('reaches ~1e-10 accuracy on smooth functions', () => {
    const f = (x: Float64Array) => Math.sin(x[0]!) * Math.exp(x[1]!) + x[2]! ** 3;
    const at = Float64Array.of(0.7, -0.3, 2);
    const g = finiteDifferenceGradient(f, at);
    const exact = [Math.cos(0.7) * Math.exp(-0.3), Math.sin(0.7) * Math.exp(-0.3), 3 * 4];
    for (let i = 0; i < 3; i++) expect(Math.abs(g[i]! - exact[i]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(exact[i]!)));
  });

  it('scales the step with |x| (large coordinates still work)', () => {
    const g = finiteDifferenceGradient((x) => x[0]! * x[0]!, Float64Array.of(1e8));
    expect(Math.abs(g[0]! - 2e8) / 2e8).toBeLessThan(1e-9);
  });

  it('leaves its input unchanged and returns one entry per coordinate', () => {
    const at = Float64Array.of(1, 2, 3);
    const g = finiteDifferenceGradient((x) => x[0]! + 2 * x[1]! + 3 * x[2]!, at);
    expect(Array.from(at)).toEqual([1, 2, 3]);
    expect(g.length).toBe(3);
  });
});
