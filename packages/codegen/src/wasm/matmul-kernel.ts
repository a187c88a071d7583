/**
 * The WebAssembly kernel of the generated tensor modules' large matrix
 * products: one function for every product,
 *
 *   mm(a, b, c, m, k, p, rsA, csA, rsB)      all i32; addresses and strides in bytes
 *
 * computing C[m, p] = A[m, k] @ B[k, p] with A[i, t] at a + i*rsA + t*csA
 * (any strides: a transposed view is rsA = 8, csA = 8 * its stored row
 * length, no copy), B[t, j] at b + t*rsB + j*8 (rows contiguous) and C[i, j]
 * at c + (i*p + j)*8 (written, not accumulated). Requires m, k, p >= 1.
 *
 * Algorithm: register tiles, as the JS loops (matmul-emit.ts) but with
 * f64x2 SIMD. Rows go in blocks of 4, then one at a time; within a block of
 * rows, columns go in tiles of 4 (two f64x2 per row), then 2 (one f64x2),
 * then 1 (a plain f64). A tile's sums live in locals (8 v128 for 4x4, which
 * x64's 16 xmm registers hold with B's two vectors and A's splat) over the
 * whole loop over t; at each t it loads B's row segment once, and each A
 * element once, splatted to both lanes, for its 2 or 4 products. Each sum
 * starts at +0 (a local never written: locals start at zero) and adds A[i, t] * B[t, j] for t = 0, 1, ..., k - 1, a
 * separate f64 multiply then add (WebAssembly has no fused multiply-add
 * unless asked), so every element is bit-identical to the JS loops'
 * `c = 0; c += a * b` in t order (and to the tape engine).
 */
import { encodeModule, F64, I32, op, V128, type Bytes } from './encode.js';

/** Bytes of an f64. */
const ES = 8;

// Locals: the 9 parameters, then i32 work variables, then v128 and f64 ones.
const A = 0, B = 1, C = 2, M = 3, K = 4, P = 5, RS_A = 6, CS_A = 7, RS_B = 8;
const I = 9, J = 10, T = 11, PA = 12, PB = 13, PC = 14, ROW_A = 15, ROW_C = 16, CS = 17, RS_A2 = 18, RS_A3 = 19;
const I32_LOCALS = 11;
const V_ACC = 20; // 8 accumulators, then 2 of B, then A's splat, then a zero
const V_LOCALS = 12;
const F_ACC = V_ACC + V_LOCALS; // 4 accumulators, then 1 of B, then A's element, then a zero
const F_LOCALS = 7;
/** Locals never written: WebAssembly starts every local at zero (2 bytes to read, against 18 for v128.const). */
const V_ZERO = V_ACC + 11, F_ZERO = F_ACC + 6;

/** A unit of columns in a tile: an f64x2 (2 columns) or an f64 (1). */
interface Unit {
  lanes: number;
  acc: number;
  load: (offset: number) => Bytes;
  store: (offset: number) => Bytes;
  zero: number;
  splat: Bytes;
  mul: Bytes;
  add: Bytes;
}
const VECTOR: Unit = { lanes: 2, acc: V_ACC, load: op.v128Load, store: op.v128Store, zero: V_ZERO, splat: op.f64x2Splat, mul: op.f64x2Mul, add: op.f64x2Add };
const SCALAR: Unit = { lanes: 1, acc: F_ACC, load: op.f64Load, store: op.f64Store, zero: F_ZERO, splat: [], mul: op.f64Mul, add: op.f64Add };

/** `local = local + value`. */
const addTo = (local: number, value: Bytes): number[] => [...op.get(local), ...value, ...op.i32Add, ...op.set(local)];

/**
 * One tile of `rows` rows by `units` units at row block ROW_A/ROW_C, column J:
 * the sums over the whole of t in locals, then stored to C.
 */
function tile(rows: number, units: number, u: Unit): number[] {
  const acc = (r: number, c: number) => u.acc + r * units + c;
  const bv = (c: number) => u.acc + rows * units + c;
  const x = u.acc + rows * units + units;
  const unitBytes = u.lanes * ES;
  const rowOfA = (r: number): Bytes => (r === 0 ? op.get(PA) : [...op.get(PA), ...op.get([0, RS_A, RS_A2, RS_A3][r]!), ...op.i32Add]);
  const code: number[] = [];
  code.push(...op.get(ROW_A), ...op.set(PA));
  code.push(...op.get(B), ...op.get(J), ...op.i32(ES), ...op.i32Mul, ...op.i32Add, ...op.set(PB));
  code.push(...op.get(ROW_C), ...op.get(J), ...op.i32(ES), ...op.i32Mul, ...op.i32Add, ...op.set(PC));
  code.push(...op.get(K), ...op.set(T));
  for (let r = 0; r < rows; r++) for (let c = 0; c < units; c++) code.push(...op.get(u.zero), ...op.set(acc(r, c)));
  code.push(...op.loop);
  for (let c = 0; c < units; c++) code.push(...op.get(PB), ...u.load(c * unitBytes), ...op.set(bv(c)));
  for (let r = 0; r < rows; r++) {
    code.push(...rowOfA(r), ...op.f64Load(), ...u.splat, ...op.set(x));
    // acc = acc + (a * b): the order of the JS loops' `c += a * b`.
    for (let c = 0; c < units; c++) code.push(...op.get(acc(r, c)), ...op.get(x), ...op.get(bv(c)), ...u.mul, ...u.add, ...op.set(acc(r, c)));
  }
  code.push(...addTo(PA, op.get(CS_A)), ...addTo(PB, op.get(RS_B)));
  code.push(...op.get(T), ...op.i32(1), ...op.i32Sub, ...op.tee(T), ...op.brIf(0), ...op.end);
  for (let r = 0; r < rows; r++) {
    const row = r === 0 ? op.get(PC) : [...op.get(PC), ...op.get(CS), ...op.i32(r), ...op.i32Mul, ...op.i32Add];
    for (let c = 0; c < units; c++) code.push(...row, ...op.get(acc(r, c)), ...u.store(c * unitBytes));
  }
  return code;
}

/** `while (counter + step <= limit) { body; counter += step; }`. */
function whileFits(counter: number, step: number, limit: number, body: Bytes, after: Bytes = []): number[] {
  return [
    ...op.block, ...op.loop,
    ...op.get(counter), ...op.i32(step), ...op.i32Add, ...op.get(limit), ...op.i32GtS, ...op.brIf(1),
    ...body,
    ...addTo(counter, op.i32(step)),
    ...after,
    ...op.br(0),
    ...op.end, ...op.end,
  ];
}

/** Blocks of `rows` rows while they fit: every column tile of each (4, then 2, then 1 wide). */
function rowBlocks(rows: number): number[] {
  const columns = [
    ...op.i32(0), ...op.set(J),
    ...whileFits(J, 4, P, tile(rows, 2, VECTOR)),
    ...whileFits(J, 2, P, tile(rows, 1, VECTOR)),
    ...whileFits(J, 1, P, tile(rows, 1, SCALAR)),
  ];
  const next = [
    ...addTo(ROW_A, [...op.get(RS_A), ...op.i32(rows), ...op.i32Mul]),
    ...addTo(ROW_C, [...op.get(CS), ...op.i32(rows), ...op.i32Mul]),
  ];
  return whileFits(I, rows, M, columns, next);
}

function kernelBody(): number[] {
  return [
    ...op.i32(0), ...op.set(I),
    ...op.get(A), ...op.set(ROW_A),
    ...op.get(C), ...op.set(ROW_C),
    ...op.get(P), ...op.i32(ES), ...op.i32Mul, ...op.set(CS),
    ...op.get(RS_A), ...op.i32(2), ...op.i32Mul, ...op.set(RS_A2),
    ...op.get(RS_A), ...op.i32(3), ...op.i32Mul, ...op.set(RS_A3),
    ...rowBlocks(4),
    ...rowBlocks(1),
  ];
}

let cached: Uint8Array | undefined;

/** The kernel's module: memory `memory` (1 page to start), function `mm`. */
export function matmulKernelModule(): Uint8Array {
  cached ??= encodeModule([{
    name: 'mm',
    params: new Array<number>(9).fill(I32),
    locals: [[I32_LOCALS, I32], [V_LOCALS, V128], [F_LOCALS, F64]],
    body: kernelBody(),
  }], 1);
  return cached;
}
