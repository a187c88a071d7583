/**
 * Which finite differences a gradient check takes (the spec's `check`):
 * every param element up to MAX_ELEMENTS, else a seeded sample of that many,
 * plus DIRECTIONS random directions, each a central difference of the whole
 * function. Compiled and tape are compared on every element regardless.
 * Finite differences cost two evaluations each, so a model with thousands of
 * params is checked in the time of a few hundred evaluations, not millions.
 */
export const MAX_ELEMENTS = 64;
export const DIRECTIONS = 3;

export interface DifferencePlan {
  /** Param indices checked one by one, ascending. */
  elements: number[];
  /** Directions checked, each with entries of at most 1 in size. */
  directions: Float64Array[];
}

const NO_ELEMENTS: ReadonlySet<number> = new Set();

/**
 * `fixed` lists param elements that must not move (labels that `onehot`
 * reads: a difference would make them non-integers): they are left out of
 * the elements and are 0 in every direction.
 */
export function differencePlan(params: number, random: () => number, fixed: ReadonlySet<number> = NO_ELEMENTS): DifferencePlan {
  const indices: number[] = [];
  for (let i = 0; i < params; i++) if (!fixed.has(i)) indices.push(i);
  const movable = indices.length;
  if (movable > MAX_ELEMENTS) {
    for (let i = 0; i < MAX_ELEMENTS; i++) {
      const j = i + Math.floor(random() * (movable - i));
      [indices[i], indices[j]] = [indices[j]!, indices[i]!];
    }
    indices.length = MAX_ELEMENTS;
    indices.sort((a, b) => a - b);
  }
  const directions: Float64Array[] = [];
  for (let k = 0; k < (movable > 0 ? DIRECTIONS : 0); k++) {
    // Normal entries (Box-Muller): a direction with no preferred axis.
    const d = Float64Array.from({ length: params }, () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
    for (const i of fixed) if (i < params) d[i] = 0;
    let size = 0;
    for (const v of d) size = Math.max(size, Math.abs(v));
    directions.push(d.map((v) => v / size));
  }
  return { elements: indices, directions };
}
