/**
 * Where a program's params and inputs sit in the flat arrays the compiled
 * functions take, for given sizes of its dimension names (v2: tensors), and
 * the two ways of running the tape: a v1 program (no shaped value anywhere)
 * on `interpret` (`Value`), as `autodiff check` always has, and a v2 program
 * on `interpretTensor` (`Tensor`).
 */
import type { Dim, Shape } from '@autodiff/ir';
import { isTensorProgram, MAX_ELEMENTS as MAX_VALUE_ELEMENTS, type CheckedProgram } from '@autodiff/parser';
import { inferDims, interpret, interpretTensor, tensorTopologicalOrder, topologicalOrder, type TensorValue } from '@autodiff/runtime';
import type { PreparedProgram } from './program.js';

/** The size a dimension name gets when none is given (spec: `check --dims`, default 3). */
export const DEFAULT_DIMENSION_SIZE = 3;

/** The largest size a dimension name may be given. */
export const MAX_DIMENSION_SIZE = 1_000_000;

/** One declared variable, with its dimension names resolved. */
export interface VariableLayout {
  name: string;
  kind: 'param' | 'input';
  /** As declared, dimension names included. */
  declared: Shape;
  /** Concrete sizes. */
  shape: number[];
  /** Its first element's position in the flat params (or inputs). */
  offset: number;
  size: number;
}

export interface Layout {
  /** A v2 program: some value has a shape (declared, or made by a stack). */
  tensor: boolean;
  /** The size of every dimension name, in the order the compiled functions take them. */
  dims: ReadonlyMap<string, number>;
  /** The compiled flat functions' trailing arguments. */
  dimArgs: readonly number[];
  params: readonly VariableLayout[];
  inputs: readonly VariableLayout[];
  paramSize: number;
  inputSize: number;
}

/** As `autodiff eval` decides: programs with a tensor value anywhere take the v2 path. */
export { isTensorProgram };

/** A problem with the dimension sizes given (an unknown name, a size that is not a positive integer). */
export class DimensionError extends RangeError {
  override name = 'DimensionError';
}

/**
 * Every dimension name of the program with its size: as given, else
 * DEFAULT_DIMENSION_SIZE. A name the program does not have, or a size that is
 * not an integer from 1 to MAX_DIMENSION_SIZE, or sizes that make an input larger
 * than a value may be, is a DimensionError.
 */
export function resolveDims(
  checked: CheckedProgram,
  given?: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
): Map<string, number> {
  const entries = given === undefined ? [] : given instanceof Map ? [...given] : Object.entries(given);
  const known = new Set(checked.dimNames);
  for (const [name, size] of entries) {
    if (!known.has(name)) {
      const has = checked.dimNames.length === 0 ? 'the program has no dimension names' : `its dimension names are ${checked.dimNames.join(', ')}`;
      throw new DimensionError(`'${name}' is not a dimension name of the program (${has})`);
    }
    if (!Number.isInteger(size) || size < 1 || size > MAX_DIMENSION_SIZE) {
      throw new DimensionError(`dimension '${name}' must be an integer from 1 to ${MAX_DIMENSION_SIZE}, not ${size}`);
    }
  }
  const sizesGiven = new Map(entries);
  const sizes = new Map(checked.dimNames.map((d) => [d, sizesGiven.get(d) ?? DEFAULT_DIMENSION_SIZE]));
  // The compiler checks the element limit for literal shapes; with the sizes known it holds for inputs too.
  for (const input of checked.inputs) {
    const elements = input.shape.reduce<number>((n, d) => n * (typeof d === 'number' ? d : sizes.get(d)!), 1);
    if (elements > MAX_VALUE_ELEMENTS) {
      throw new DimensionError(`input '${input.name}' would have ${elements.toLocaleString('en-US')} elements, more than the ${MAX_VALUE_ELEMENTS.toLocaleString('en-US')} a value may hold`);
    }
  }
  return sizes;
}

/** The compiled functions' order of dimension names (the checker's, if the module does not say). */
function dimOrder(program: PreparedProgram): readonly string[] {
  return program.compiled.dimNames ?? program.checked.dimNames;
}

/** The layout for the sizes `dims` (every dimension name of the program must have one). */
export function layoutOf(program: PreparedProgram, dims: ReadonlyMap<string, number>): Layout {
  const { checked } = program;
  const size = (d: Dim, variable: string) => {
    if (typeof d === 'number') return d;
    const s = dims.get(d);
    if (s === undefined) throw new DimensionError(`no size given for dimension '${d}' (of '${variable}')`);
    return s;
  };
  const place = (vars: CheckedProgram['params'], kind: 'param' | 'input') => {
    let offset = 0;
    const out = vars.map((v): VariableLayout => {
      const shape = v.shape.map((d) => size(d, v.name));
      const n = shape.reduce((a, b) => a * b, 1);
      const layout = { name: v.name, kind, declared: v.shape, shape, offset, size: n };
      offset += n;
      return layout;
    });
    return { out, total: offset };
  };
  const params = place(checked.params, 'param');
  const inputs = place(checked.inputs, 'input');
  const order = dimOrder(program);
  const ordered = new Map(order.map((d) => [d, size(d, '')]));
  return {
    tensor: isTensorProgram(checked),
    dims: ordered,
    dimArgs: [...ordered.values()],
    params: params.out,
    inputs: inputs.out,
    paramSize: params.total,
    inputSize: inputs.total,
  };
}

/** A value given for a variable: a number, or a shaped value. */
export type PointValue = TensorValue;

/** The sizes of the dimension names, read from the shapes of a point's values. */
export function dimsOfPoint(program: PreparedProgram, point: ReadonlyMap<string, PointValue>): Map<string, number> {
  const { checked } = program;
  if (checked.dimNames.length === 0) return new Map();
  for (const v of checked.inputs) {
    const given = point.get(v.name);
    if (given === undefined || !v.shape.some((d) => typeof d === 'string')) continue;
    const shape = typeof given === 'number' ? undefined : given.shape;
    if (shape?.length !== v.shape.length) {
      const what = shape === undefined ? 'a number' : `a value of shape ${shapeText(shape)}`;
      throw new Error(`'${v.name}' is declared ${shapeText(v.shape)}, but ${what} was given`);
    }
  }
  return inferDims(checked, point);
}

/** `W[0,1]` for an element of a tensor (row-major flat index `flat`), the name alone for a scalar. */
export function elementName(v: VariableLayout, flat: number): string {
  if (v.shape.length === 0) return v.name;
  return `${v.name}[${elementIndex(v.shape, flat).join(',')}]`;
}

/** The per-axis index of a row-major flat index. */
export function elementIndex(shape: readonly number[], flat: number): number[] {
  const index = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    index[k] = flat % d;
    flat = Math.floor(flat / d);
  }
  return index;
}

/** Each flat param element: its variable and its index in it. */
export function paramElements(layout: Layout): { variable: VariableLayout; flat: number }[] {
  const out: { variable: VariableLayout; flat: number }[] = [];
  for (const v of layout.params) for (let i = 0; i < v.size; i++) out.push({ variable: v, flat: i });
  return out;
}

function valueData(v: VariableLayout, given: PointValue | undefined): ArrayLike<number> {
  if (given === undefined) throw new Error(`no value given for '${v.name}'`);
  if (typeof given === 'number') {
    if (v.shape.length !== 0) throw new Error(`'${v.name}' is declared ${shapeText(v.declared)} (${shapeText(v.shape)}), but a number was given`);
    return [given];
  }
  const fits = given.shape.length === v.shape.length && given.shape.every((d, k) => d === v.shape[k]);
  if (!fits || given.data.length !== v.size) {
    throw new Error(`'${v.name}' is declared ${shapeText(v.declared)} (${shapeText(v.shape)}), but a value of shape ${shapeText(given.shape)} was given`);
  }
  return given.data;
}

const shapeText = (s: readonly Dim[]) => `[${s.join(', ')}]`;

/** The point's params and inputs as the flat arrays the compiled functions take. */
export function flatValues(layout: Layout, point: ReadonlyMap<string, PointValue>): { params: Float64Array; inputs: Float64Array } {
  const fill = (vars: readonly VariableLayout[], total: number) => {
    const out = new Float64Array(total);
    for (const v of vars) out.set(valueData(v, point.get(v.name)), v.offset);
    return out;
  };
  return { params: fill(layout.params, layout.paramSize), inputs: fill(layout.inputs, layout.inputSize) };
}

/** What the tape says at a point: the value, the flat gradient, and each node's values and gradients (for sample.ts). */
export interface TapeResult {
  value: number;
  gradient: Float64Array;
  /** Every node of the tape with its elements and its gradient, and whether it is computed (not a leaf). */
  nodes: () => Iterable<{ data: ArrayLike<number>; grad: ArrayLike<number>; computed: boolean }>;
}

/** Runs the tape engine: `interpret` for a v1 program, `interpretTensor` for a v2 one. */
export function runTape(program: PreparedProgram, layout: Layout, point: ReadonlyMap<string, PointValue>): TapeResult {
  const { checked } = program;
  if (!layout.tensor) {
    const scalars = new Map<string, number>();
    for (const v of [...layout.params, ...layout.inputs]) scalars.set(v.name, valueData(v, point.get(v.name))[0]!);
    const tape = interpret(checked, scalars);
    return {
      value: tape.value,
      gradient: Float64Array.from(checked.params, ({ name }) => tape.gradient.get(name)!),
      nodes: () => topologicalOrder(tape.root).map((v) => ({ data: [v.data], grad: [v.grad], computed: v.children.length > 0 })),
    };
  }
  const tape = interpretTensor(checked, point, layout.dims);
  const gradient = new Float64Array(layout.paramSize);
  for (const v of layout.params) gradient.set(tape.gradient.get(v.name)!.data, v.offset);
  return {
    value: tape.value,
    gradient,
    nodes: () => tensorTopologicalOrder(tape.root).map((t) => ({ data: t.data, grad: t.grad, computed: t.children.length > 0 })),
  };
}

/** The point as `autodiff eval --at` takes it (nested lists for tensors). */
export function pointValueText(value: PointValue): string {
  if (typeof value === 'number') return String(value);
  if (value.shape.length === 0) return String(value.data[0]);
  // Row-major, without recursion: before element i a '[' opens for each axis whose block starts at i, after it a ']' closes each that ends there.
  const { shape, data } = value;
  const blocks = shape.map((_, k) => shape.slice(k).reduce((a, b) => a * b, 1));
  let out = '';
  for (let i = 0; i < data.length; i++) {
    let opens = 0;
    let closes = 0;
    for (const block of blocks) {
      if (i % block === 0) opens++;
      if ((i + 1) % block === 0) closes++;
    }
    out += '['.repeat(opens) + String(data[i]) + ']'.repeat(closes);
    if (i + 1 < data.length) out += ',';
  }
  return out;
}
