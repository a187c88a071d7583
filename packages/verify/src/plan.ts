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

export function differencePlan(params: number, random: () => number): DifferencePlan {
  const indices = Array.from({ length: params }, (_, i) => i);
  if (params > MAX_ELEMENTS) {
    for (let i = 0; i < MAX_ELEMENTS; i++) {
      const j = i + Math.floor(random() * (params - i));
      [indices[i], indices[j]] = [indices[j]!, indices[i]!];
    }
    indices.length = MAX_ELEMENTS;
    indices.sort((a, b) => a - b);
  }
  const directions: Float64Array[] = [];
  for (let k = 0; k < (params > 0 ? DIRECTIONS : 0); k++) {
    // Normal entries (Box-Muller): a direction with no preferred axis.
    const d = Float64Array.from({ length: params }, () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
    let size = 0;
    for (const v of d) size = Math.max(size, Math.abs(v));
    directions.push(d.map((v) => v / size));
  }
  return { elements: indices, directions };
}
