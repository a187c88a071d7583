/**
 * The generated modules' WebAssembly matrix products: the value and gradient
 * of programs with products of many shapes (plain, transposed views from the
 * backward pass, g @ W^T, matrix @ vector, operands at offsets of p and x)
 * equal the tape engine's exactly, on the WebAssembly kernel, with the
 * kernel left out of the module (`wasm: false`), and with the kernel in the
 * module but WebAssembly missing at load (the run-time fallback).
 */
import { compileSource, loadCompiled, type CompiledFunctions } from '@autodiff/compiler';
import { interpretTensor } from '@autodiff/runtime';
import { describe, expect, it } from 'vitest';

const SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 33, 64, 130];

/** W: [k, q], V: [q, k], v: [k]; X: [n, k]. Products: X @ W, X @ v, H @ V, X^T @ H; backward: X^T @ g, g @ V^T, H^T @ g, X @ g... */
const program = (k: number, q: number) => `param W: [${k}, ${q}], V: [${q}, ${k}], v: [${k}]
input X: [n, ${k}]
H = tanh(X @ W)
u = X @ v
sum((H @ V) * X) + sum(transpose(X) @ H) + sum(sin(u))
`;

type Wasm = {
  validate(b: Uint8Array): boolean;
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object, i: object) => { exports: Record<string, unknown> };
};
const host = globalThis as unknown as { WebAssembly?: Wasm };

/** Loads the module with globalThis.WebAssembly replaced for its load (undefined: missing), counting the kernel's calls. */
function loadWith(ir: Parameters<typeof loadCompiled>[0], mode: 'wasm' | 'no-kernel' | 'missing'): { m: CompiledFunctions; calls: () => number } {
  if (mode === 'no-kernel') return { m: loadCompiled(ir, { wasm: false }), calls: () => 0 };
  const real = host.WebAssembly!;
  let calls = 0;
  const counting: Wasm = {
    validate: (b) => real.validate(b),
    Module: real.Module,
    Instance: function (this: unknown, module: object, imports: object) {
      const e = new real.Instance(module, imports).exports;
      const mm = e.mm as (...a: number[]) => void;
      return { exports: { memory: e.memory, mm: (...a: number[]) => { calls++; mm(...a); } } };
    } as unknown as Wasm['Instance'],
  };
  host.WebAssembly = mode === 'wasm' ? counting : undefined;
  try {
    return { m: loadCompiled(ir), calls: () => calls };
  } finally {
    host.WebAssembly = real;
  }
}

const data = (length: number, seed: number) => Float64Array.from({ length }, (_, i) => Math.sin(seed * (i + 1) + 0.25 * seed));

describe('WebAssembly matrix products', () => {
  for (const mode of ['wasm', 'no-kernel', 'missing'] as const) {
    it(`give the tape engine's value and gradient exactly (${mode})`, () => {
      let checked = 0;
      let kernelCalls = 0;
      for (const k of SIZES) {
        for (const q of SIZES) {
          const source = program(k, q);
          const r = compileSource(source);
          expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
          const { m, calls } = loadWith(r.ir!, mode);
          // n shrinks and grows again: buffers, the kernel's memory and its kept views follow.
          const ns = k * q > 2000 ? [1, 5, 130, 3] : [1, 2, 3, 4, 5, 7, 8, 9, 16, 33, 130, 4];
          for (const n of ns) {
            const W = data(k * q, 1), V = data(q * k, 2), v = data(k, 3), X = data(n * k, 4);
            const pf = new Float64Array([...W, ...V, ...v]);
            const grad = new Float64Array(pf.length);
            const value = m.backwardFlat(pf, X, grad, n);
            const tape = interpretTensor(r.checked!, new Map([
              ['W', { shape: [k, q], data: W }], ['V', { shape: [q, k], data: V }], ['v', { shape: [k], data: v }], ['X', { shape: [n, k], data: X }],
            ]), new Map([['n', n]]));
            const want = [...tape.gradient.get('W')!.data, ...tape.gradient.get('V')!.data, ...tape.gradient.get('v')!.data];
            if (!Object.is(value, tape.value) || want.some((g, i) => !Object.is(g, grad[i]))) {
              expect({ k, q, n, value, grad: [...grad] }).toEqual({ k, q, n, value: tape.value, grad: want });
            }
            expect(m.forwardFlat(pf, X, n)).toBe(tape.value);
            checked++;
          }
          kernelCalls += calls();
        }
      }
      expect(checked).toBeGreaterThan(1000);
      if (mode === 'wasm') expect(kernelCalls).toBeGreaterThan(2000);
      else expect(kernelCalls).toBe(0);
    }, 300_000);
  }
});

describe('WebAssembly matrix products on arrays shorter than the sizes say (the flat API checks nothing)', () => {
  it('behave as the loops do: no numbers left over from an earlier call', () => {
    const { ir } = compileSource('param W: [64, 64]\ninput X: [n, 64]\nO = X @ W\nsum(O)\n', undefined, { exports: ['O'] });
    const W = Float64Array.from({ length: 64 * 64 }, (_, i) => Math.sin(i));
    const results = [true, false].map((wasm) => {
      const m = loadCompiled(ir!, { wasm });
      m.forwardFlat(W, new Float64Array(128).fill(1000), 2); // fills the kernel's memory
      const out = new Float64Array(128);
      m.exportFlat!.O!(W, new Float64Array(64), out, 2); // says 2 rows, gives 1
      return out;
    });
    expect(Number.isNaN(results[0]![64])).toBe(true);
    results[0]!.forEach((v, i) => expect(Object.is(v, results[1]![i]), `element ${i}`).toBe(true));
  });
});

describe('WebAssembly matrix products on arrays used in turn (spec: nothing is allocated per call)', () => {
  it('make no view per call: batches passed in rotation are copied element by element, a fixed array through one kept view', () => {
    const { ir } = compileSource('param W: [64, 32], V: [32, 10]\ninput X: [n, 64]\nsum(tanh(X @ W) @ V)\n');
    const m = loadCompiled(ir!);
    const p = data(64 * 32 + 32 * 10, 1);
    const grad = new Float64Array(p.length);
    const batches = [2, 3, 4, 5].map((seed) => data(128 * 64, seed));
    const subarray = Float64Array.prototype.subarray;
    let views = 0;
    Float64Array.prototype.subarray = function (this: Float64Array, ...args: Parameters<typeof subarray>) {
      views++;
      return subarray.apply(this, args);
    };
    try {
      const values: number[] = [];
      for (let i = 0; i < 40; i++) values.push(m.backwardFlat(p, batches[i % 4]!, grad, 128));
      const warmed = views;
      for (let i = 0; i < 400; i++) m.backwardFlat(p, batches[i % 4]!, grad, 128);
      expect(views - warmed).toBe(0);
      for (let i = 0; i < 400; i++) m.backwardFlat(p, batches[0]!, grad, 128);
      expect(views - warmed).toBeLessThan(10); // the fixed batch's view, made once
      // The copies are the same numbers: each batch's value as without the kernel.
      const loops = loadCompiled(ir!, { wasm: false });
      values.slice(0, 4).forEach((v, i) => expect(v).toBe(loops.backwardFlat(p, batches[i]!, grad, 128)));
    } finally {
      Float64Array.prototype.subarray = subarray;
    }
  });
});
