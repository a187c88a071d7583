import { describe, it, expect } from 'vitest';
import { Tensor, tensorTopologicalOrder, type ReduceOptions, type TensorIndexEntry } from './tensor.js';
import { finiteDifferenceGradient } from './finiteDiff.js';
import { Value } from './value.js';
import { seededRandom } from './optim/random.js';

// ---- helpers ----

const random = seededRandom(20240601);

function uniform(lo: number, hi: number): number {
  return lo + (hi - lo) * random();
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function randomData(shape: readonly number[], sample: () => number = () => uniform(-2, 2)): Float64Array {
  return Float64Array.from({ length: sizeOf(shape) }, sample);
}

/** A random shape of rank in [minRank, maxRank], sizes 1..4. */
function randomShape(minRank = 0, maxRank = 3): number[] {
  const rank = minRank + Math.floor(random() * (maxRank - minRank + 1));
  return Array.from({ length: rank }, () => 1 + Math.floor(random() * 4));
}

/** Two shapes that broadcast: a common shape with leading axes dropped and some sizes set to 1 on either side. */
function broadcastPair(): [number[], number[]] {
  const full = randomShape(1, 3);
  const thin = (s: number[]) => s.slice(Math.floor(random() * (s.length + 1))).map((d) => (random() < 0.3 ? 1 : d));
  return [random() < 0.5 ? full : thin(full), thin(full)];
}

/** Central differences (finiteDiff.ts) of a scalar function of several tensors, one tensor at a time. */
function centralDifferences(f: (xs: Float64Array[]) => number, at: readonly Float64Array[]): Float64Array[] {
  const xs = at.map((a) => Float64Array.from(a));
  return xs.map((x, k) => finiteDifferenceGradient((v) => f(xs.map((other, j) => (j === k ? v : other))), x));
}

/** |actual - expected| <= rel * max(1, |expected|), and finite. */
function expectClose(actual: number, expected: number, rel = 1e-6, what = ''): void {
  expect(Number.isFinite(actual), `${what} ${actual} should be finite`).toBe(true);
  expect(Math.abs(actual - expected), `${what} ${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-6, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i]!, expected[i]!, rel, `${what}[${i}]`);
}

/** A fixed random weighting, so the cotangent reaching `build`'s output is not all ones. */
function weigh(t: Tensor, weights: Map<string, Float64Array>): Tensor {
  const key = t.shape.join(',');
  let w = weights.get(key);
  if (w === undefined) {
    w = randomData(t.shape, () => uniform(-1.5, 1.5));
    weights.set(key, w);
  }
  return t.mul(Tensor.constant(t.shape, w)).sum();
}

/**
 * The tape gradient of sum(build(leaves) * W), W a fixed random weight of the
 * output's shape, against central differences, for leaves of the given shapes.
 * Returns the output of one tape run for further checks.
 */
function checkGradient(
  build: (xs: Tensor[]) => Tensor,
  shapes: readonly (readonly number[])[],
  sample: () => number = () => uniform(-2, 2),
  rel = 1e-6,
): Tensor {
  const at = shapes.map((s) => randomData(s, sample));
  const weights = new Map<string, Float64Array>();
  const leaves = at.map((d, i) => new Tensor(shapes[i]!, Float64Array.from(d), `x${i}`));
  const out = build(leaves);
  weigh(out, weights).backward();
  const fd = centralDifferences((xs) => weigh(build(xs.map((d, i) => Tensor.constant(shapes[i]!, d))), weights).item(), at);
  leaves.forEach((leaf, i) => expectAllClose(leaf.grad, fd[i]!, rel, `d/dx${i} of shape [${shapes[i]}]`));
  return out;
}

/** Index of a row-major position in a shape. */
function flat(shape: readonly number[], index: readonly number[]): number {
  let f = 0;
  for (let k = 0; k < shape.length; k++) f = f * shape[k]! + index[k]!;
  return f;
}

function leaf(shape: readonly number[], data: readonly number[]): Tensor {
  return new Tensor(shape, Float64Array.from(data));
}

const grad = (t: Tensor): number[] => Array.from(t.grad);
const data = (t: Tensor): number[] => Array.from(t.data);

// ---- elementwise ----

type Binary = (a: Tensor, b: Tensor | number) => Tensor;

const BINARY: [string, Binary, () => number, () => number][] = [
  ['add', (a, b) => a.add(b), () => uniform(-2, 2), () => uniform(-2, 2)],
  ['sub', (a, b) => a.sub(b), () => uniform(-2, 2), () => uniform(-2, 2)],
  ['mul', (a, b) => a.mul(b), () => uniform(-2, 2), () => uniform(-2, 2)],
  ['div', (a, b) => a.div(b), () => uniform(-2, 2), () => (random() < 0.5 ? -1 : 1) * uniform(0.5, 2)],
  ['pow', (a, b) => a.pow(b), () => uniform(0.3, 2), () => uniform(-2, 2.5)],
  ['min', (a, b) => a.min(b), () => uniform(-2, 2), () => uniform(-2, 2)],
  ['max', (a, b) => a.max(b), () => uniform(-2, 2), () => uniform(-2, 2)],
];

describe('elementwise binary operations vs central differences', () => {
  for (const [name, f, sa, sb] of BINARY) {
    it(`${name}: same shapes, broadcast pairs, scalars with tensors`, () => {
      const pairs: [number[], number[]][] = [
        [[3, 4], [3, 4]],
        [[3, 1], [4]],
        [[4], [3, 1]],
        [[], [2, 3]],
        [[2, 3], []],
        [[2, 1, 3], [4, 1]],
        [[], []],
      ];
      for (let i = 0; i < 6; i++) pairs.push(broadcastPair());
      for (const [s, t] of pairs) {
        // each leaf with its own sampler: pow needs a positive base, div a divisor away from 0
        const at = [randomData(s, sa), randomData(t, sb)];
        const weights = new Map<string, Float64Array>();
        const a = new Tensor(s, Float64Array.from(at[0]!));
        const b = new Tensor(t, Float64Array.from(at[1]!));
        const out = f(a, b);
        const expectedShape = Array.from({ length: Math.max(s.length, t.length) }, (_, k) => {
          const x = s[s.length - Math.max(s.length, t.length) + k] ?? 1;
          const y = t[t.length - Math.max(s.length, t.length) + k] ?? 1;
          return Math.max(x, y);
        });
        expect(out.shape).toEqual(expectedShape);
        weigh(out, weights).backward();
        const fd = centralDifferences(([x, y]) => weigh(f(Tensor.constant(s, x!), Tensor.constant(t, y!)), weights).item(), at);
        expectAllClose(a.grad, fd[0]!, 1e-6, `${name} [${s}] with [${t}]: d/da`);
        expectAllClose(b.grad, fd[1]!, 1e-6, `${name} [${s}] with [${t}]: d/db`);
      }
    });

    it(`${name}: a plain number is a constant, not a node`, () => {
      const shape = randomShape(1, 3);
      const a = new Tensor(shape, randomData(shape, sa));
      const c = sb();
      const out = f(a, c);
      expect(out.children).toEqual([a]);
      const weights = new Map<string, Float64Array>();
      weigh(out, weights).backward();
      const fd = centralDifferences(([x]) => weigh(f(Tensor.constant(shape, x!), c), weights).item(), [a.data]);
      expectAllClose(a.grad, fd[0]!, 1e-6, name);
    });
  }

  it('the gradient of a broadcast operand is summed over the broadcast axes (by hand)', () => {
    const a = leaf([3, 1], [1, 2, 3]);
    const b = leaf([4], [10, 20, 30, 40]);
    const s = a.add(b);
    expect(s.shape).toEqual([3, 4]);
    expect(data(s)).toEqual([11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43]);
    s.sum().backward();
    expect(grad(a)).toEqual([4, 4, 4]);
    expect(grad(b)).toEqual([3, 3, 3, 3]);
    // a*b: d/da_i = sum_j b_j = 100, d/db_j = sum_i a_i = 6
    const p = a.mul(b);
    p.sum().backward();
    expect(grad(a)).toEqual([100, 100, 100]);
    expect(grad(b)).toEqual([6, 6, 6, 6]);
  });

  it('a scalar leaf broadcast over a tensor gets the sum', () => {
    const c = leaf([], [2]);
    const v = leaf([2, 2], [1, 2, 3, 4]);
    c.mul(v).sum().backward();
    expect(grad(c)).toEqual([10]);
    expect(grad(v)).toEqual([2, 2, 2, 2]);
  });

  it('shapes that do not broadcast are a RangeError naming both', () => {
    expect(() => leaf([3], [1, 2, 3]).add(leaf([2], [1, 2]))).toThrow(/cannot broadcast \[3\] with \[2\] in '\+': 3 vs 2/);
    expect(() => leaf([2, 3], [1, 2, 3, 4, 5, 6]).mul(leaf([2, 1, 2], [1, 2, 3, 4]))).toThrow(RangeError);
  });

  it('elementwise min/max split a tie evenly, also under broadcasting; a NaN side makes both get g', () => {
    for (const op of ['min', 'max'] as const) {
      const a = leaf([3], [1, 2, 3]);
      const b = leaf([3], [1, 5, 0]);
      a[op](b).sum().backward();
      expect(grad(a)).toEqual(op === 'max' ? [0.5, 0, 1] : [0.5, 1, 0]);
      expect(grad(b)).toEqual(op === 'max' ? [0.5, 1, 0] : [0.5, 0, 1]);

      // a scalar tied with all four elements gets 4 * 1/2
      const A = leaf([2, 2], [1, 1, 1, 1]);
      const c = leaf([], [1]);
      A[op](c).sum().backward();
      expect(grad(A)).toEqual([0.5, 0.5, 0.5, 0.5]);
      expect(grad(c)).toEqual([2]);

      const x = leaf([2], [NaN, 1]);
      const y = leaf([2], [0, NaN]);
      const out = x[op](y);
      expect(data(out).every(Number.isNaN)).toBe(true);
      out.sum().backward();
      expect(grad(x)).toEqual([1, 1]);
      expect(grad(y)).toEqual([1, 1]);
    }
  });

  it('pow masks its gradient as value.ts does', () => {
    // b == 0: d/da = 0 even at a = 0; a == 0 and b >= 0: d/db = 0
    const a = leaf([3], [0, 0, 2]);
    const b = leaf([3], [0, 2, 0]);
    const out = a.pow(b);
    expect(data(out)).toEqual([1, 0, 1]);
    out.sum().backward();
    expect(grad(a)).toEqual([0, 0, 0]);
    expect(grad(b)).toEqual([0, 0, Math.log(2)]);
  });
});

type Unary = (x: Tensor) => Tensor;
type ValueUnary = (x: Value) => Value;

const UNARY: [string, Unary, ValueUnary, () => number][] = [
  ['neg', (x) => x.neg(), (x) => x.neg(), () => uniform(-2, 2)],
  ['sin', (x) => x.sin(), (x) => x.sin(), () => uniform(-3, 3)],
  ['cos', (x) => x.cos(), (x) => x.cos(), () => uniform(-3, 3)],
  ['tan', (x) => x.tan(), (x) => x.tan(), () => uniform(-1.3, 1.3)],
  ['asin', (x) => x.asin(), (x) => x.asin(), () => uniform(-0.9, 0.9)],
  ['acos', (x) => x.acos(), (x) => x.acos(), () => uniform(-0.9, 0.9)],
  ['atan', (x) => x.atan(), (x) => x.atan(), () => uniform(-4, 4)],
  ['sinh', (x) => x.sinh(), (x) => x.sinh(), () => uniform(-3, 3)],
  ['cosh', (x) => x.cosh(), (x) => x.cosh(), () => uniform(-3, 3)],
  ['tanh', (x) => x.tanh(), (x) => x.tanh(), () => uniform(-3, 3)],
  ['exp', (x) => x.exp(), (x) => x.exp(), () => uniform(-3, 3)],
  ['log', (x) => x.log(), (x) => x.log(), () => uniform(0.1, 5)],
  ['log1p', (x) => x.log1p(), (x) => x.log1p(), () => uniform(-0.8, 5)],
  ['sqrt', (x) => x.sqrt(), (x) => x.sqrt(), () => uniform(0.1, 5)],
  ['abs', (x) => x.abs(), (x) => x.abs(), () => uniform(-2, 2)],
  ['sigmoid', (x) => x.sigmoid(), (x) => x.sigmoid(), () => uniform(-8, 8)],
  ['relu', (x) => x.relu(), (x) => x.relu(), () => uniform(-2, 2)],
  ['softplus', (x) => x.softplus(), (x) => x.softplus(), () => uniform(-8, 8)],
  ['gelu', (x) => x.gelu(), (x) => x.gelu(), () => uniform(-4, 4)],
];

describe('elementwise functions', () => {
  for (const [name, f, fv, sample] of UNARY) {
    it(`${name} vs central differences on random shapes`, () => {
      for (let i = 0; i < 4; i++) checkGradient(([x]) => f(x!), [randomShape()], sample);
    });

    it(`${name} agrees with value.ts exactly, value and gradient`, () => {
      const points = [...randomData([12], sample), 0, -0, 1e-300, 40, -40, 1000, -1000, Infinity, -Infinity, NaN];
      const x = new Tensor([points.length], Float64Array.from(points));
      const g = randomData([points.length]);
      const out = f(x);
      out.mul(Tensor.constant(out.shape, g)).sum().backward();
      points.forEach((p, i) => {
        const v = new Value(p);
        const y = fv(v);
        y.mul(g[i]!).backward();
        expect(Object.is(out.data[i], y.data) || (Number.isNaN(out.data[i]!) && Number.isNaN(y.data)), `${name}(${p})`).toBe(true);
        expect(Object.is(x.grad[i], v.grad) || (Number.isNaN(x.grad[i]!) && Number.isNaN(v.grad)), `${name}'(${p})`).toBe(true);
      });
    });
  }

  it("PyTorch's conventions: relu'(0) = 0, relu'(NaN) passes g, abs'(0) = abs'(NaN) = 0", () => {
    const x = leaf([4], [0, -0, NaN, 2]);
    x.relu().mul(Tensor.constant([4], [3, 3, 3, 3])).sum().backward();
    expect(grad(x)).toEqual([0, 0, 3, 3]);
    x.abs().sum().backward();
    expect(grad(x)).toEqual([0, 0, 0, 1]);
  });
});

// ---- matrix product ----

describe('matmul', () => {
  it('the four cases, by hand', () => {
    const A = leaf([2, 2], [1, 2, 3, 4]);
    const v = leaf([2], [5, 6]);
    const mv = A.matmul(v);
    expect(mv.shape).toEqual([2]);
    expect(data(mv)).toEqual([17, 39]);
    mv.sum().backward();
    expect(grad(A)).toEqual([5, 6, 5, 6]);
    expect(grad(v)).toEqual([4, 6]);

    const dot = v.matmul(v);
    expect(dot.shape).toEqual([]);
    expect(dot.item()).toBe(61);
    dot.backward();
    expect(grad(v)).toEqual([10, 12]);

    const vm = v.matmul(A);
    expect(vm.shape).toEqual([2]);
    expect(data(vm)).toEqual([23, 34]);

    const mm = A.matmul(A);
    expect(mm.shape).toEqual([2, 2]);
    expect(data(mm)).toEqual([7, 10, 15, 22]);
  });

  it('each case vs central differences on random sizes', () => {
    for (let i = 0; i < 5; i++) {
      const [m, k, p] = [1 + Math.floor(random() * 4), 1 + Math.floor(random() * 4), 1 + Math.floor(random() * 4)];
      checkGradient(([a, b]) => a!.matmul(b!), [[k], [k]]);
      checkGradient(([a, b]) => a!.matmul(b!), [[m, k], [k]]);
      checkGradient(([a, b]) => a!.matmul(b!), [[k], [k, p]]);
      const out = checkGradient(([a, b]) => a!.matmul(b!), [[m, k], [k, p]]);
      expect(out.shape).toEqual([m, p]);
    }
  });

  it('a constant operand gets no gradient and is no child', () => {
    const A = leaf([2, 3], [1, 2, 3, 4, 5, 6]);
    const x = Tensor.constant([3], [1, 0, -1]);
    const out = A.matmul(x);
    expect(out.children).toEqual([A]);
    out.sum().backward();
    expect(grad(A)).toEqual([1, 0, -1, 1, 0, -1]);
    expect(grad(x)).toEqual([0, 0, 0]);
  });

  it('scalars, rank 3 and mismatched inner sizes are RangeErrors', () => {
    const v = leaf([3], [1, 2, 3]);
    expect(() => v.matmul(2)).toThrow(RangeError);
    expect(() => leaf([], [1]).matmul(v)).toThrow(RangeError);
    expect(() => leaf([1, 1, 3], [1, 2, 3]).matmul(v)).toThrow(RangeError);
    expect(() => leaf([2, 2], [1, 2, 3, 4]).matmul(v)).toThrow(/inner dimensions differ/);
  });
});

// ---- reductions ----

type Reduction = 'sum' | 'mean' | 'amax' | 'amin' | 'logsumexp';
const REDUCTIONS: Reduction[] = ['sum', 'mean', 'amax', 'amin', 'logsumexp'];

function reduce(x: Tensor, op: Reduction, options?: ReduceOptions): Tensor {
  return x[op](options);
}

/** The reduction computed naively along one axis, for comparing values. */
function naiveReduce(x: Float64Array, shape: readonly number[], op: Reduction, axis: number | undefined): number[] {
  const combine = (vals: number[]): number => {
    switch (op) {
      case 'sum':
        return vals.reduce((a, b) => a + b, 0);
      case 'mean':
        return vals.reduce((a, b) => a + b, 0) / vals.length;
      case 'amax':
        return Math.max(...vals);
      case 'amin':
        return Math.min(...vals);
      case 'logsumexp':
        return Math.log(vals.reduce((a, b) => a + Math.exp(b), 0));
    }
  };
  if (axis === undefined) return [combine(Array.from(x))];
  const a = axis < 0 ? axis + shape.length : axis;
  const outShape = shape.filter((_, k) => k !== a);
  const out: number[] = [];
  const index = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < sizeOf(outShape); o++) {
    const vals: number[] = [];
    for (let j = 0; j < shape[a]!; j++) vals.push(x[flat(shape, [...index.slice(0, a), j, ...index.slice(a)])]!);
    out.push(combine(vals));
    for (let k = outShape.length - 1; k >= 0; k--) {
      if (++index[k]! < outShape[k]!) break;
      index[k] = 0;
    }
  }
  return out;
}

describe('reductions', () => {
  for (const op of REDUCTIONS) {
    it(`${op}: every axis (negative too), keepdims, values and gradients on random shapes`, () => {
      for (let trial = 0; trial < 4; trial++) {
        const shape = randomShape(1, 3);
        const rank = shape.length;
        const axes: (number | undefined)[] = [undefined];
        for (let a = -rank; a < rank; a++) axes.push(a);
        for (const axis of axes) {
          for (const keepdims of [false, true]) {
            const options: ReduceOptions = axis === undefined ? { keepdims } : { axis, keepdims };
            const out = checkGradient(([x]) => reduce(x!, op, options), [shape]);
            const a = axis === undefined ? undefined : axis < 0 ? axis + rank : axis;
            const expectedShape =
              a === undefined ? (keepdims ? shape.map(() => 1) : []) : keepdims ? shape.map((d, k) => (k === a ? 1 : d)) : shape.filter((_, k) => k !== a);
            expect(out.shape, `${op} of [${shape}] axis=${axis} keepdims=${keepdims}`).toEqual(expectedShape);
            const x = out.children[0]!;
            expectAllClose(out.data, naiveReduce(x.data, shape, op, axis), 1e-13, `${op} value`);
          }
        }
      }
    });

    it(`${op}: a scalar reduces to itself; an axis out of range is a RangeError`, () => {
      const s = leaf([], [0.5]);
      const out = reduce(s, op);
      expect(out.shape).toEqual([]);
      expectClose(out.item(), 0.5, 1e-15);
      expect(() => reduce(leaf([2, 3], [1, 2, 3, 4, 5, 6]), op, { axis: 2 })).toThrow(RangeError);
      expect(() => reduce(leaf([2, 3], [1, 2, 3, 4, 5, 6]), op, { axis: -3 })).toThrow(RangeError);
      expect(() => reduce(s, op, { axis: 0 })).toThrow(RangeError);
    });
  }

  it('sum and mean by hand, rank 3 over the middle axis', () => {
    const x = leaf([2, 3, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const s = x.sum({ axis: 1 });
    expect(s.shape).toEqual([2, 2]);
    expect(data(s)).toEqual([9, 12, 27, 30]);
    const m = x.mean({ axis: -2, keepdims: true });
    expect(m.shape).toEqual([2, 1, 2]);
    expect(data(m)).toEqual([3, 4, 9, 10]);
    m.mul(Tensor.constant([2, 1, 2], [1, 2, 3, 6])).sum().backward();
    expect(grad(x)).toEqual([1 / 3, 2 / 3, 1 / 3, 2 / 3, 1 / 3, 2 / 3, 1, 2, 1, 2, 1, 2]);
  });

  it('max/min reductions split the gradient evenly among tied elements', () => {
    const x = leaf([4], [1, 3, 3, 2]);
    x.amax().backward();
    expect(grad(x)).toEqual([0, 0.5, 0.5, 0]);
    const y = leaf([5], [-1, 4, -1, -1, 0]);
    y.amin().mul(6).backward();
    expect(grad(y)).toEqual([2, 0, 2, 2, 0]);

    const A = leaf([2, 3], [1, 1, 0, 2, 5, 5]);
    A.amax({ axis: 1 }).mul(Tensor.constant([2], [1, 2])).sum().backward();
    expect(grad(A)).toEqual([0.5, 0.5, 0, 0, 1, 1]);
    A.amin({ axis: 0, keepdims: true }).sum().backward();
    expect(grad(A)).toEqual([1, 1, 1, 0, 0, 0]);
    const B = leaf([2, 2], [7, 7, 7, 7]);
    B.amax().backward();
    expect(grad(B)).toEqual([0.25, 0.25, 0.25, 0.25]);
    // -0 and 0 are equal: a tie
    const z = leaf([2], [-0, 0]);
    z.amax().backward();
    expect(grad(z)).toEqual([0.5, 0.5]);
  });

  it('a max over a slice holding NaN is NaN, and so is that slice\'s gradient (PyTorch: (g / 0) * 0)', () => {
    const A = leaf([2, 2], [NaN, 1, 2, 3]);
    const m = A.amax({ axis: 1 });
    expect(Number.isNaN(m.data[0])).toBe(true);
    expect(m.data[1]).toBe(3);
    m.sum().backward();
    expect(Number.isNaN(A.grad[0]) && Number.isNaN(A.grad[1])).toBe(true);
    expect([A.grad[2], A.grad[3]]).toEqual([0, 1]);
  });

  it('logsumexp is stable: large values; all -Infinity gives -Infinity (its gradient NaN, as PyTorch)', () => {
    const big = leaf([3], [1000, 1000, -1000]);
    const l = big.logsumexp();
    expect(l.item()).toBe(1000 + Math.log(2));
    l.backward();
    expectAllClose(big.grad, [0.5, 0.5, 0], 1e-13);
    expect(big.grad[2]).toBe(0);

    const inf = leaf([3], [-Infinity, -Infinity, -Infinity]);
    const li = inf.logsumexp();
    expect(li.item()).toBe(-Infinity);
    li.backward();
    expect(grad(inf).every(Number.isNaN)).toBe(true); // as PyTorch: exp(-inf - -inf)

    // per slice: one row all -Infinity, one finite; keepdims
    const A = leaf([2, 2], [-Infinity, -Infinity, 0, Math.log(3)]);
    const la = A.logsumexp({ axis: -1, keepdims: true });
    expect(la.shape).toEqual([2, 1]);
    expect(la.data[0]).toBe(-Infinity);
    expectClose(la.data[1]!, Math.log(4), 1e-15);
    la.mul(Tensor.constant([2, 1], [1, 2])).sum().backward();
    expect(grad(A).slice(0, 2).every(Number.isNaN)).toBe(true); // the all -Infinity row, as PyTorch
    expectAllClose(grad(A).slice(2), [2 * 0.25, 2 * 0.75], 1e-15);

    // one element -Infinity among finite ones: its weight is exactly 0
    const c = leaf([2], [-Infinity, 5]);
    const lc = c.logsumexp();
    expect(lc.item()).toBe(5);
    lc.backward();
    expect(grad(c)).toEqual([0, 1]);

    // +Infinity: the value is +Infinity (the math), the gradient is not invented
    expect(leaf([2], [Infinity, 0]).logsumexp().item()).toBe(Infinity);
  });
});

// ---- softmax, log_softmax ----

/** softmax of one vector, written out independently: exp(x_i - max) / sum_j exp(x_j - max). */
function softmaxOf(x: readonly number[]): number[] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('softmax and log_softmax', () => {
  it('softmax backward is the full Jacobian product: J[i][j] = s_i (delta_ij - s_j), grad = J^T g', () => {
    for (const n of [1, 2, 5, 8]) {
      const xs = Array.from(randomData([n], () => uniform(-3, 3)));
      const g = Array.from(randomData([n]));
      const x = leaf([n], xs);
      const s = x.softmax();
      s.mul(Tensor.constant([n], g)).sum().backward();
      const p = softmaxOf(xs);
      expectAllClose(s.data, p, 1e-14, 'softmax value');
      const J = p.map((si, i) => p.map((sj, j) => si * ((i === j ? 1 : 0) - sj)));
      const expected = xs.map((_, j) => J.reduce((acc, row, i) => acc + row[j]! * g[i]!, 0));
      expectAllClose(x.grad, expected, 1e-13, `softmax grad n=${n}`);
      // the diagonal alone would be wrong (for n > 1 with non-constant g)
      if (n > 1) {
        const diagonal = xs.map((_, j) => J[j]![j]! * g[j]!);
        expect(expected.some((e, j) => Math.abs(e - diagonal[j]!) > 1e-6)).toBe(true);
      }
    }
  });

  it('log_softmax backward is the full Jacobian product: J[i][j] = delta_ij - s_j', () => {
    const n = 5;
    const xs = Array.from(randomData([n], () => uniform(-3, 3)));
    const g = Array.from(randomData([n]));
    const x = leaf([n], xs);
    const y = x.logSoftmax();
    y.mul(Tensor.constant([n], g)).sum().backward();
    const p = softmaxOf(xs);
    expectAllClose(y.data, p.map(Math.log), 1e-14, 'log_softmax value');
    const expected = xs.map((_, j) => g.reduce((acc, gi, i) => acc + gi * ((i === j ? 1 : 0) - p[j]!), 0));
    expectAllClose(x.grad, expected, 1e-13, 'log_softmax grad');
  });

  it('along axis 0 of a matrix, column by column, against the written-out Jacobian', () => {
    const [r, c] = [3, 4];
    const X = Array.from(randomData([r, c]));
    const G = Array.from(randomData([r, c]));
    const x = leaf([r, c], X);
    x.softmax(0).mul(Tensor.constant([r, c], G)).sum().backward();
    for (let j = 0; j < c; j++) {
      const col = Array.from({ length: r }, (_, i) => X[i * c + j]!);
      const gcol = Array.from({ length: r }, (_, i) => G[i * c + j]!);
      const p = softmaxOf(col);
      const dot = p.reduce((a, pi, i) => a + pi * gcol[i]!, 0);
      for (let i = 0; i < r; i++) expectClose(x.grad[i * c + j]!, p[i]! * (gcol[i]! - dot), 1e-13);
    }
  });

  it('vs central differences on random shapes and every axis', () => {
    for (let trial = 0; trial < 4; trial++) {
      const shape = randomShape(1, 3);
      for (let axis = -shape.length; axis < shape.length; axis++) {
        checkGradient(([x]) => x!.softmax(axis), [shape]);
        checkGradient(([x]) => x!.logSoftmax(axis), [shape]);
      }
      checkGradient(([x]) => x!.softmax(), [shape]);
      checkGradient(([x]) => x!.logSoftmax(), [shape]);
    }
  });

  it('stable forms: log_softmax([1000, -1000, 0]) is [0, -2000, -1000] exactly', () => {
    const x = leaf([3], [1000, -1000, 0]);
    const y = x.logSoftmax();
    expect(data(y)).toEqual([0, -2000, -1000]);
    y.mul(Tensor.constant([3], [1, 2, 3])).sum().backward();
    // g - softmax * sum(g) with softmax = [1, 0, 0] (to double precision)
    expect(grad(x)).toEqual([1 - 6, 2, 3]);
    const s = x.softmax();
    expect(data(s)).toEqual([1, 0, Math.exp(-1000)]);
    expect(data(s.children[0]!.softmax()).every(Number.isFinite)).toBe(true);
  });

  it('a scalar is a RangeError; a bad axis too', () => {
    expect(() => leaf([], [1]).softmax()).toThrow(RangeError);
    expect(() => leaf([], [1]).logSoftmax()).toThrow(RangeError);
    expect(() => leaf([2], [1, 2]).softmax(1)).toThrow(RangeError);
  });
});

// ---- shapes: transpose, reshape, index, stack ----

describe('transpose', () => {
  it('reverses the axes, elements and gradient', () => {
    const shape = [2, 3, 4];
    const x = new Tensor(shape, randomData(shape));
    const t = x.transpose();
    expect(t.shape).toEqual([4, 3, 2]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) {
      expect(t.data[flat([4, 3, 2], [k, j, i])]).toBe(x.data[flat(shape, [i, j, k])]);
    }
    for (let trial = 0; trial < 4; trial++) checkGradient(([a]) => a!.transpose(), [randomShape()]);
  });

  it('a matrix by hand; a vector or a scalar is unchanged', () => {
    const A = leaf([2, 3], [1, 2, 3, 4, 5, 6]);
    const T = A.transpose();
    expect(T.shape).toEqual([3, 2]);
    expect(data(T)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(data(leaf([3], [1, 2, 3]).transpose())).toEqual([1, 2, 3]);
    expect(leaf([], [5]).transpose().shape).toEqual([]);
  });
});

describe('reshape', () => {
  it('same elements in a new shape, -1 inferred, gradient passed through', () => {
    const x = leaf([2, 3], [1, 2, 3, 4, 5, 6]);
    const r = x.reshape([3, -1]);
    expect(r.shape).toEqual([3, 2]);
    expect(data(r)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(x.reshape([-1]).shape).toEqual([6]);
    expect(x.reshape([1, 6, 1]).shape).toEqual([1, 6, 1]);
    expect(leaf([1], [7]).reshape([]).shape).toEqual([]);
    checkGradient(([a]) => a!.reshape([4, -1]).mul(a!.reshape([2, 2, 3]).transpose().reshape([4, 3])), [[2, 6]]);
  });

  it('a wrong count or two -1 sizes are RangeErrors', () => {
    const x = leaf([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(() => x.reshape([4, 2])).toThrow(RangeError);
    expect(() => x.reshape([4, -1])).toThrow(RangeError);
    expect(() => x.reshape([-1, -1])).toThrow(RangeError);
  });
});

describe('index', () => {
  const A = () => leaf([3, 4], [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]);

  it('integers drop axes, slices keep them, negatives count from the end, omitted trailing entries are ":"', () => {
    const cases: [TensorIndexEntry[], number[], number[]][] = [
      [[1, 2], [], [12]],
      [[-1, -2], [], [22]],
      [[0], [4], [0, 1, 2, 3]],
      [[{}, 1], [3], [1, 11, 21]],
      [[{ start: 1, end: 3 }, -1], [2], [13, 23]],
      [[{ start: -2 }], [2, 4], [10, 11, 12, 13, 20, 21, 22, 23]],
      [[{ end: 1 }, { start: 1, end: -1 }], [1, 2], [1, 2]],
      [[], [3, 4], [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]],
    ];
    for (const [entries, shape, values] of cases) {
      const x = A();
      const out = x.index(entries);
      expect(out.shape, JSON.stringify(entries)).toEqual(shape);
      expect(data(out), JSON.stringify(entries)).toEqual(values);
      out.sum().backward();
      const expected = new Array<number>(12).fill(0);
      // every selected element's gradient is 1: the selected values are distinct, so find them
      for (const v of values) expected[[0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23].indexOf(v)] = 1;
      expect(grad(x)).toEqual(expected);
    }
  });

  it('an element picked twice gets both contributions; vs central differences on rank 3', () => {
    const x = leaf([3], [1, 2, 3]);
    x.index([0]).mul(x.index([-3])).add(x.index([{ start: 0, end: 2 }]).sum()).backward();
    expect(grad(x)).toEqual([3, 1, 0]);
    checkGradient(([t]) => t!.index([{ start: 1 }, -1, { start: 1, end: 3 }]).mul(t!.index([0, { end: 2 }, 1])), [[3, 2, 4]]);
  });

  it('out of range, empty slices and too many indices are RangeErrors (no clamping)', () => {
    const x = A();
    expect(() => x.index([3])).toThrow(RangeError);
    expect(() => x.index([-4])).toThrow(RangeError);
    expect(() => x.index([0, 4])).toThrow(RangeError);
    expect(() => x.index([{ start: 2, end: 2 }])).toThrow(RangeError);
    expect(() => x.index([{ start: 0, end: 5 }])).toThrow(RangeError);
    expect(() => x.index([{ start: -5 }])).toThrow(RangeError);
    expect(() => x.index([0, 0, 0])).toThrow(RangeError);
    expect(() => x.index([0.5])).toThrow(RangeError);
  });
});

describe('stack', () => {
  it('elements of one shape along a new first axis; gradient back to each', () => {
    const x = leaf([], [2]);
    const y = leaf([], [3]);
    const v = Tensor.stack([x, y, 4]);
    expect(v.shape).toEqual([3]);
    expect(data(v)).toEqual([2, 3, 4]);
    expect(v.children).toEqual([x, y]);
    v.mul(Tensor.constant([3], [10, 20, 30])).sum().backward();
    expect(grad(x)).toEqual([10]);
    expect(grad(y)).toEqual([20]);

    const u = leaf([2], [1, 2]);
    const w = leaf([2], [3, 4]);
    const M = Tensor.stack([u, w, u.mul(w)]);
    expect(M.shape).toEqual([3, 2]);
    expect(data(M)).toEqual([1, 2, 3, 4, 3, 8]);
    checkGradient(([a, b]) => Tensor.stack([a!, b!, a!.mul(b!)]), [[2, 2], [2, 2]]);
  });

  it('a stack of constants is a constant; different shapes are a RangeError', () => {
    const c = Tensor.stack([Tensor.stack([1, 0]), Tensor.stack([0, 1])]);
    expect(c.shape).toEqual([2, 2]);
    expect(c.requiresGrad).toBe(false);
    expect(c.children).toEqual([]);
    expect(() => Tensor.stack([leaf([2], [1, 2]), leaf([3], [1, 2, 3])])).toThrow(RangeError);
    expect(() => Tensor.stack([1, leaf([1], [1])])).toThrow(RangeError);
    expect(() => Tensor.stack([])).toThrow(RangeError);
  });
});

describe('onehot', () => {
  it("y's shape plus a last axis of size k; a constant (no gradient into y)", () => {
    const y = leaf([2, 2], [0, 2, 1, 0]);
    const h = Tensor.onehot(y, 3);
    expect(h.shape).toEqual([2, 2, 3]);
    expect(data(h)).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0]);
    expect(h.requiresGrad).toBe(false);
    const Z = leaf([2, 2, 3], Array.from(randomData([2, 2, 3])));
    const loss = h.mul(Z.logSoftmax()).sum().neg();
    loss.backward();
    expect(tensorTopologicalOrder(loss)).not.toContain(y);
    expect(grad(y)).toEqual([0, 0, 0, 0]);
    expect(Tensor.onehot(1, 2).shape).toEqual([2]);
  });

  it('values that are not integers in [0, k) are RangeErrors naming the input and the flat index', () => {
    const y = Tensor.constant([3], [0, 1, 3], 'labels');
    expect(() => Tensor.onehot(y, 3)).toThrow(RangeError);
    expect(() => Tensor.onehot(y, 3)).toThrow(/onehot: 'labels'\[2\] is 3, not an integer in \[0, 3\)/);
    expect(() => Tensor.onehot(y, 3, "input 'y'")).toThrow(/onehot: input 'y'\[2\] is 3/);
    expect(() => Tensor.onehot(Tensor.constant([2], [0, 1.5]), 3)).toThrow(/its argument\[1\] is 1.5/);
    expect(() => Tensor.onehot(Tensor.constant([2], [-1, 0]), 3)).toThrow(/\[0\] is -1/);
    expect(() => Tensor.onehot(Tensor.constant([1], [NaN]), 3)).toThrow(/\[0\] is NaN/);
    expect(() => Tensor.onehot(0, 0)).toThrow(RangeError);
  });
});

// ---- the tape ----

describe('backward', () => {
  it('is idempotent: twice gives the same grads as once', () => {
    const W = new Tensor([3, 2], randomData([3, 2]));
    const x = Tensor.constant([3], randomData([3]));
    const build = () => x.matmul(W).tanh().softmax().mul(Tensor.constant([2], [1, -2])).sum().add(W.mul(W).sum());
    const loss = build();
    loss.backward();
    const once = grad(W);
    loss.backward();
    expect(grad(W)).toEqual(once);
    loss.zeroGrad();
    expect(grad(W)).toEqual([0, 0, 0, 0, 0, 0]);
    loss.backward();
    expect(grad(W)).toEqual(once);
  });

  it('a value used twice gets both contributions', () => {
    const x = leaf([2], [3, -1]);
    x.mul(x).sum().backward();
    expect(grad(x)).toEqual([6, -2]);
  });

  it('a 100,000-deep chain does not overflow the stack', () => {
    const x = leaf([2], [1, 2]);
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.add(x);
    const out = y.sum();
    out.backward();
    expect(grad(x)).toEqual([100_001, 100_001]);
    expect(out.item()).toBe(3 * 100_001);
  });

  it('needs a root with one element', () => {
    expect(() => leaf([2], [1, 2]).backward()).toThrow(RangeError);
    const one = leaf([1, 1], [3]);
    one.backward();
    expect(grad(one)).toEqual([1]);
  });

  it('constants never enter the tape', () => {
    const c = Tensor.constant([2], [1, 2]);
    const d = c.mul(3).exp().sum();
    expect(d.requiresGrad).toBe(false);
    expect(d.children).toEqual([]);
    d.backward(); // nothing to do, no error
    const x = leaf([2], [0.5, 0.25]);
    const xc = x.mul(c);
    expect(xc.children.length === 1 && xc.children[0] === x).toBe(true);
    const e = xc.add(d);
    expect(e.children.length === 1 && e.children[0] === xc).toBe(true);
    e.sum().backward();
    expect(grad(x)).toEqual([1, 2]);
    expect(grad(c)).toEqual([0, 0]);
  });

  it('a bad shape or data length is a RangeError', () => {
    expect(() => new Tensor([2, 2], [1, 2, 3])).toThrow(RangeError);
    expect(() => new Tensor([1.5], [1])).toThrow(RangeError);
  });

  it('a composite (an MLP with cross-entropy) vs central differences', () => {
    const y = Tensor.constant([4], [0, 2, 1, 2]);
    const X = Tensor.constant([4, 3], randomData([4, 3]));
    checkGradient(
      ([W1, b1, W2]) => {
        const h = X.matmul(W1!).add(b1!).gelu();
        const Z = h.matmul(W2!);
        return Tensor.onehot(y, 3).mul(Z.logSoftmax()).sum({ axis: 1 }).mean().neg().add(W1!.pow(2).sum().mul(1e-2));
      },
      [[3, 5], [5], [5, 3]],
    );
  });
});
