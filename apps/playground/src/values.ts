/**
 * The page's values for a program's params and inputs: a number for a
 * scalar, the elements (row-major) for a tensor, and a size for each
 * dimension name; and how they become the flat arrays the generated module's
 * flat API takes.
 */
import { seededRandom } from '@autodiff/runtime';
import { concreteShape, DEFAULT_DIM, elementCount, offsetsOf } from './analysis/layout.js';
import type { ProgramModel } from './worker/protocol.js';

export type LeafValue = number | readonly number[];
export type Values = ReadonlyMap<string, LeafValue>;

/** The size of each of the model's dimension names (the default where none is set yet). */
export function dimSizes(model: ProgramModel, dims: ReadonlyMap<string, number>): Map<string, number> {
  return new Map(model.dimNames.map((d) => [d, dims.get(d) ?? DEFAULT_DIM]));
}

const fits = (v: LeafValue | undefined, shape: readonly number[], scalar: boolean): boolean =>
  v !== undefined && (scalar ? typeof v === 'number' : typeof v !== 'number' && v.length === elementCount(shape));

/**
 * Values for names that have none yet (or none of the right shape): params
 * as `autodiff fit` would initialise them (its default distribution and
 * seed); scalar inputs from `row` (the first row of the program's dataset), or 1;
 * tensor inputs random, from a seed (integers below k for labels `onehot` reads).
 */
export function withDefaults(values: Values, dims: ReadonlyMap<string, number>, model: ProgramModel, row: ReadonlyMap<string, number> = new Map()): Map<string, LeafValue> {
  const next = new Map(values);
  const sizes = dimSizes(model, dims);
  const params = offsetsOf(model.paramShapes, sizes);
  model.paramNames.forEach((name, i) => {
    const declared = model.paramShapes[i]!;
    const shape = concreteShape(declared, sizes);
    if (fits(next.get(name), shape, declared.length === 0)) return;
    const start = params.offsets[i]!;
    next.set(name, declared.length === 0 ? model.initialParams[start]! : model.initialParams.slice(start, start + elementCount(shape)));
  });
  model.inputNames.forEach((name, i) => {
    const declared = model.inputShapes[i]!;
    const shape = concreteShape(declared, sizes);
    if (fits(next.get(name), shape, declared.length === 0)) return;
    if (declared.length === 0) next.set(name, row.get(name) ?? 1);
    else next.set(name, randomData(elementCount(shape), model.labels[i] ?? null, 1000 + i));
  });
  return next;
}

/** Uniform in [-1, 1] (two decimals, easy to read and type), or integers in [0, k) for labels. */
export function randomData(size: number, labels: number | null, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: size }, () => (labels !== null ? Math.floor(random() * labels) : Math.round(200 * random() - 100) / 100));
}

/** Leaves' values one after another, each row-major: the flat API's layout. */
export function flatten(names: readonly string[], values: Values): number[] {
  const out: number[] = [];
  for (const name of names) {
    const v = values.get(name) ?? 0;
    if (typeof v === 'number') out.push(v);
    else for (const e of v) out.push(e);
  }
  return out;
}

/** The inverse of `flatten`: each leaf's value from a flat array. */
export function unflatten(
  names: readonly string[], shapes: readonly (readonly (number | string)[])[], flat: ArrayLike<number>, dims: ReadonlyMap<string, number>,
): Map<string, LeafValue> {
  const out = new Map<string, LeafValue>();
  let offset = 0;
  names.forEach((name, i) => {
    const declared = shapes[i]!;
    const size = elementCount(concreteShape(declared, dims));
    out.set(name, declared.length === 0 ? flat[offset]! : Array.from({ length: size }, (_, k) => flat[offset + k]!));
    offset += size;
  });
  return out;
}
