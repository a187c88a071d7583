/**
 * Loops for `a @ b`.
 * - a a matrix with at least 4 rows (or a number of rows known only at run
 *   time), b a vector or a matrix of at least 4 columns: register tiles of 4
 *   rows by 4 columns (4 rows by b's one column for a vector). A tile's sums
 *   stay in locals over the whole of t, so each value read from a or b serves
 *   4 multiply-adds and each result is stored once. Any layout (b's rows
 *   contiguous, or a or b the transpose of a stored matrix, as in the
 *   backward's X^T @ g and g @ W^T) reads through the same views. Every sum
 *   runs over t in order, as the plain loop's would.
 * - Otherwise, by how b is laid out: rows of b contiguous: out[i, :] +=
 *   a[i, t] * b[t, :] in i-t-j order; b a vector, or the transpose of a
 *   stored matrix: out[i, j] = dot(a[i, :], b[:, j]); a the transpose of a
 *   stored matrix: a sum of outer products, t-i-j, reading rows of X and g.
 * Each of these adds a[i, t] * b[t, j] into a sum starting at 0, t in order.
 *
 * A matrix times a matrix or a vector, both stored (or transposes of stored
 * matrices) and with at least MATMUL_WASM_WORK multiply-adds, first tries the
 * module's WebAssembly SIMD kernel (ctx.wasmMatmul), which sums in the same
 * order, so gives the same bits; the loops above run when it is not
 * available (or, for sizes known only at run time, for small products).
 */
import type { EmitContext } from './emit-context.js';
import type { Node } from './node.js';
import type { Dim } from './shape.js';

/** Rows of the result computed together in the blocked loop (and rows and columns of a register tile). */
export const MATMUL_BLOCK = 4;

/** The fewest multiply-adds (m * k * p) for which a product runs on the WebAssembly kernel (its call and copies cost about as much as 1,000). */
export const MATMUL_WASM_WORK = 4096;

/** Whether a dimension may hold a whole block (a dimension name may: its size is known only at run time). */
const mayBlock = (d: Dim) => typeof d === 'string' || d >= MATMUL_BLOCK;

/**
 * `a @ b`, a a matrix: 4x4 register tiles, then the columns and rows left
 * over; for b a vector (p = 1), four rows at a time, then the rows left over.
 */
function emitTiles(ctx: EmitContext, m: Dim, k: Dim, p: Dim): void {
  const B = MATMUL_BLOCK;
  const vector = ctx.node.args[1]!.shape.length === 1;
  const a = (i: string, t: string) => ctx.read(0, [i, t]);
  const b = (t: string, j: string) => ctx.read(1, vector ? [t] : [t, j]);
  const store = (i: string, j: string, v: string) =>
    ctx.line(`${ctx.self(ctx.flatIndex(ctx.node.shape, vector ? [i] : [i, j]))} = ${v};`);
  const plus = (v: string, r: number) => (r === 0 ? v : `${v} + ${r}`);
  /** No loop for what is left over when a size is a known multiple of 4. */
  const whole = (d: Dim) => typeof d === 'number' && d % B === 0;
  const range = Array.from({ length: B }, (_, r) => r);
  const [i, j] = [ctx.fresh('i'), ctx.fresh('j')];

  const tile = () => {
    const t = ctx.fresh('t');
    const sums = range.map(() => range.map(() => ctx.fresh('c')));
    ctx.line(`let ${sums.flat().map((c) => `${c} = 0`).join(', ')};`);
    ctx.line(`for (let ${t} = 0; ${t} < ${ctx.dim(k)}; ${t}++) {`);
    const as = range.map((r) => { const v = ctx.fresh('a'); ctx.line(`const ${v} = ${a(plus(i, r), t)};`); return v; });
    const bs = range.map((c) => { const v = ctx.fresh('b'); ctx.line(`const ${v} = ${b(t, plus(j, c))};`); return v; });
    range.forEach((r) => ctx.line(range.map((c) => `${sums[r]![c]} += ${as[r]} * ${bs[c]};`).join(' ')));
    ctx.line('}');
    range.forEach((r) => range.forEach((c) => store(plus(i, r), plus(j, c), sums[r]![c]!)));
  };
  /** Four rows, one column (j; b's only column for a vector). */
  const column = () => {
    const [t, bv] = [ctx.fresh('t'), ctx.fresh('b')];
    const sums = range.map(() => ctx.fresh('c'));
    ctx.line(`let ${sums.map((c) => `${c} = 0`).join(', ')};`);
    ctx.line(`for (let ${t} = 0; ${t} < ${ctx.dim(k)}; ${t}++) {`);
    ctx.line(`const ${bv} = ${b(t, j)};`);
    ctx.line(range.map((r) => `${sums[r]} += ${a(plus(i, r), t)} * ${bv};`).join(' '));
    ctx.line('}');
    range.forEach((r) => store(plus(i, r), j, sums[r]!));
  };
  /** One row: a dot product per element. */
  const row = () => {
    const [j2, t, acc] = [vector ? '0' : ctx.fresh('j'), ctx.fresh('t'), ctx.fresh('acc')];
    if (!vector) ctx.line(`for (let ${j2} = 0; ${j2} < ${ctx.dim(p)}; ${j2}++) {`);
    ctx.line(`let ${acc} = 0;`);
    ctx.line(`for (let ${t} = 0; ${t} < ${ctx.dim(k)}; ${t}++) ${acc} += ${a(i, t)} * ${b(t, j2)};`);
    store(i, j2, acc);
    if (!vector) ctx.line('}');
  };

  ctx.line(`let ${i} = 0;`);
  ctx.line(`for (; ${i} + ${B - 1} < ${ctx.dim(m)}; ${i} += ${B}) {`);
  if (vector) {
    column();
  } else {
    ctx.line(`let ${j} = 0;`);
    ctx.line(`for (; ${j} + ${B - 1} < ${ctx.dim(p)}; ${j} += ${B}) {`);
    tile();
    ctx.line('}');
    if (!whole(p)) {
      ctx.line(`for (; ${j} < ${ctx.dim(p)}; ${j}++) {`);
      column();
      ctx.line('}');
    }
  }
  ctx.line('}');
  if (!whole(m)) {
    ctx.line(`for (; ${i} < ${ctx.dim(m)}; ${i}++) {`);
    row();
    ctx.line('}');
  }
}

/**
 * The condition under which the WebAssembly kernel computed the product (it
 * is called in it), or undefined when it never can (too small, an argument
 * not stored, or no kernel in the module).
 */
function wasmCondition(ctx: EmitContext): string | undefined {
  const [x, y] = ctx.node.args as [Node, Node];
  if (x.shape.length !== 2 || (y.shape.length !== 1 && y.shape.length !== 2)) return undefined;
  const [m, k] = x.shape as [Dim, Dim];
  const p: Dim = y.shape.length === 2 ? y.shape[1]! : 1;
  const known = [m, k, p].filter((d): d is number => typeof d === 'number').reduce((u, v) => u * v, 1);
  const names = [m, k, p].filter((d) => typeof d === 'string');
  // Known sizes too small: never. Sizes given at the call: checked then, unless large enough whatever they are.
  if (names.length === 0 && known < MATMUL_WASM_WORK) return undefined;
  const [a, b] = [ctx.stored(0), ctx.stored(1)];
  if (!a || !b) return undefined;
  const call = ctx.wasmMatmul(a, b, ctx.dim(m), ctx.dim(k), ctx.dim(p));
  if (call === undefined) return undefined;
  if (known >= MATMUL_WASM_WORK) return call;
  const work = [...names.map((d) => ctx.dim(d)), ...(known === 1 ? [] : [String(known)])].join(' * ');
  return `${work} >= ${MATMUL_WASM_WORK} && ${call}`;
}

export function emitMatmul(ctx: EmitContext): void {
  const wasm = wasmCondition(ctx);
  if (wasm === undefined) {
    emitLoops(ctx);
    return;
  }
  ctx.line(`if (!(${wasm})) {`);
  emitLoops(ctx);
  ctx.line('}');
}

/** The JavaScript loops of `a @ b`. */
function emitLoops(ctx: EmitContext): void {
  const [x, y] = ctx.node.args as [Node, Node];
  const m: Dim = x.shape.length === 2 ? x.shape[0]! : 1;
  const k: Dim = x.shape[x.shape.length - 1]!;
  const p: Dim = y.shape.length === 2 ? y.shape[1]! : 1;
  const a = (i: string, t: string) => ctx.read(0, x.shape.length === 2 ? [i, t] : [t]);
  const b = (t: string, j: string) => ctx.read(1, y.shape.length === 2 ? [t, j] : [t]);
  const out = (i: string, j: string) =>
    ctx.node.shape.length === 2 ? ctx.flatIndex(ctx.node.shape, [i, j]) : ctx.node.shape.length === 1 ? (x.shape.length === 2 ? i : j) : '0';
  const forLoop = (v: string, n: Dim) => ctx.line(`for (let ${v} = 0; ${v} < ${ctx.dim(n)}; ${v}++) {`);

  if (x.shape.length === 2 && mayBlock(m) && (y.shape.length === 1 || mayBlock(p))) {
    emitTiles(ctx, m, k, p);
    return;
  }

  if (x.op === 'transpose' && x.shape.length === 2) {
    ctx.fill('0');
    const [i, t, j] = [ctx.fresh('i'), ctx.fresh('t'), ctx.fresh('j')];
    // Blocked over 4 values of t: each element of the result is loaded and stored once per 4 products.
    const ts = Array.from({ length: MATMUL_BLOCK }, (_, r) => (r === 0 ? t : `${t} + ${r}`));
    const as = ts.map(() => ctx.fresh('a'));
    ctx.line(`let ${t} = 0;`);
    ctx.line(`for (; ${t} + ${MATMUL_BLOCK - 1} < ${ctx.dim(k)}; ${t} += ${MATMUL_BLOCK}) {`);
    forLoop(i, m);
    ts.forEach((row, r) => ctx.line(`const ${as[r]} = ${a(i, row)};`));
    forLoop(j, p);
    ctx.line(ctx.addTo(out(i, j), ts.map((row, r) => `${as[r]} * ${b(row, j)}`).join(' + ')));
    ctx.line('}');
    ctx.line('}');
    ctx.line('}');
    const av = ctx.fresh('a');
    ctx.line(`for (; ${t} < ${ctx.dim(k)}; ${t}++) {`);
    forLoop(i, m);
    ctx.line(`const ${av} = ${a(i, t)};`);
    forLoop(j, p);
    ctx.line(ctx.addTo(out(i, j), `${av} * ${b(t, j)}`));
    ctx.line('}');
    ctx.line('}');
    ctx.line('}');
    return;
  }

  if (y.shape.length === 1 || y.op === 'transpose') {
    const [i, j, t, acc] = [ctx.fresh('i'), ctx.fresh('j'), ctx.fresh('t'), ctx.fresh('acc')];
    if (x.shape.length === 2) forLoop(i, m);
    if (y.shape.length === 2) forLoop(j, p);
    ctx.line(`let ${acc} = 0;`);
    forLoop(t, k);
    ctx.line(`${acc} += ${a(i, t)} * ${b(t, j)};`);
    ctx.line('}');
    ctx.line(`${ctx.self(out(i, j))} = ${acc};`);
    if (y.shape.length === 2) ctx.line('}');
    if (x.shape.length === 2) ctx.line('}');
    return;
  }

  ctx.fill('0');
  const [i, t, j] = [ctx.fresh('i'), ctx.fresh('t'), ctx.fresh('j')];

  const blocked = x.shape.length === 2 && (typeof m === 'string' || m >= MATMUL_BLOCK);
  if (blocked) {
    // Whole blocks of rows, then the rows left over.
    const rows = Array.from({ length: MATMUL_BLOCK }, (_, r) => (r === 0 ? i : `${i} + ${r}`));
    ctx.line(`let ${i} = 0;`);
    ctx.line(`for (; ${i} + ${MATMUL_BLOCK - 1} < ${ctx.dim(m)}; ${i} += ${MATMUL_BLOCK}) {`);
    forLoop(t, k);
    const as = rows.map(() => ctx.fresh('a'));
    rows.forEach((row, r) => ctx.line(`const ${as[r]} = ${a(row, t)};`));
    forLoop(j, p);
    const bv = ctx.fresh('b');
    ctx.line(`const ${bv} = ${b(t, j)};`);
    rows.forEach((row, r) => ctx.line(ctx.addTo(out(row, j), `${as[r]} * ${bv}`)));
    ctx.line('}');
    ctx.line('}');
    ctx.line('}');
    ctx.line(`for (; ${i} < ${ctx.dim(m)}; ${i}++) {`);
  } else if (x.shape.length === 2) {
    forLoop(i, m);
  }
  const [t2, j2, av] = [ctx.fresh('t'), ctx.fresh('j'), ctx.fresh('a')];
  forLoop(t2, k);
  ctx.line(`const ${av} = ${a(i, t2)};`);
  forLoop(j2, p);
  ctx.line(ctx.addTo(out(i, j2), `${av} * ${b(t2, j2)}`));
  ctx.line('}');
  ctx.line('}');
  if (x.shape.length === 2) ctx.line('}');
}
