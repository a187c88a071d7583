/** The WebAssembly matmul kernel alone: every tile and edge against the plain loop, bit for bit, A plain and transposed. */
import { describe, expect, it } from 'vitest';
import { uleb, sleb } from './encode.js';
import { matmulKernelModule } from './matmul-kernel.js';

/** The little of WebAssembly used here (the package's types have no lib.dom). */
interface Wasm {
  validate(b: Uint8Array): boolean;
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object, i: object) => { exports: Record<string, unknown> };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

describe('matmul kernel', () => {
  it('encodes LEB128', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
  });

  it('is a valid module, the same bytes every time, small', () => {
    const bytes = matmulKernelModule();
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect([...matmulKernelModule()]).toEqual([...bytes]);
    expect(bytes.length).toBeLessThan(2048);
  });

  it('gives the bits of the plain t-ordered loop for every m, k, p up to 9 (and some larger), A plain or transposed', () => {
    const exports = new WebAssembly.Instance(new WebAssembly.Module(matmulKernelModule()), {}).exports;
    const memory = exports.memory as { buffer: ArrayBuffer; grow(pages: number): number };
    const mm = exports.mm as (...args: number[]) => void;
    memory.grow(4);
    let bad = 0;
    let cases = 0;
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 33];
    for (const m of sizes) for (const k of sizes) for (const p of sizes) for (const transposed of [false, true]) {
      const heap = new Float64Array(memory.buffer);
      const A = Float64Array.from({ length: m * k }, (_, i) => Math.sin(i + m) * 1e3 ** Math.cos(i));
      const B = Float64Array.from({ length: k * p }, (_, i) => Math.cos(i + p) - 0.5);
      const bAt = m * k + 1; // odd: unaligned B
      const cAt = bAt + k * p;
      heap.set(A, 0);
      heap.set(B, bAt);
      heap.fill(NaN, cAt, cAt + m * p);
      const [rs, cs] = transposed ? [1, m] : [k, 1];
      mm(0, 8 * bAt, 8 * cAt, m, k, p, 8 * rs, 8 * cs, 8 * p);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < p; j++) {
          let s = 0;
          for (let t = 0; t < k; t++) s += A[i * rs + t * cs]! * B[t * p + j]!;
          if (!Object.is(s, heap[cAt + i * p + j])) bad++;
        }
      }
      cases++;
    }
    expect(cases).toBe(2 * sizes.length ** 3);
    expect(bad).toBe(0);
  });
});
