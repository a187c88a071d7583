/**
 * Shapes: every value of the language is an array of IEEE doubles with a shape
 * known at compile time. A dimension is a literal size or a dimension name
 * (a size fixed per call, taken from the data). Scalars have shape [].
 */

/** A literal size, or a dimension name standing for a size given at the call. */
export type Dim = number | string;
export type Shape = readonly Dim[];
export const SCALAR: Shape = Object.freeze([]);

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** `[n, 16]`: how shapes are written in source and in messages. */
export function formatShape(s: Shape): string {
  return `[${s.join(', ')}]`;
}

/** The result of broadcasting two shapes (NumPy rules), or the pair of dims that do not fit. */
export type Broadcast = { ok: true; shape: Shape } | { ok: false; left: Dim; right: Dim };

export function broadcastShapes(a: Shape, b: Shape): Broadcast {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = new Array(rank);
  for (let k = 1; k <= rank; k++) {
    const x = k <= a.length ? a[a.length - k]! : 1;
    const y = k <= b.length ? b[b.length - k]! : 1;
    if (x === y || y === 1) out[rank - k] = x;
    else if (x === 1) out[rank - k] = y;
    else return { ok: false, left: x, right: y };
  }
  return { ok: true, shape: out };
}

/** The axes of `to` along which `from` is broadcast (a missing or size-1 dimension that is not 1 in `to`). */
export function broadcastAxes(from: Shape, to: Shape): number[] {
  const axes: number[] = [];
  const lead = to.length - from.length;
  for (let k = 0; k < to.length; k++) {
    const d = k < lead ? undefined : from[k - lead];
    if (d === undefined || (d === 1 && to[k] !== 1)) axes.push(k);
  }
  return axes;
}

/** The number of elements, if every dimension is a literal. */
export function literalSize(s: Shape): number | undefined {
  let n = 1;
  for (const d of s) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

/**
 * A shape's element count as a product of a literal and dimension names
 * (sorted), so two shapes with the same count compare equal: `[n, 6]` and `[3, n, 2]`.
 */
export function symbolicSize(s: Shape): { literal: number; names: string[] } {
  let literal = 1;
  const names: string[] = [];
  for (const d of s) {
    if (typeof d === 'number') literal *= d;
    else names.push(d);
  }
  return { literal, names: names.sort() };
}
