/**
 * A tensor program too large for one function (V8 optimises none of a few
 * thousand lines) is generated in parts: it agrees with the tape engine bit
 * for bit, and its parts are of bounded size.
 */
import { compileSource, emitModule, loadCompiled } from '@autodiff/compiler';
import { interpretTensor } from '@autodiff/runtime';
import { describe, expect, it } from 'vitest';

/** A residual tanh MLP of `layers` layers of width 16 on a batch of n rows. */
function residualMlp(layers: number): string {
  const lines = [`param ${Array.from({ length: layers }, (_, i) => `W${i}: [16, 16], b${i}: [16]`).join(', ')}`, 'input X: [n, 16]', 'h0 = X'];
  for (let i = 0; i < layers; i++) lines.push(`h${i + 1} = tanh(h${i} @ W${i} + b${i}) * 0.5 + h${i}`);
  lines.push(`sum(h${layers}^2)`);
  return lines.join('\n') + '\n';
}

describe('tensor functions in parts', () => {
  it('a 30-layer MLP: split into parts of bounded size, and the same value and gradient as the tape', () => {
    const { checked, ir } = compileSource(residualMlp(30));
    const module = emitModule(ir!, { language: 'js', sourceName: 'deep.txt' });
    const parts = module.match(/^function backwardPart\d+\(/gm) ?? [];
    expect(parts.length).toBeGreaterThanOrEqual(3);
    // No function of the module is much longer than a part.
    const longest = Math.max(...module.split(/\n(?=(?:export )?function )/).map((f) => f.split('\n').length));
    expect(longest).toBeLessThan(1600);

    const m = loadCompiled(ir!);
    const n = 3;
    const p = Float64Array.from({ length: m.paramSize! }, (_, i) => Math.sin(i * 1.3) * 0.2);
    const x = Float64Array.from({ length: n * 16 }, (_, i) => Math.cos(i) * 0.5);
    const grad = new Float64Array(m.paramSize!);
    const value = m.backwardFlat(p, x, grad, n);
    expect(m.forwardFlat(p, x, n)).toBe(value);

    const values = new Map<string, { shape: number[]; data: Float64Array }>();
    let at = 0;
    for (const v of checked!.params) {
      const shape = v.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      values.set(v.name, { shape, data: p.subarray(at, at + size) });
      at += size;
    }
    values.set('X', { shape: [n, 16], data: x });
    const tape = interpretTensor(checked!, values, new Map([['n', n]]));
    expect(tape.value).toBe(value);
    at = 0;
    for (const v of checked!.params) {
      const g = tape.gradient.get(v.name)!.data;
      g.forEach((gi, i) => expect(Math.abs(gi - grad[at + i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(gi))));
      at += g.length;
    }
  });
});
