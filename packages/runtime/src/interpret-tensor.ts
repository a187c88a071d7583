import { foldExpr, type CheckedProgram, type Expr, type Variable } from '@autodiff/parser';
import { Tensor, type ReduceOptions, type TensorIndexEntry } from './tensor.js';
import { neededBindings, UNARY_FUNCTIONS } from './interpret.js';

/** A shaped value: concrete sizes, elements row-major. */
export interface TensorData {
  shape: number[];
  data: Float64Array;
}

/** What a param or input is given as: a shaped value, or a number for a scalar. */
export type TensorValue = { readonly shape: readonly number[]; readonly data: Float64Array } | number;

export interface InterpretTensorResult {
  value: number;
  /** One entry per parameter, in the program's parameter order (zeros for unused ones); a scalar has shape []. */
  gradient: Map<string, TensorData>;
  /** The output node of the tape, for inspection. */
  root: Tensor;
}

/**
 * A sub-expression's result: a tape node, a plain number (a literal, `pi`,
 * never on the tape), or `SHAPE_ONLY` for a dimension name (or a list holding
 * one, or an empty list), which is no value and may only stand in `reshape`'s
 * shape (read there from the AST).
 */
const SHAPE_ONLY: unique symbol = Symbol('dimension name');
type Result = Tensor | number | typeof SHAPE_ONLY;

// Maps, not object literals: a callee such as 'constructor' must not hit Object.prototype.
const UNARY: ReadonlyMap<string, (x: Tensor) => Tensor> = new Map([
  ...UNARY_FUNCTIONS.map((name) => [name, (x: Tensor) => x[name]()] as const),
  ['transpose', (x: Tensor) => x.transpose()] as const,
]);

/** Elementwise binary operators and two-argument functions (`^` and `pow` are the same); `@` is the matrix product. */
const BINARY: ReadonlyMap<string, (a: Tensor, b: Tensor) => Tensor> = new Map<string, (a: Tensor, b: Tensor) => Tensor>([
  ['+', (a, b) => a.add(b)],
  ['-', (a, b) => a.sub(b)],
  ['*', (a, b) => a.mul(b)],
  ['/', (a, b) => a.div(b)],
  ['^', (a, b) => a.pow(b)],
  ['pow', (a, b) => a.pow(b)],
  ['min', (a, b) => a.min(b)],
  ['max', (a, b) => a.max(b)],
  ['@', (a, b) => a.matmul(b)],
]);

/** Reductions by name (one positional argument; `max`/`min` with one argument reduce). */
const REDUCE: ReadonlyMap<string, (x: Tensor, options: ReduceOptions) => Tensor> = new Map<string, (x: Tensor, options: ReduceOptions) => Tensor>([
  ['sum', (x, o) => x.sum(o)],
  ['mean', (x, o) => x.mean(o)],
  ['max', (x, o) => x.amax(o)],
  ['min', (x, o) => x.amin(o)],
  ['logsumexp', (x, o) => x.logsumexp(o)],
]);

/**
 * Runs a checked (v1 or v2) program on the tensor tape and backpropagates
 * from its output. `values` must give every param and input, in its declared
 * shape; `dims` gives the size of every dimension name (see `inferDims`).
 * Only the bindings the output depends on are evaluated.
 */
export function interpretTensor(
  checked: CheckedProgram,
  values: ReadonlyMap<string, TensorValue>,
  dims: ReadonlyMap<string, number>,
): InterpretTensorResult {
  // How onehot's error names a declared variable, as the generated code does ("input 'y'[2] is 3").
  const variableLabels = new Map([...checked.params.map((x) => [x.name, `param '${x.name}'`] as const), ...checked.inputs.map((x) => [x.name, `input '${x.name}'`] as const)]);
  const env = new Map<string, Result>();
  const params: [string, Tensor][] = [];
  for (const p of checked.params) {
    const v = lookupValue(values, p, dims);
    const leaf = new Tensor(v.shape, v.data, p.name);
    params.push([p.name, leaf]);
    env.set(p.name, leaf);
  }
  for (const i of checked.inputs) {
    const v = lookupValue(values, i, dims);
    env.set(i.name, Tensor.constant(v.shape, v.data, i.name)); // data: no gradient is taken
  }

  // Bindings are defined before use, so source order is a valid evaluation order.
  const needed = neededBindings(checked);
  for (const [name, expr] of checked.bindings) {
    if (!needed.has(name)) continue;
    const r = evaluate(expr, env, dims, variableLabels);
    if (r instanceof Tensor && r.label === '') r.label = name;
    env.set(name, r);
  }

  const out = evaluate(checked.output, env, dims, variableLabels);
  const root = tensor(out);
  if (root.shape.length !== 0) throw new Error(`interpretTensor: the output has shape [${root.shape.join(', ')}], not a scalar`);
  root.backward();
  const gradient = new Map<string, TensorData>();
  for (const [name, leaf] of params) gradient.set(name, { shape: [...leaf.shape], data: Float64Array.from(leaf.grad) });
  return { value: root.item(), gradient, root };
}

/**
 * The size of every dimension name, read from the shapes of the values given
 * for the inputs; a name whose uses get different sizes, or a value of the
 * wrong rank, is an Error.
 */
export function inferDims(checked: CheckedProgram, values: ReadonlyMap<string, TensorValue>): Map<string, number> {
  const dims = new Map<string, number>();
  for (const v of [...checked.params, ...checked.inputs]) {
    const given = values.get(v.name);
    if (given === undefined) continue;
    const shape = typeof given === 'number' ? [] : given.shape;
    if (shape.length !== v.shape.length) continue; // reported by interpretTensor
    v.shape.forEach((d, k) => {
      if (typeof d !== 'string') return;
      const size = shape[k]!;
      const known = dims.get(d);
      if (known !== undefined && known !== size) {
        throw new Error(`'${v.name}' gives dimension '${d}' size ${size}, but an earlier value gave it ${known}`);
      }
      dims.set(d, size);
    });
  }
  return dims;
}

/** The value given for a variable, checked against its declared shape (dimension names resolved through `dims`). */
function lookupValue(values: ReadonlyMap<string, TensorValue>, v: Variable, dims: ReadonlyMap<string, number>): TensorData {
  const given = values.get(v.name);
  if (given === undefined) throw new Error(`interpretTensor: no value given for '${v.name}'`);
  const declared = v.shape.map((d) => {
    if (typeof d === 'number') return d;
    const size = dims.get(d);
    if (size === undefined) throw new Error(`interpretTensor: no size given for dimension '${d}' (of '${v.name}')`);
    return size;
  });
  const value: TensorData = typeof given === 'number' ? { shape: [], data: Float64Array.of(given) } : { shape: [...given.shape], data: Float64Array.from(given.data) };
  const fits = value.shape.length === declared.length && value.shape.every((d, k) => d === declared[k]);
  if (!fits) throw new Error(`interpretTensor: '${v.name}' has shape [${value.shape.join(', ')}], declared [${declared.join(', ')}]`);
  const n = declared.reduce((a, b) => a * b, 1);
  if (value.data.length !== n) throw new Error(`interpretTensor: '${v.name}' of shape [${declared.join(', ')}] needs ${n} elements, got ${value.data.length}`);
  return value;
}

function evaluate(expr: Expr, env: ReadonlyMap<string, Result>, dims: ReadonlyMap<string, number>, variableLabels: ReadonlyMap<string, string>): Result {
  return foldExpr<Result>(expr, (e, args) => {
    switch (e.kind) {
      case 'number':
        return e.value;
      case 'name': {
        const r = env.get(e.name);
        if (r !== undefined) return r;
        if (e.name === 'pi') return Math.PI;
        if (dims.has(e.name)) return SHAPE_ONLY;
        throw new Error(`interpretTensor: unknown name '${e.name}'`);
      }
      case 'unary': {
        const x = args[0]!;
        if (e.op === '+' || x === SHAPE_ONLY) return x;
        return typeof x === 'number' ? -x : x.neg();
      }
      case 'binary':
        return BINARY.get(e.op)!(tensor(args[0]!), tensor(args[1]!));
      case 'index':
        return tensor(args[0]!).index(
          e.entries.map((entry): TensorIndexEntry => (entry.kind === 'at' ? entry.index : { start: entry.start, end: entry.end })),
        );
      case 'stack':
        // a list holding dimension names, or an empty one, can only be reshape's shape: no value
        if (args.length === 0 || args.includes(SHAPE_ONLY)) return SHAPE_ONLY;
        return Tensor.stack(args.map(tensor));
      case 'call':
        return call(e, args, dims, variableLabels);
    }
  });
}

type Call = Extract<Expr, { kind: 'call' }>;

/** `variableLabels`: how onehot's error names each param and input, as the generated code does ("input 'y'[2] is 3"). */
function call(e: Call, args: readonly Result[], dims: ReadonlyMap<string, number>, variableLabels: ReadonlyMap<string, string>): Tensor {
  const { callee } = e;
  const options = keywordOptions(e);
  if (callee === 'reshape' && args.length === 2) return tensor(args[0]!).reshape(reshapeSizes(e.args[1]!, dims));
  if (callee === 'onehot' && args.length === 2) {
    const arg = e.args[0]!;
    const label = arg.kind === 'name' ? (variableLabels.get(arg.name) ?? `'${arg.name}'`) : undefined;
    return Tensor.onehot(tensor(args[0]!), integer(args[1]!, 'onehot'), label);
  }
  if (callee === 'softmax' && args.length === 1) return tensor(args[0]!).softmax(options.axis ?? -1);
  if (callee === 'log_softmax' && args.length === 1) return tensor(args[0]!).logSoftmax(options.axis ?? -1);
  const binary = BINARY.get(callee);
  if (binary && callee !== '@' && args.length === 2) return binary(tensor(args[0]!), tensor(args[1]!));
  const reduce = REDUCE.get(callee);
  if (reduce && args.length === 1) return reduce(tensor(args[0]!), options);
  const unary = UNARY.get(callee);
  if (unary && args.length === 1) return unary(tensor(args[0]!));
  throw new Error(`interpretTensor: unknown function '${callee}' with ${args.length} argument(s)`);
}

/** `axis=k` and `keepdims=true|false`; anything else is an Error (the checker rejects it first). */
function keywordOptions(e: Call): { axis?: number; keepdims?: boolean } {
  const options: { axis?: number; keepdims?: boolean } = {};
  for (const kw of e.keywords ?? []) {
    const v: unknown = kw.value;
    if (kw.name === 'axis' && typeof v === 'number') options.axis = v;
    else if (kw.name === 'keepdims' && (v === true || v === 'true')) options.keepdims = true;
    else if (kw.name === 'keepdims' && (v === false || v === 'false')) options.keepdims = false;
    else throw new Error(`interpretTensor: bad keyword argument '${kw.name}=${String(v)}' in '${e.callee}'`);
  }
  return options;
}

/**
 * The sizes of `reshape(x, [d1, d2, ...])`, read from the AST: number
 * literals, `-1` (unary minus of 1: inferred by `Tensor.reshape`), and
 * dimension names (their sizes from `dims`).
 */
function reshapeSizes(shape: Expr, dims: ReadonlyMap<string, number>): number[] {
  if (shape.kind !== 'stack') throw new Error("interpretTensor: reshape's shape must be a list of sizes");
  return shape.elements.map((d) => {
    if (d.kind === 'number') return d.value;
    if (d.kind === 'unary' && d.operand.kind === 'number') return d.op === '-' ? -d.operand.value : d.operand.value;
    if (d.kind === 'name') {
      const size = dims.get(d.name);
      if (size !== undefined) return size;
    }
    throw new Error("interpretTensor: a size in reshape's shape must be a literal, -1 or a dimension name");
  });
}

function tensor(r: Result): Tensor {
  if (r === SHAPE_ONLY) throw new Error('interpretTensor: a dimension name (or an empty list) is not a value');
  return Tensor.from(r);
}

function integer(r: Result, what: string): number {
  const t = tensor(r);
  const v = t.size === 1 ? t.item() : NaN;
  if (!Number.isInteger(v)) throw new Error(`interpretTensor: ${what} needs an integer literal`);
  return v;
}
