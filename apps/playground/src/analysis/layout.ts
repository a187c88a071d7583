/**
 * Shapes and the flat layout of the generated module's flat API: params (and
 * inputs) one after another in declaration order, each row-major; a
 * dimension name's size is given at the call. Plain functions on plain data:
 * the page and the worker both use them.
 */

/** A declared shape: literal sizes and dimension names. */
export type DeclaredShape = readonly (number | string)[];

/** Sizes for a declared shape: each dimension name's from `dims` (its default when missing). */
export function concreteShape(shape: DeclaredShape, dims: ReadonlyMap<string, number>): number[] {
  return shape.map((d) => (typeof d === 'number' ? d : dims.get(d) ?? DEFAULT_DIM));
}

/** What a dimension name's size is until the user picks one. */
export const DEFAULT_DIM = 3;

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The offset of each leaf in its flat array, and the array's length. */
export function offsetsOf(shapes: readonly DeclaredShape[], dims: ReadonlyMap<string, number>): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const s of shapes) {
    offsets.push(total);
    total += elementCount(concreteShape(s, dims));
  }
  return { offsets, total };
}

/** A value's type as the IR printer writes it: `f64[n,16]`, `f64` for a scalar. */
export function typeText(shape: DeclaredShape): string {
  return shape.length === 0 ? 'f64' : `f64[${shape.join(',')}]`;
}

/** A row-major flat array as a nested list of `shape` (for JSON and text fields). */
export function nestedList(flat: ArrayLike<number>, shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const build = (axis: number, offset: number): unknown[] => {
    const size = shape[axis]!;
    const stride = elementCount(shape.slice(axis + 1));
    return Array.from({ length: size }, (_, i) => (axis === shape.length - 1 ? flat[offset + i] : build(axis + 1, offset + i * stride)));
  };
  return build(0, 0);
}

/** A nested list text (`[[1, 2], [3, 4]]`) as row-major numbers of `shape`, or why it is not one. */
export function parseNestedList(text: string, shape: readonly number[]): { values: number[] } | { error: string } {
  let parsed: unknown;
  try {
    // NaN and infinities are numbers too, though JSON has no words for them.
    parsed = JSON.parse(text.replace(/-?\b(?:Infinity|NaN)\b/g, (w) => `"${w}"`));
  } catch {
    return { error: 'not a nested list of numbers' };
  }
  const values: number[] = [];
  const visit = (v: unknown, axis: number, path: string): string | undefined => {
    if (axis === shape.length) {
      const n = typeof v === 'string' ? Number(v) : v;
      if (typeof n !== 'number' || (typeof v === 'string' && !/^-?(Infinity|NaN)$/.test(v))) return `${path || 'the value'} is not a number`;
      values.push(n);
      return undefined;
    }
    if (!Array.isArray(v)) return `${path || 'the value'} is not a list (the shape is [${shape.join(', ')}])`;
    if (v.length !== shape[axis]) return `${path || 'the list'} has ${v.length} entries, axis ${axis} has size ${shape[axis]}`;
    for (let i = 0; i < v.length; i++) {
      const problem = visit(v[i], axis + 1, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
  const problem = visit(parsed, 0, '');
  return problem ? { error: problem } : { values };
}

/** A nested list as text, one row per line for matrices (numbers as JSON writes them, `NaN` and infinities as words). */
export function nestedListText(flat: ArrayLike<number>, shape: readonly number[]): string {
  const num = (v: number) => (Number.isFinite(v) ? JSON.stringify(v) : String(v));
  const write = (v: unknown, depth: number): string => {
    if (!Array.isArray(v)) return num(v as number);
    const inner = v.map((e) => write(e, depth + 1));
    return depth === shape.length - 1 ? `[${inner.join(', ')}]` : `[${inner.join(`,\n${' '.repeat(depth + 1)}`)}]`;
  };
  return write(nestedList(flat, shape), 0);
}

/** An element's index in a shape, as `[1, 2]` (for tooltips and tables). */
export function elementIndex(flat: number, shape: readonly number[]): number[] {
  const index: number[] = new Array(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    index[k] = flat % shape[k]!;
    flat = Math.floor(flat / shape[k]!);
  }
  return index;
}
