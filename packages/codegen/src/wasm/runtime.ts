/**
 * The generated module's side of the WebAssembly matrix product: the
 * kernel's bytes (a literal array of numbers, from matmul-kernel.ts),
 * compiled and instantiated synchronously once at load, and `mmWasm`, which
 * copies the operands into the kernel's memory, runs it and copies the result
 * out. Where WebAssembly or its SIMD is missing (or fails to compile),
 * `mmWasm` returns false and the caller runs its JavaScript loops.
 *
 * Nothing here names a global type (the module type-checks without lib.dom):
 * WebAssembly is read from globalThis through a local interface. A call
 * allocates nothing once its arrays have been seen: the subarray views it
 * copies through are kept per call site (`slot`), made when a site copies the
 * same range twice in a row (an array that changes every call, as batches
 * used in turn, is copied element by element instead), and remade when the
 * memory grows.
 */
import { matmulKernelModule } from './matmul-kernel.js';

/** The module-level declarations (after NO_INPUTS), `slots` view slots in all. */
export function wasmMatmulLines(ts: boolean, slots: number): string[] {
  const t = (annotation: string) => (ts ? annotation : '');
  const as = (type: string) => (ts ? ` as ${type}` : '');
  const bang = ts ? '!' : '';
  const bytes = [...matmulKernelModule()];
  const byteLines: string[] = [];
  for (let i = 0; i < bytes.length; i += 32) byteLines.push(`  ${bytes.slice(i, i + 32).join(', ')},`);
  const f64 = t(': Float64Array');
  const num = t(': number');
  return [
    '// WebAssembly SIMD (f64x2) for the large matrix products, bit-identical to the loops; see',
    '// packages/codegen/src/wasm/matmul-kernel.ts in autodiff for the kernel these bytes encode.',
    ...(ts ? [
      'interface MmApi {',
      '  validate(bytes: Uint8Array): boolean;',
      '  Module: new (bytes: Uint8Array) => object;',
      '  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };',
      '}',
      'interface MmKernel {',
      '  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };',
      '  mm: (a: number, b: number, c: number, m: number, k: number, p: number, rsA: number, csA: number, rsB: number) => void;',
      '}',
    ] : []),
    `/** The kernel, compiled once; undefined where WebAssembly (with SIMD) is not available. */`,
    `function mmInit()${t(': MmKernel | undefined')} {`,
    '  try {',
    `    const api = (globalThis${as('unknown as { WebAssembly?: MmApi }')}).WebAssembly;`,
    '    const bytes = new Uint8Array([',
    ...byteLines.map((l) => `  ${l}`),
    '    ]);',
    '    if (api === undefined || !api.validate(bytes)) return undefined;',
    '    const e = new api.Instance(new api.Module(bytes), {}).exports;',
    `    return { memory: e["memory"]${as('MmKernel["memory"]')}, mm: e["mm"]${as('MmKernel["mm"]')} };`,
    '  } catch {',
    '    return undefined;',
    '  }',
    '}',
    'const MM = mmInit();',
    '/** The kernel\'s memory as f64s (a new view after each grow). */',
    'let mmHeap = MM === undefined ? NO_INPUTS : new Float64Array(MM.memory.buffer);',
    '/** The views each product copies through, kept per call site, and the range each site copied last. */',
    `const mmViews${t(': Float64Array[]')} = new Array(${slots}).fill(NO_INPUTS);`,
    `const mmLast${t(': Float64Array[]')} = new Array(${slots}).fill(NO_INPUTS);`,
    `const mmLastAt${t(': number[]')} = new Array(${2 * slots}).fill(-1);`,
    '/**',
    ' * dst[to, to + n) = src[from, from + n). Through a kept view (one memcpy) when this site copies the same range',
    ' * as on its last call; element by element otherwise, so arrays used in turn allocate no view per call.',
    ' */',
    `function mmCopy(slot${num}, src${f64}, from${num}, n${num}, dst${f64}, to${num})${t(': void')} {`,
    `  const v = mmViews[slot]${bang};`,
    '  if (v.buffer === src.buffer && v.byteOffset === src.byteOffset + 8 * from && v.length === n) {',
    '    dst.set(v, to);',
    '    return;',
    '  }',
    '  if (mmLast[slot] === src && mmLastAt[2 * slot] === from && mmLastAt[2 * slot + 1] === n) {',
    '    dst.set((mmViews[slot] = src.subarray(from, from + n)), to);',
    '    return;',
    '  }',
    '  mmLast[slot] = src;',
    '  mmLastAt[2 * slot] = from;',
    '  mmLastAt[2 * slot + 1] = n;',
    `  for (let i = 0; i < n; i++) dst[to + i] = src[from + i]${bang};`,
    '}',
    '/**',
    ' * out[oo + i * p + j] = sum over t of A[i, t] * B[t, j], for A[i, t] = a[ao + i * ars + t * acs] (m x k)',
    ' * and B[t, j] = b[bo + t * brs + j * bcs] (k x p), on the kernel; false (nothing written) if it is not available.',
    ' */',
    `function mmWasm(slot${num}, a${f64}, ao${num}, ars${num}, acs${num}, b${f64}, bo${num}, brs${num}, bcs${num}, out${f64}, oo${num}, m${num}, k${num}, p${num})${t(': boolean')} {`,
    '  if (MM === undefined) return false;',
    '  // In the memory, in f64s: the span of a holding A at 0; B with its rows contiguous; then C. 16-byte aligned.',
    '  const aSpan = (m - 1) * ars + (k - 1) * acs + 1;',
    '  const bRows = bcs === 1 || p === 1;',
    '  const bSpan = bRows ? (k - 1) * brs + p : k * p;',
    '  // Arrays shorter than the sizes say (the flat API checks nothing): the loops run, as without the kernel.',
    '  if (ao + aSpan > a.length || bo + (k - 1) * brs + (p - 1) * bcs >= b.length || oo + m * p > out.length) return false;',
    '  const bAt = aSpan + (aSpan & 1);',
    '  const cAt = bAt + bSpan + (bSpan & 1);',
    '  const end = cAt + m * p;',
    '  if (end > mmHeap.length) {',
    '    if (end > 0x10000000) return false;',
    '    try {',
    '      MM.memory.grow(Math.ceil((8 * end - MM.memory.buffer.byteLength) / 65536));',
    '    } catch {',
    '      return false;',
    '    }',
    '    mmHeap = new Float64Array(MM.memory.buffer);',
    '  }',
    '  const heap = mmHeap;',
    '  mmCopy(slot, a, ao, aSpan, heap, 0);',
    '  if (bRows) mmCopy(slot + 1, b, bo, bSpan, heap, bAt);',
    `  else for (let t = 0, f = bAt; t < k; t++) for (let j = 0; j < p; j++) heap[f++] = b[bo + t * brs + j * bcs]${bang};`,
    '  MM.mm(0, 8 * bAt, 8 * cAt, m, k, p, 8 * ars, 8 * acs, 8 * (bRows ? brs : p));',
    '  mmCopy(slot + 2, heap, cAt, m * p, out, oo);',
    '  return true;',
    '}',
  ];
}
