/**
 * A small WebAssembly binary encoder: just what the matrix-product kernel
 * needs (one memory, functions of i32 parameters, i32/f64/v128 locals,
 * blocks, loops, loads, stores and a few arithmetic and SIMD instructions).
 * Instructions are arrays of bytes; a function body is their concatenation.
 * Reference: the WebAssembly core specification, binary format (5.x), and
 * the fixed-width SIMD proposal (opcodes prefixed 0xfd).
 */

export type Bytes = readonly number[];

/** Unsigned LEB128. */
export function uleb(v: number): number[] {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`internal: uleb of ${v}`);
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (32-bit values). */
export function sleb(v: number): number[] {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new Error(`internal: sleb of ${v}`);
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A vector: its length, then its items. */
export const vec = (items: readonly Bytes[]): number[] => [...uleb(items.length), ...items.flat()];
/** A name (ASCII only here). */
export const name = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const section = (id: number, body: Bytes): number[] => [id, ...uleb(body.length), ...body];

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Natural alignment (log2 of bytes) and a constant byte offset of a memory access. */
const memarg = (align: number, offset: number) => [...uleb(align), ...uleb(offset)];
const simd = (op: number) => [0xfd, ...uleb(op)];

/** The instructions used, each as its bytes. */
export const op = {
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  tee: (local: number) => [0x22, ...uleb(local)],
  i32: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32GtS: [0x4a],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  f64Load: (offset = 0) => [0x2b, ...memarg(3, offset)],
  f64Store: (offset = 0) => [0x39, ...memarg(3, offset)],
  f64Add: [0xa0],
  f64Mul: [0xa2],
  v128Load: (offset = 0) => [...simd(0x00), ...memarg(3, offset)],
  v128Store: (offset = 0) => [...simd(0x0b), ...memarg(3, offset)],
  f64x2Splat: simd(0x14),
  f64x2Add: simd(0xf0),
  f64x2Mul: simd(0xf2),
} as const;

export interface FunctionDef {
  /** Exported under this name. */
  name: string;
  /** Parameter types (no results). */
  params: readonly number[];
  /** Locals after the parameters: [count, type] runs. */
  locals: readonly (readonly [number, number])[];
  /** The body's instructions, without the final `end`. */
  body: Bytes;
}

/**
 * A module with one memory of `pages` 64 KiB pages, exported as `memory`
 * (growable from JS), and the functions, each exported under its name.
 */
export function encodeModule(functions: readonly FunctionDef[], pages: number): Uint8Array {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types = section(1, vec(functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec([])])));
  const funcs = section(3, vec(functions.map((_, i) => uleb(i))));
  const memory = section(5, vec([[0x00, ...uleb(pages)]]));
  const exports = section(7, vec([
    [...name('memory'), 0x02, 0x00],
    ...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]),
  ]));
  const code = section(10, vec(functions.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.body, ...op.end];
    return [...uleb(body.length), ...body];
  })));
  return new Uint8Array([...header, ...types, ...funcs, ...memory, ...exports, ...code]);
}
