/**
 * The tape engine for shaped values: a `Tensor` is `Value` (value.ts) with an
 * array of doubles in place of one double. Every operation creates a node that
 * remembers its inputs and a closure that adds its local gradient into them.
 *
 * Like value.ts this is the project's independent witness for the compiler's
 * gradients: every local derivative below is written by hand here, with the
 * same elementwise formulas as value.ts, and shares no code with the
 * compiler's op table.
 *
 * Constants (plain numbers, `Tensor.constant`, and anything computed from
 * constants only) never enter the tape: they are not children of any node and
 * get no gradient.
 */
import { gelu, geluGrad, sech2, sigmoid, sigmoidGrad, softplus } from './scalar-math.js';

/** Adds this node's contribution to its children, given d(root)/d(this node), element by element. */
type Backward = (g: Float64Array) => void;

const NO_CHILDREN: readonly Tensor[] = Object.freeze([]);
const noBackward: Backward = () => {};

/** One entry of `index()`: an integer drops the axis (negative counts from the end); a slice keeps it. */
export type TensorIndexEntry = number | { readonly start?: number; readonly end?: number };

/** Where a reduction runs: over all elements (no `axis`) or one axis (negative counts from the end). */
export interface ReduceOptions {
  readonly axis?: number;
  readonly keepdims?: boolean;
}

// ---- scalar helpers: the stable forms of scalar-math.ts, shared with value.ts ----

/** What one side of min/max gets of the cotangent g: nothing if it loses, half on a tie, else all (NaN: neither loses). */
function share(g: number, loses: boolean, tie: boolean): number {
  return loses ? 0 : tie ? g / 2 : g;
}

// ---- shapes ----

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Row-major strides: the step in the flat array for one step along each axis. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    strides[k] = s;
    s *= shape[k]!;
  }
  return strides;
}

/**
 * For every element of an array of shape `shape` (row-major), the flat index
 * `offset + sum(index[k] * strides[k])` of the element it reads from a source
 * array. Broadcasting, transposing and indexing are all such gathers.
 */
function gather(shape: readonly number[], strides: readonly number[], offset: number): Int32Array {
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let src = offset;
  for (let i = 0; i < n; i++) {
    out[i] = src;
    // odometer: step the last axis, carrying into earlier ones
    for (let k = rank - 1; k >= 0; k--) {
      index[k]!++;
      src += strides[k]!;
      if (index[k]! < shape[k]!) break;
      src -= strides[k]! * shape[k]!;
      index[k] = 0;
    }
  }
  return out;
}

/** NumPy broadcasting: aligned at the last axis, a missing axis counts as 1, a 1 stretches. */
function broadcastShape(a: readonly number[], b: readonly number[], op: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let k = 1; k <= rank; k++) {
    const x = k <= a.length ? a[a.length - k]! : 1;
    const y = k <= b.length ? b[b.length - k]! : 1;
    if (x === y || y === 1) out[rank - k] = x;
    else if (x === 1) out[rank - k] = y;
    else throw new RangeError(`cannot broadcast ${formatShape(a)} with ${formatShape(b)} in '${op}': ${x} vs ${y}`);
  }
  return out;
}

/** Where each element of the broadcast shape `to` reads from an operand of shape `from`; null when no broadcast happens. */
function broadcastMap(from: readonly number[], to: readonly number[]): Int32Array | null {
  if (sameShape(from, to)) return null;
  const fromStrides = stridesOf(from);
  const lead = to.length - from.length;
  const strides = to.map((_, k) => (k < lead || from[k - lead] === 1 ? 0 : fromStrides[k - lead]!));
  return gather(to, strides, 0);
}

function normalizeAxis(axis: number, rank: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new RangeError(`${op}: axis ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * A reduction's layout: the input as [outer, n, inner] (n the reduced length),
 * element (o, j, i) at o*n*inner + j*inner + i, its result at o*inner + i.
 */
interface Layout {
  outer: number;
  n: number;
  inner: number;
  shape: number[];
}

/** Calls `f` for each slice a reduction or a softmax runs along: its first element in x, and its place in the result. */
function forEachSlice({ outer, n, inner }: Layout, f: (start: number, at: number) => void): void {
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) f(o * n * inner + i, o * inner + i);
}

function reduceLayout(shape: readonly number[], op: string, options: ReduceOptions = {}): Layout {
  const keep = options.keepdims === true;
  if (options.axis === undefined) {
    return { outer: 1, n: sizeOf(shape), inner: 1, shape: keep ? shape.map(() => 1) : [] };
  }
  const a = normalizeAxis(options.axis, shape.length, op);
  return {
    outer: sizeOf(shape.slice(0, a)),
    n: shape[a]!,
    inner: sizeOf(shape.slice(a + 1)),
    shape: keep ? shape.map((d, k) => (k === a ? 1 : d)) : shape.filter((_, k) => k !== a),
  };
}

/** The layout of a softmax along `axis` (the result keeps the input's shape). */
function axisLayout(shape: readonly number[], axis: number, op: string): Layout {
  if (shape.length === 0) throw new RangeError(`${op}: needs rank >= 1, got a scalar`);
  return { ...reduceLayout(shape, op, { axis }), shape: [...shape] };
}

/** The stable max of one slice for logsumexp: the slice's max, or 0 where that is not finite. */
function stableMax(x: Float64Array, start: number, n: number, stride: number): number {
  let m = -Infinity;
  for (let j = 0; j < n; j++) m = Math.max(m, x[start + j * stride]!);
  return Number.isFinite(m) ? m : 0;
}

/** m + log(sum(exp(x - m))) over one slice (the spec's stable form). */
function sliceLogsumexp(x: Float64Array, start: number, n: number, stride: number): number {
  const m = stableMax(x, start, n, stride);
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(x[start + j * stride]! - m);
  return m + Math.log(s);
}

// ---- the node ----

export class Tensor {
  /** Concrete sizes; [] is a scalar. */
  readonly shape: number[];
  /** The elements, row-major. */
  data: Float64Array;
  /** d(root)/d(this), element by element, filled in by `backward()` on some root. */
  grad: Float64Array;
  label: string;
  readonly children: readonly Tensor[];
  readonly op: string;
  /** False for a constant: it is nobody's child and gets no gradient. */
  readonly requiresGrad: boolean;
  private readonly backwardFn: Backward;

  /**
   * `new Tensor(shape, data)` makes a leaf that gets a gradient (a param).
   * The last four arguments are for the operations below, which build interior nodes.
   */
  constructor(
    shape: readonly number[],
    data: Float64Array | readonly number[],
    label = '',
    children: readonly Tensor[] = NO_CHILDREN,
    op = '',
    backward: Backward = noBackward,
    requiresGrad = true,
  ) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new RangeError(`Tensor: a size must be a non-negative integer, got ${formatShape(shape)}`);
    }
    const n = sizeOf(shape);
    if (data.length !== n) throw new RangeError(`Tensor: shape ${formatShape(shape)} has ${n} elements, got ${data.length}`);
    this.shape = [...shape];
    this.data = data instanceof Float64Array ? data : Float64Array.from(data);
    this.grad = new Float64Array(n);
    this.label = label;
    this.children = children;
    this.op = op;
    this.backwardFn = backward;
    this.requiresGrad = requiresGrad;
  }

  /** A constant: no gradient is taken. */
  static constant(shape: readonly number[], data: Float64Array | readonly number[], label = ''): Tensor {
    return new Tensor(shape, data, label, NO_CHILDREN, '', noBackward, false);
  }

  /** A constant scalar. */
  static scalar(x: number, label = ''): Tensor {
    return Tensor.constant([], Float64Array.of(x), label);
  }

  /** A tensor as it is; a number as a constant scalar. */
  static from(x: Tensor | number): Tensor {
    return x instanceof Tensor ? x : Tensor.scalar(x);
  }

  get size(): number {
    return this.data.length;
  }

  /** The one element of a tensor with one element. */
  item(): number {
    if (this.data.length !== 1) throw new RangeError(`item: shape ${formatShape(this.shape)} has ${this.data.length} elements, not 1`);
    return this.data[0]!;
  }

  // ---- elementwise binary operations, with broadcasting; the other operand may be a plain number (a constant) ----

  add(other: Tensor | number): Tensor {
    return binary(this, other, '+', (x, y) => x + y, (g) => g, (g) => g);
  }

  sub(other: Tensor | number): Tensor {
    return binary(this, other, '-', (x, y) => x - y, (g) => g, (g) => -g);
  }

  mul(other: Tensor | number): Tensor {
    return binary(this, other, '*', (x, y) => x * y, (g, _x, y) => g * y, (g, x) => g * x);
  }

  div(other: Tensor | number): Tensor {
    // d(a/b)/db = -a/b^2, divided twice so b^2 cannot overflow
    return binary(this, other, '/', (x, y) => x / y, (g, _x, y) => g / y, (g, x, y) => (-g * (x / y)) / y);
  }

  /**
   * a^b. d/da = b*a^(b-1), d/db = a^b*log(a); where these give 0*inf we
   * follow PyTorch (as value.ts): d/da = 0 when b == 0 (whatever g is), and
   * the factor a^b*log(a) is 0 when a == 0 and b >= 0.
   */
  pow(other: Tensor | number): Tensor {
    return binary(
      this,
      other,
      '^',
      (x, y) => Math.pow(x, y),
      (g, x, y) => (y === 0 ? 0 : g * (y * Math.pow(x, y - 1))),
      (g, x, y, out) => g * (x === 0 && y >= 0 ? 0 : out * Math.log(x)),
    );
  }

  /** Elementwise min, as PyTorch's `minimum`: the larger side gets nothing, a tie half each, a NaN side makes both get g. */
  min(other: Tensor | number): Tensor {
    return binary(
      this,
      other,
      'min',
      (x, y) => Math.min(x, y),
      (g, x, y) => share(g, x > y, x === y),
      (g, x, y) => share(g, y > x, x === y),
    );
  }

  /** Elementwise max, as PyTorch's `maximum` (see min). */
  max(other: Tensor | number): Tensor {
    return binary(
      this,
      other,
      'max',
      (x, y) => Math.max(x, y),
      (g, x, y) => share(g, x < y, x === y),
      (g, x, y) => share(g, y < x, x === y),
    );
  }

  // ---- elementwise unary operations ----

  neg(): Tensor {
    return unary(this, 'neg', (x) => -x, (g) => -g);
  }

  sin(): Tensor {
    return unary(this, 'sin', Math.sin, (g, x) => g * Math.cos(x));
  }

  cos(): Tensor {
    return unary(this, 'cos', Math.cos, (g, x) => -g * Math.sin(x));
  }

  tan(): Tensor {
    return unary(this, 'tan', Math.tan, (g, _x, t) => g * (1 + t * t));
  }

  asin(): Tensor {
    // (1-x)(1+x) instead of 1-x^2: no cancellation near |x| = 1
    return unary(this, 'asin', Math.asin, (g, x) => g / Math.sqrt((1 - x) * (1 + x)));
  }

  acos(): Tensor {
    return unary(this, 'acos', Math.acos, (g, x) => -g / Math.sqrt((1 - x) * (1 + x)));
  }

  atan(): Tensor {
    return unary(this, 'atan', Math.atan, (g, x) => g / (1 + x * x));
  }

  sinh(): Tensor {
    return unary(this, 'sinh', Math.sinh, (g, x) => g * Math.cosh(x));
  }

  cosh(): Tensor {
    return unary(this, 'cosh', Math.cosh, (g, x) => g * Math.sinh(x));
  }

  tanh(): Tensor {
    return unary(this, 'tanh', Math.tanh, (g, x) => g * sech2(x));
  }

  exp(): Tensor {
    return unary(this, 'exp', Math.exp, (g, _x, e) => g * e);
  }

  log(): Tensor {
    return unary(this, 'log', Math.log, (g, x) => g / x);
  }

  log1p(): Tensor {
    return unary(this, 'log1p', Math.log1p, (g, x) => g / (1 + x));
  }

  sqrt(): Tensor {
    return unary(this, 'sqrt', Math.sqrt, (g, _x, r) => g / (2 * r));
  }

  /** abs' is the sign, 0 at 0 and at NaN (torch.sign). */
  abs(): Tensor {
    return unary(this, 'abs', Math.abs, (g, x) => g * (x > 0 ? 1 : x < 0 ? -1 : 0));
  }

  sigmoid(): Tensor {
    return unary(this, 'sigmoid', sigmoid, (g, x) => g * sigmoidGrad(x));
  }

  /** relu' is 0 where x <= 0, else 1: relu'(0) = 0 and relu'(NaN) passes g (PyTorch). */
  relu(): Tensor {
    return unary(this, 'relu', (x) => Math.max(x, 0), (g, x) => (x <= 0 ? 0 : g));
  }

  softplus(): Tensor {
    return unary(this, 'softplus', softplus, (g, x) => g * sigmoid(x));
  }

  /** gelu, tanh approximation, computed as x*sigmoid(2u) (see value.ts). */
  gelu(): Tensor {
    return unary(this, 'gelu', gelu, (g, x) => g * geluGrad(x));
  }

  // ---- matrix product ----

  /** `[k]@[k] -> []`, `[m,k]@[k] -> [m]`, `[k]@[k,p] -> [p]`, `[m,k]@[k,p] -> [m,p]`. */
  matmul(other: Tensor | number): Tensor {
    const a = this;
    const b = Tensor.from(other);
    const ra = a.shape.length;
    const rb = b.shape.length;
    if (ra < 1 || ra > 2 || rb < 1 || rb > 2) {
      throw new RangeError(`matmul: takes rank 1 and 2, got ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
    }
    const m = ra === 2 ? a.shape[0]! : 1;
    const k = a.shape[ra - 1]!;
    const p = rb === 2 ? b.shape[1]! : 1;
    if (b.shape[0] !== k) {
      throw new RangeError(`matmul: inner dimensions differ in ${formatShape(a.shape)} @ ${formatShape(b.shape)}: ${k} vs ${b.shape[0]}`);
    }
    const shape = [...(ra === 2 ? [m] : []), ...(rb === 2 ? [p] : [])];
    const A = a.data;
    const B = b.data;
    const out = new Float64Array(m * p);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < p; j++) {
        let s = 0;
        for (let l = 0; l < k; l++) s += A[i * k + l]! * B[l * p + j]!;
        out[i * p + j] = s;
      }
    }
    return node(shape, out, '@', [a, b], (g) => {
      if (a.requiresGrad) {
        // dA = g @ B^T
        const ga = a.grad;
        for (let i = 0; i < m; i++) {
          for (let l = 0; l < k; l++) {
            let s = 0;
            for (let j = 0; j < p; j++) s += g[i * p + j]! * B[l * p + j]!;
            ga[i * k + l]! += s;
          }
        }
      }
      if (b.requiresGrad) {
        // dB = A^T @ g
        const gb = b.grad;
        for (let l = 0; l < k; l++) {
          for (let j = 0; j < p; j++) {
            let s = 0;
            for (let i = 0; i < m; i++) s += A[i * k + l]! * g[i * p + j]!;
            gb[l * p + j]! += s;
          }
        }
      }
    });
  }

  // ---- reductions ----

  sum(options: ReduceOptions = {}): Tensor {
    return this.sumOrMean(options, false);
  }

  /** The sum divided by the number of elements reduced. */
  mean(options: ReduceOptions = {}): Tensor {
    return this.sumOrMean(options, true);
  }

  /** The sum over each slice (divided by its length for a mean); the gradient spreads g back alike. */
  private sumOrMean(options: ReduceOptions, mean: boolean): Tensor {
    const x = this;
    const op = mean ? 'mean' : 'sum';
    const layout = reduceLayout(x.shape, op, options);
    const { n, inner } = layout;
    const out = new Float64Array(layout.outer * inner);
    forEachSlice(layout, (start, at) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += x.data[start + j * inner]!;
      out[at] = mean ? s / n : s;
    });
    return node(layout.shape, out, op, [x], (g) => {
      forEachSlice(layout, (start, at) => {
        const gi = mean ? g[at]! / n : g[at]!;
        for (let j = 0; j < n; j++) x.grad[start + j * inner]! += gi;
      });
    });
  }

  /** The largest element (NaN if any is NaN); the gradient is split evenly among the elements equal to it (PyTorch's amax). */
  amax(options: ReduceOptions = {}): Tensor {
    return extremum(this, 'max', options);
  }

  /** The smallest element (see amax). */
  amin(options: ReduceOptions = {}): Tensor {
    return extremum(this, 'min', options);
  }

  /**
   * m + log(sum(exp(x - m))), m the max of each slice reduced, taken as 0
   * where it is not finite: all -Infinity gives -Infinity, not NaN. The
   * gradient is g * softmax(x) = g * exp(x - out), as PyTorch's (and the
   * generated code's): exactly 0 for one -Infinity among finite values, NaN
   * for a slice that is all -Infinity (0/0 in the math).
   */
  logsumexp(options: ReduceOptions = {}): Tensor {
    const x = this;
    const layout = reduceLayout(x.shape, 'logsumexp', options);
    const { n, inner } = layout;
    const out = new Float64Array(layout.outer * inner);
    forEachSlice(layout, (start, at) => { out[at] = sliceLogsumexp(x.data, start, n, inner); });
    return node(layout.shape, out, 'logsumexp', [x], (g) => {
      forEachSlice(layout, (start, at) => {
        for (let j = 0; j < n; j++) x.grad[start + j * inner]! += g[at]! * Math.exp(x.data[start + j * inner]! - out[at]!);
      });
    });
  }

  /** exp(x - logsumexp(x, axis, keepdims)); the gradient is the full Jacobian product s * (g - sum(g * s)). */
  softmax(axis = -1): Tensor {
    const x = this;
    const layout = axisLayout(x.shape, axis, 'softmax');
    const { n, inner } = layout;
    const out = new Float64Array(x.size);
    forEachSlice(layout, (start) => {
      const lse = sliceLogsumexp(x.data, start, n, inner);
      for (let j = 0; j < n; j++) out[start + j * inner] = Math.exp(x.data[start + j * inner]! - lse);
    });
    return node(layout.shape, out, 'softmax', [x], (g) => {
      forEachSlice(layout, (start) => {
        let dot = 0;
        for (let j = 0; j < n; j++) dot += g[start + j * inner]! * out[start + j * inner]!;
        for (let j = 0; j < n; j++) {
          const at = start + j * inner;
          x.grad[at]! += out[at]! * (g[at]! - dot);
        }
      });
    });
  }

  /** x - logsumexp(x, axis, keepdims): log_softmax([1000, -1000, 0]) is [0, -2000, -1000] exactly. Gradient g - softmax(x) * sum(g). */
  logSoftmax(axis = -1): Tensor {
    const x = this;
    const layout = axisLayout(x.shape, axis, 'log_softmax');
    const { n, inner } = layout;
    const out = new Float64Array(x.size);
    forEachSlice(layout, (start) => {
      const lse = sliceLogsumexp(x.data, start, n, inner);
      for (let j = 0; j < n; j++) out[start + j * inner] = x.data[start + j * inner]! - lse;
    });
    return node(layout.shape, out, 'log_softmax', [x], (g) => {
      forEachSlice(layout, (start) => {
        let total = 0;
        for (let j = 0; j < n; j++) total += g[start + j * inner]!;
        for (let j = 0; j < n; j++) {
          const at = start + j * inner;
          // softmax(x) = exp(x - logsumexp(x)) = exp(out)
          x.grad[at]! += g[at]! - Math.exp(out[at]!) * total;
        }
      });
    });
  }

  // ---- shapes ----

  /** Axes reversed ([m, k] -> [k, m]; a vector or a scalar is unchanged). */
  transpose(): Tensor {
    const x = this;
    const shape = [...x.shape].reverse();
    const from = gather(shape, stridesOf(x.shape).reverse(), 0);
    return gathered(x, shape, from, 'transpose');
  }

  /** The same elements, row-major, in a new shape; one size may be -1 (inferred from the element count). */
  reshape(sizes: readonly number[]): Tensor {
    const x = this;
    const shape = [...sizes];
    const inferred = shape.indexOf(-1);
    if (inferred !== shape.lastIndexOf(-1)) throw new RangeError(`reshape: only one size may be -1, got ${formatShape(sizes)}`);
    if (inferred >= 0) {
      const known = sizeOf(shape.filter((_, k) => k !== inferred));
      if (known === 0 || x.size % known !== 0) {
        throw new RangeError(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(sizes)}`);
      }
      shape[inferred] = x.size / known;
    }
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new RangeError(`reshape: bad size in ${formatShape(sizes)}`);
    }
    if (sizeOf(shape) !== x.size) {
      throw new RangeError(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)} (${sizeOf(shape)} elements)`);
    }
    return node(shape, Float64Array.from(x.data), 'reshape', [x], (g) => {
      for (let i = 0; i < g.length; i++) x.grad[i]! += g[i]!;
    });
  }

  /**
   * `x[e0, e1, ...]`, one entry per axis from the left: an integer drops the
   * axis (negative counts from the end), `{ start, end }` keeps it (`end`
   * excluded, either may be omitted, negative counts from the end). Omitted
   * trailing entries are the whole axis. Out of range, or an empty slice, is a RangeError (no clamping).
   */
  index(entries: readonly TensorIndexEntry[]): Tensor {
    const x = this;
    if (entries.length > x.shape.length) {
      throw new RangeError(`index: ${entries.length} indices for shape ${formatShape(x.shape)}`);
    }
    const strides = stridesOf(x.shape);
    const shape: number[] = [];
    const outStrides: number[] = [];
    let offset = 0;
    for (let k = 0; k < x.shape.length; k++) {
      const size = x.shape[k]!;
      const e = k < entries.length ? entries[k]! : {};
      if (typeof e === 'number') {
        const i = e < 0 ? e + size : e;
        if (!Number.isInteger(e) || i < 0 || i >= size) throw new RangeError(`index: ${e} is out of range for axis ${k} of size ${size}`);
        offset += i * strides[k]!;
      } else {
        const start = e.start === undefined ? 0 : e.start < 0 ? e.start + size : e.start;
        const end = e.end === undefined ? size : e.end < 0 ? e.end + size : e.end;
        if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > size || start >= end) {
          throw new RangeError(`index: the slice ${e.start ?? ''}:${e.end ?? ''} is empty or outside axis ${k} of size ${size}`);
        }
        offset += start * strides[k]!;
        shape.push(end - start);
        outStrides.push(strides[k]!);
      }
    }
    return gathered(x, shape, gather(shape, outStrides, offset), 'index');
  }

  /** The items (of one shape; a number is a constant scalar) along a new first axis. */
  static stack(items: readonly (Tensor | number)[]): Tensor {
    if (items.length === 0) throw new RangeError('stack: needs at least one element');
    const parts = items.map((t) => Tensor.from(t));
    const first = parts[0]!.shape;
    for (const t of parts) {
      if (!sameShape(t.shape, first)) throw new RangeError(`stack: elements of different shapes, ${formatShape(first)} and ${formatShape(t.shape)}`);
    }
    const size = sizeOf(first);
    const out = new Float64Array(size * parts.length);
    parts.forEach((t, i) => out.set(t.data, i * size));
    return node([parts.length, ...first], out, 'stack', parts, (g) => {
      parts.forEach((t, i) => {
        if (!t.requiresGrad) return;
        for (let j = 0; j < size; j++) t.grad[j]! += g[i * size + j]!;
      });
    });
  }

  /**
   * `y`'s shape plus a last axis of size k: 1 where the position equals y's
   * value, else 0. A constant: no gradient flows into y. Every value of y must
   * be an integer in [0, k), else a RangeError naming `label` (what the value
   * is, e.g. "input 'y'"; default: y's label quoted) and the flat index of the
   * first bad value, as the generated code words it.
   */
  static onehot(y: Tensor | number, k: number, label?: string): Tensor {
    const t = Tensor.from(y);
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`onehot: k must be a positive integer, got ${k}`);
    const name = label ?? (t.label === '' ? 'its argument' : `'${t.label}'`);
    const out = new Float64Array(t.size * k);
    for (let i = 0; i < t.size; i++) {
      const v = t.data[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= k) {
        throw new RangeError(`onehot: ${name}[${i}] is ${v}, not an integer in [0, ${k})`);
      }
      out[i * k + v] = 1;
    }
    return Tensor.constant([...t.shape, k], out);
  }

  // ---- gradients ----

  /**
   * Sets `grad` on every node of the graph to d(this)/d(node); `this` must
   * have one element. Every grad in the graph is first reset to 0, so calling
   * `backward()` twice gives the same grads as calling it once.
   */
  backward(): void {
    if (this.data.length !== 1) throw new RangeError(`backward: the root must have one element, got shape ${formatShape(this.shape)}`);
    const order = tensorTopologicalOrder(this);
    for (const t of order) t.grad.fill(0);
    this.grad[0] = 1;
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      t.backwardFn(t.grad);
    }
  }

  /** Sets every grad in the graph under this node to 0. */
  zeroGrad(): void {
    for (const t of tensorTopologicalOrder(this)) t.grad.fill(0);
  }
}

/**
 * Every node reachable from `root`, each once, children before parents (so
 * `root` is last). Depth-first with an explicit stack: deep graphs must not
 * overflow the call stack.
 */
export function tensorTopologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: Tensor[] = [root];
  const nextChild: number[] = [0]; // per stack entry: which child to visit next
  while (stack.length > 0) {
    const top = stack.length - 1;
    const t = stack[top]!;
    const i = nextChild[top]!;
    if (i < t.children.length) {
      nextChild[top] = i + 1;
      const c = t.children[i]!;
      if (!seen.has(c)) {
        seen.add(c);
        stack.push(c);
        nextChild.push(0);
      }
    } else {
      order.push(t);
      stack.pop();
      nextChild.pop();
    }
  }
  return order;
}

/**
 * An interior node over `inputs`; its children are the inputs that take a
 * gradient. With none it is a constant (no children, no backward).
 * Backward closures must still skip inputs whose `requiresGrad` is false.
 */
function node(shape: readonly number[], data: Float64Array, op: string, inputs: readonly Tensor[], backward: Backward): Tensor {
  const children = inputs.filter((t) => t.requiresGrad);
  if (children.length === 0) return new Tensor(shape, data, '', NO_CHILDREN, op, noBackward, false);
  return new Tensor(shape, data, '', children, op, backward, true);
}

/** One side's local derivative: (g, x, y, out) -> its share of g. */
type LocalGrad = (g: number, x: number, y: number, out: number) => number;

function binary(a: Tensor, other: Tensor | number, op: string, f: (x: number, y: number) => number, da: LocalGrad, db: LocalGrad): Tensor {
  const b = Tensor.from(other);
  const shape = broadcastShape(a.shape, b.shape, op);
  const ia = broadcastMap(a.shape, shape);
  const ib = broadcastMap(b.shape, shape);
  const n = sizeOf(shape);
  const out = new Float64Array(n);
  const A = a.data;
  const B = b.data;
  for (let i = 0; i < n; i++) out[i] = f(A[ia ? ia[i]! : i]!, B[ib ? ib[i]! : i]!);
  return node(shape, out, op, [a, b], (g) => {
    // += into the operand's element: a broadcast operand sums over the broadcast axes
    for (let i = 0; i < n; i++) {
      const ja = ia ? ia[i]! : i;
      const jb = ib ? ib[i]! : i;
      const x = A[ja]!;
      const y = B[jb]!;
      if (a.requiresGrad) a.grad[ja]! += da(g[i]!, x, y, out[i]!);
      if (b.requiresGrad) b.grad[jb]! += db(g[i]!, x, y, out[i]!);
    }
  });
}

function unary(x: Tensor, op: string, f: (v: number) => number, df: (g: number, v: number, out: number) => number): Tensor {
  const n = x.size;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(x.data[i]!);
  return node(x.shape, out, op, [x], (g) => {
    for (let i = 0; i < n; i++) x.grad[i]! += df(g[i]!, x.data[i]!, out[i]!);
  });
}

/** out[i] = x[from[i]]; the gradient scatters back. */
function gathered(x: Tensor, shape: readonly number[], from: Int32Array, op: string): Tensor {
  const out = new Float64Array(from.length);
  for (let i = 0; i < from.length; i++) out[i] = x.data[from[i]!]!;
  return node(shape, out, op, [x], (g) => {
    for (let i = 0; i < from.length; i++) x.grad[from[i]!]! += g[i]!;
  });
}

/**
 * max/min over all elements or one axis. The gradient of each slice goes to
 * the elements equal to its result, split evenly among them (PyTorch's
 * amax/amin); the others get 0. A slice whose result is NaN (it holds a NaN)
 * matches no element: as PyTorch's (g / 0) * 0, every element gets NaN.
 */
function extremum(x: Tensor, which: 'max' | 'min', options: ReduceOptions): Tensor {
  const layout = reduceLayout(x.shape, which, options);
  const { n, inner } = layout;
  if (n === 0) throw new RangeError(`${which}: reduces zero elements`);
  const pick = which === 'max' ? Math.max : Math.min;
  const out = new Float64Array(layout.outer * inner);
  forEachSlice(layout, (start, at) => {
    let m = x.data[start]!;
    for (let j = 1; j < n; j++) m = pick(m, x.data[start + j * inner]!);
    out[at] = m;
  });
  return node(layout.shape, out, which, [x], (g) => {
    forEachSlice(layout, (start, at) => {
      const m = out[at]!;
      // The elements equal to the result share g, as a product with the mask (PyTorch 1.13's
      // amax backward): the others get 0 * g/ties, NaN for an infinite g; a NaN result, which no
      // element equals, gives the slice g/0 * 0 = NaN.
      let ties = 0;
      for (let j = 0; j < n; j++) if (x.data[start + j * inner] === m) ties++;
      const gi = g[at]! / ties;
      for (let j = 0; j < n; j++) x.grad[start + j * inner]! += (x.data[start + j * inner] === m ? 1 : 0) * gi;
    });
  });
}
