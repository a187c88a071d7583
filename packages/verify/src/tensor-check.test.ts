/**
 * checkGradient, samplePoints and checkProgram on tensor programs (v2):
 * gradients element by element, dimension sizes, points drawn inside the
 * domains of the functions an element reaches through broadcasting,
 * indexing, reshaping, transposing and stacking, onehot labels.
 */
import { opNamed, type OpDef } from '@autodiff/ir';
import type { PassContext } from '@autodiff/compiler';
import { describe, expect, it } from 'vitest';
import {
  checkGradient, checkProgram, DimensionError, differencePlan, pointValueText, resolveDims, prepare, samplePoints, seededRandom,
  type PointValue,
} from './index.js';

const tensor = (shape: number[], values: number[]) => ({ shape, data: Float64Array.from(values) });

/** A point value's elements (a scalar as one). */
const elements = (v: PointValue | undefined): number[] => {
  if (v === undefined) throw new Error('missing value');
  return typeof v === 'number' ? [v] : [...v.data];
};
const shapeOf = (v: PointValue | undefined) => (typeof v === 'object' ? v.shape : []);

const withRule = (name: string, vjp: OpDef['vjp']): PassContext => {
  const broken: OpDef = { ...opNamed(name), vjp };
  return { ops: (op) => (op === name ? broken : opNamed(op)) };
};
const matmul = opNamed('matmul');
/** `@` whose right operand gets the negated cotangent. */
const BROKEN_MATMUL = withRule('matmul', (b, args, out, g) => {
  const [left, right] = matmul.vjp(b, args, out, g);
  return [left!, b.neg(right!)];
});

describe('checkGradient on a tensor program', () => {
  const source = 'param W: [2, 3], b: [3]\ninput X: [n, 2]\nsum(X @ W + b)\n';
  const point = { W: tensor([2, 3], [1, 2, 3, 4, 5, 6]), b: tensor([3], [0.5, -1, 2]), X: tensor([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]) };

  it('reports every gradient element, row-major, named by its index, with the sizes read from the point', () => {
    const check = checkGradient(source, point);
    expect(check.ok).toBe(true);
    expect(check.dims).toEqual(new Map([['n', 4]]));
    expect(check.params.map((p) => p.name)).toEqual(['W[0,0]', 'W[0,1]', 'W[0,2]', 'W[1,0]', 'W[1,1]', 'W[1,2]', 'b[0]', 'b[1]', 'b[2]']);
    expect(check.params[4]).toMatchObject({ param: 'W', index: [1, 1] });
    // d/dW[i,j] = sum over rows of X[:, i]; d/db[j] = n
    const want = [16, 16, 16, 20, 20, 20, 4, 4, 4];
    check.params.forEach((p, i) => {
      expect(p.compiled).toBe(want[i]);
      expect(p.tape).toBe(want[i]);
      expect(Math.abs(p.finiteDifference! - want[i]!)).toBeLessThan(1e-6);
    });
    expect(check.directions).toHaveLength(3);
    expect(check.value.compiled).toBe(check.value.tape);
  });

  it('catches a wrong rule for @ and names the elements whose gradient is wrong', () => {
    const check = checkGradient(source, point, { context: BROKEN_MATMUL });
    expect(check.ok).toBe(false);
    expect(check.params.filter((p) => !p.ok).map((p) => p.param)).toEqual(['W', 'W', 'W', 'W', 'W', 'W']);
    expect(check.params.find((p) => p.name === 'W[0,0]')).toMatchObject({ compiled: -16, tape: 16 });
  });

  it('says which value has the wrong shape', () => {
    expect(() => checkGradient(source, { ...point, b: tensor([2], [1, 2]) })).toThrow(/'b' is declared \[3\] \(\[3\]\), but a value of shape \[2\] was given/);
    expect(() => checkGradient(source, { ...point, X: 3 })).toThrow("'X' is declared [n, 2], but a number was given");
  });
});

describe('samplePoints on tensor programs', () => {
  it('gives each dimension name its size (default 3) and every variable its shape', () => {
    const source = 'param W: [2, 3]\ninput X: [n, 2], y: [n]\nsum(tanh(X @ W) * reshape(y, [n, 1]))\n';
    const [byDefault] = samplePoints(source, { count: 1, seed: 1 });
    expect(shapeOf(byDefault!.get('X'))).toEqual([3, 2]);
    expect(shapeOf(byDefault!.get('W'))).toEqual([2, 3]);
    const [sized] = samplePoints(source, { count: 1, seed: 1, dims: { n: 5 } });
    expect(shapeOf(sized!.get('X'))).toEqual([5, 2]);
    expect(shapeOf(sized!.get('y'))).toEqual([5]);
  });

  it("draws every element inside the domain of the functions it reaches through views", () => {
    const cases: [string, string, (v: number) => boolean][] = [
      ['input X: [n, 2]\nparam w\nw * sum(log(X))\n', 'X', (v) => v >= 0.1 && v <= 5],
      ['input X: [n, 2]\nparam w\nw * sum(log(transpose(X)))\n', 'X', (v) => v >= 0.1],
      ['input X: [n, 2]\nparam w\nw * sum(sqrt(reshape(X, [2, -1])))\n', 'X', (v) => v >= 0.05],
      ['param a, b\nsum(log([a, b]))\n', 'a', (v) => v >= 0.1],
      ['param a, b\nsum(log([a, b]))\n', 'b', (v) => v >= 0.1],
      ['param b: [3]\ninput X: [n, 3]\nsum(pow(b, X))\n', 'b', (v) => v >= 0.2 && v <= 3], // b is broadcast to [n, 3]
    ];
    for (const [source, name, inside] of cases) {
      const points = samplePoints(source, { count: 20, seed: 2 });
      expect(points, source).toHaveLength(20);
      for (const p of points) for (const v of elements(p.get(name))) expect(inside(v), `${source}: ${name} = ${v}`).toBe(true);
    }
  });

  it('draws only the elements that reach a function from its domain', () => {
    // W[:, 0] is not an argument of log: it is drawn from anywhere, the rest of W from log's domain.
    const points = samplePoints('param W: [2, 3]\nsum(log(W[:, 1:])) + sum(W)\n', { count: 30, seed: 4 });
    const firstColumn = points.flatMap((p) => [elements(p.get('W'))[0]!, elements(p.get('W'))[3]!]);
    const others = points.flatMap((p) => elements(p.get('W')).filter((_, i) => i % 3 !== 0));
    expect(others.every((v) => v >= 0.1 && v <= 5)).toBe(true);
    expect(firstColumn.some((v) => v < 0)).toBe(true);
  });

  it("gives one column of an input an asin domain, the others sin's, and keeps only points where asin is defined", () => {
    const points = samplePoints('param w\ninput X: [n, 2]\nw * (sum(asin(X[:, 0])) + sum(sin(X)))\n', { count: 30, seed: 5, dims: { n: 4 } });
    expect(points).toHaveLength(30);
    for (const p of points) {
      const x = elements(p.get('X'));
      for (let row = 0; row < 4; row++) expect(Math.abs(x[2 * row]!)).toBeLessThan(1);
    }
  });

  it("draws onehot's labels as integers in [0, k)", () => {
    const source = 'param W: [2, 3]\ninput X: [n, 2], y: [n]\n-mean(sum(onehot(y, 3) * log_softmax(X @ W), axis=1))\n';
    const points = samplePoints(source, { count: 10, seed: 3, dims: { n: 6 } });
    expect(points).toHaveLength(10);
    const labels = points.flatMap((p) => elements(p.get('y')));
    expect(labels).toHaveLength(60);
    expect(labels.every((v) => Number.isInteger(v) && v >= 0 && v < 3)).toBe(true);
    expect(new Set(labels)).toEqual(new Set([0, 1, 2]));
  });

  it("rejects a draw where onehot's argument, computed, is no label (and gives up where none is)", () => {
    // y + 0.5 is never an integer: every draw makes the generated code and the tape throw, and is rejected.
    expect(samplePoints('param w: [3]\ninput y: [2]\nsum(onehot(y + 0.5, 3) @ w)\n', { count: 1, seed: 1, attempts: 10 })).toEqual([]);
    // a label that is an input's element, through indexing and stacking, is drawn as one
    const points = samplePoints('param w: [3]\ninput y: [2]\nsum(onehot([y[1], y[0]], 3) @ w)\n', { count: 5, seed: 1 });
    expect(points).toHaveLength(5);
    for (const p of points) expect(elements(p.get('y')).every((v) => v === 0 || v === 1 || v === 2)).toBe(true);
  });

  it('keeps the points of scalar programs as they were: one number per variable', () => {
    const [point] = samplePoints('param w1, w2\ninput x\ntanh(w1 * x) * w2\n', { count: 1, seed: 42 });
    expect([...point!.values()].every((v) => typeof v === 'number')).toBe(true);
  });
});

describe('checkProgram on tensor programs', () => {
  const mlp = 'param W1: [2, 4], b1: [4], w2: [4], b2\ninput X: [n, 2], y: [n]\n'
    + 'h = tanh(X @ W1 + b1)\nscore = h @ w2 + b2\nmean(softplus(-y * score)) + 1e-3 * sum(W1^2)\n';

  it('passes a correct program at every point, with the sizes it was given', () => {
    const result = checkProgram(mlp, { points: 3, seed: 1, dims: new Map([['n', 5]]) });
    expect(result.ok).toBe(true);
    expect(result.checks).toHaveLength(3);
    expect(result.dims).toEqual(new Map([['n', 5]]));
    expect(result.labelElements).toBe(0);
    for (const c of result.checks) {
      expect(c.params).toHaveLength(17);
      expect(shapeOf(c.point.get('X'))).toEqual([5, 2]);
      expect(c.directions).toHaveLength(3);
    }
    expect(checkProgram(mlp, { points: 1, seed: 1 }).dims).toEqual(new Map([['n', 3]]));
  });

  it('fails a wrong rule for @ at the same points', () => {
    const good = checkProgram(mlp, { points: 2, seed: 4 });
    const bad = checkProgram(mlp, { points: 2, seed: 4, context: BROKEN_MATMUL });
    expect(bad.ok).toBe(false);
    expect(bad.checks.map((c) => c.point)).toEqual(good.checks.map((c) => c.point));
    // W1 and w2 are right operands of @; b1 and b2 are not.
    for (const c of bad.checks) expect(new Set(c.params.filter((p) => !p.ok).map((p) => p.param))).toEqual(new Set(['W1', 'w2']));
  });

  it('finite differences leave out a param that onehot reads as labels, and check the rest', () => {
    const result = checkProgram('param k: [2], w: [2, 3]\nsum(onehot(k, 3) * w)\n', { points: 2, seed: 1 });
    expect(result.ok).toBe(true);
    expect(result.labelElements).toBe(2);
    expect(result.plan.elements).toEqual([2, 3, 4, 5, 6, 7]);
    for (const d of result.plan.directions) expect([d[0], d[1]]).toEqual([0, 0]);
    for (const c of result.checks) {
      expect(elements(c.point.get('k')).every((v) => Number.isInteger(v) && v >= 0 && v < 3)).toBe(true);
      expect(c.params.slice(0, 2).map((p) => [p.compiled, p.tape, p.finiteDifference])).toEqual([[0, 0, undefined], [0, 0, undefined]]);
    }
  });

  it('takes finite differences on a seeded sample of 64 elements of a large model, and 3 directions', () => {
    const result = checkProgram('param W: [10, 10]\ninput X: [n, 10]\nsum(tanh(X @ W))\n', { points: 1, seed: 1 });
    expect(result.ok).toBe(true);
    expect(result.plan.elements).toHaveLength(64);
    expect(result.checks[0]!.params.filter((p) => p.finiteDifference !== undefined)).toHaveLength(64);
    expect(result.checks[0]!.params).toHaveLength(100);
  });
});

describe('dimension sizes', () => {
  const checked = prepare('param w\ninput X: [n, 2], Y: [m]\nw * sum(X) * sum(Y)\n').checked;

  it('are 3 unless given, in the order the compiled functions take them', () => {
    expect(resolveDims(checked)).toEqual(new Map([['n', 3], ['m', 3]]));
    expect(resolveDims(checked, { m: 7 })).toEqual(new Map([['n', 3], ['m', 7]]));
  });

  it('must name dimensions the program has, with sizes from 1 to 1,000,000', () => {
    expect(() => resolveDims(checked, { k: 2 })).toThrow(DimensionError);
    expect(() => resolveDims(checked, { k: 2 })).toThrow("'k' is not a dimension name of the program (its dimension names are n, m)");
    expect(() => resolveDims(prepare('x^2\n').checked, { n: 2 })).toThrow('the program has no dimension names');
    for (const size of [0, -1, 2.5, NaN, 1_000_001]) expect(() => resolveDims(checked, { n: size })).toThrow(DimensionError);
    expect(() => checkProgram('param w\ninput X: [n]\nw * sum(X)\n', { points: 1, seed: 1, dims: { m: 2 } })).toThrow(DimensionError);
  });

  it('must keep every input within the element limit of a value (each size may be allowed while their product is not)', () => {
    const square = prepare('param w\ninput X: [n, n, 2]\nw * sum(X)\n').checked;
    expect(resolveDims(square, { n: 8192 }).get('n')).toBe(8192); // 134,217,728 elements: the limit itself
    expect(() => resolveDims(square, { n: 8193 })).toThrow("input 'X' would have 134,250,498 elements, more than the 134,217,728 a value may hold");
  });
});

describe('the finite differences of a plan with fixed elements', () => {
  it('are the same as before without any, and leave fixed elements out of the sample and the directions', () => {
    expect(differencePlan(100, seededRandom(3), new Set())).toEqual(differencePlan(100, seededRandom(3)));
    const plan = differencePlan(100, seededRandom(3), new Set([0, 5, 99]));
    expect(plan.elements).toHaveLength(64);
    expect(plan.elements.some((i) => i === 0 || i === 5 || i === 99)).toBe(false);
    for (const d of plan.directions) expect([d[0], d[5], d[99]]).toEqual([0, 0, 0]);
    expect(differencePlan(2, seededRandom(1), new Set([0, 1]))).toEqual({ elements: [], directions: [] });
  });
});

describe('pointValueText', () => {
  it('writes values as --at takes them: numbers, and nested lists for tensors', () => {
    expect(pointValueText(2.5)).toBe('2.5');
    expect(pointValueText(tensor([], [-0.5]))).toBe('-0.5');
    expect(pointValueText(tensor([3], [1, 2, 3]))).toBe('[1,2,3]');
    expect(pointValueText(tensor([2, 2], [1, 2, 3, 4]))).toBe('[[1,2],[3,4]]');
    expect(pointValueText(tensor([2, 1, 3], [1, 2, 3, 4, 5, 6]))).toBe('[[[1,2,3]],[[4,5,6]]]');
    expect(pointValueText(tensor([1, 1], [1e-7]))).toBe('[[1e-7]]');
  });
});
