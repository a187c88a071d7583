/**
 * Loops for `a @ b`. Two orders, chosen by how b is laid out:
 * - rows of b contiguous (the usual case): out[i, :] += a[i, t] * b[t, :], in
 *   i-t-j order, blocked over 4 rows of a so that each row of b read from
 *   memory serves four rows of the result (register blocking);
 * - b a vector, or the transpose of a stored matrix (the backward of `@`,
 *   g @ W^T): out[i, j] = dot(a[i, :], b[:, j]), both read along t;
 * - a the transpose of a stored matrix (the other half of the backward,
 *   X^T @ g, g a matrix or a vector): a sum of outer products, t-i-j,
 *   reading rows of X and g.
 */
import type { EmitContext } from './emit-context.js';
import type { Node } from './node.js';
import type { Dim } from './shape.js';

/** Rows of the result computed together in the blocked loop. */
export const MATMUL_BLOCK = 4;

export function emitMatmul(ctx: EmitContext): void {
  const [x, y] = ctx.node.args as [Node, Node];
  const m: Dim = x.shape.length === 2 ? x.shape[0]! : 1;
  const k: Dim = x.shape[x.shape.length - 1]!;
  const p: Dim = y.shape.length === 2 ? y.shape[1]! : 1;
  const a = (i: string, t: string) => ctx.read(0, x.shape.length === 2 ? [i, t] : [t]);
  const b = (t: string, j: string) => ctx.read(1, y.shape.length === 2 ? [t, j] : [t]);
  const out = (i: string, j: string) =>
    ctx.node.shape.length === 2 ? ctx.flatIndex(ctx.node.shape, [i, j]) : ctx.node.shape.length === 1 ? (x.shape.length === 2 ? i : j) : '0';
  const forLoop = (v: string, n: Dim) => ctx.line(`for (let ${v} = 0; ${v} < ${ctx.dim(n)}; ${v}++) {`);

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
