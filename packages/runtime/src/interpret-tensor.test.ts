import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { analyze, type BinaryOp, type CheckedProgram, type Expr, type IndexEntry, type Keyword } from '@autodiff/parser';
import { inferDims, interpretTensor, type TensorValue } from './interpret-tensor.js';
import { interpret } from './interpret.js';
import { seededRandom } from './optim/random.js';

// ---- hand-built programs: AST builders (spans are not read by the interpreter) ----

const S = { start: 0, end: 0 };
const num = (value: number): Expr => ({ kind: 'number', value, span: S, text: String(value) });
const name = (n: string): Expr => ({ kind: 'name', name: n, span: S });
const neg = (operand: Expr): Expr => ({ kind: 'unary', op: '-', operand, span: S });
const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right, span: S, opSpan: S });
const keyword = (n: string, value: number | boolean): Keyword =>
  // the AST's keyword value is an integer or the word true/false; the interpreter takes either spelling
  ({ name: n, nameSpan: S, value: typeof value === 'boolean' ? String(value) : value, text: String(value), valueSpan: S }) as unknown as Keyword;
const fn = (callee: string, args: Expr[], keywords: Record<string, number | boolean> = {}): Expr => ({
  kind: 'call',
  callee,
  calleeSpan: S,
  args,
  keywords: Object.entries(keywords).map(([k, v]) => keyword(k, v)),
  span: S,
});
const at = (index: number): IndexEntry => ({ kind: 'at', index, text: String(index), span: S });
const slice = (start?: number, end?: number): IndexEntry => ({ kind: 'slice', ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }), text: `${start ?? ''}:${end ?? ''}`, span: S });
const index = (target: Expr, entries: IndexEntry[]): Expr => ({ kind: 'index', target, entries, openSpan: S, span: S });
const stack = (elements: Expr[]): Expr => ({ kind: 'stack', elements, span: S });

type Decl = [string, (number | string)[]];

function program(params: Decl[], inputs: Decl[], bindings: [string, Expr][], output: Expr): CheckedProgram {
  const variable = ([n, shape]: Decl) => ({ name: n, span: S, shape });
  const dimNames = [...new Set(inputs.flatMap(([, s]) => s.filter((d): d is string => typeof d === 'string')))];
  return {
    program: { statements: [] },
    params: params.map(variable),
    inputs: inputs.map(variable),
    dimNames,
    shapes: new Map(),
    resolved: new Map(), // the checker's op table: the interpreter never reads it
    bindings: new Map(bindings),
    output,
  };
}

// ---- helpers ----

const random = seededRandom(77);

function tensor(shape: number[], sample: () => number = () => 4 * random() - 2): { shape: number[]; data: Float64Array } {
  return { shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, sample) };
}

/** The interpreter's gradient against central differences of the interpreter's own value, element by element. */
function checkAgainstDifferences(checked: CheckedProgram, values: Map<string, TensorValue>): void {
  const dims = inferDims(checked, values);
  const { gradient } = interpretTensor(checked, values, dims);
  expect([...gradient.keys()]).toEqual(checked.params.map((p) => p.name));
  for (const p of checked.params) {
    const given = values.get(p.name)!;
    const base = typeof given === 'number' ? { shape: [], data: Float64Array.of(given) } : given;
    const g = gradient.get(p.name)!;
    expect(g.shape).toEqual(base.shape);
    for (let i = 0; i < base.data.length; i++) {
      const value = (x: number) => {
        const data = Float64Array.from(base.data);
        data[i] = x;
        const moved = new Map(values);
        moved.set(p.name, { shape: base.shape, data });
        return interpretTensor(checked, moved, dims).value;
      };
      const xi = base.data[i]!;
      const h = Math.cbrt(Number.EPSILON) * Math.max(1, Math.abs(xi));
      const fd = (value(xi + h) - value(xi - h)) / (xi + h - (xi - h));
      const tape = g.data[i]!;
      expect(Math.abs(tape - fd), `d/d${p.name}[${i}]: ${tape} vs ${fd}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fd)));
    }
  }
}

// ---- hand-built programs ----

describe('interpretTensor on hand-built programs', () => {
  it('an MLP on a batch with a dimension name, vs central differences, at two batch sizes', () => {
    // param W: [2, 3], b: [3], c; input X: [n, 2], y: [n]
    // h = tanh(X @ W + b); loss = mean((sum(h, axis=1) * c - y)^2)
    const checked = program(
      [['W', [2, 3]], ['b', [3]], ['c', []]],
      [['X', ['n', 2]], ['y', ['n']]],
      [['h', fn('tanh', [bin('+', bin('@', name('X'), name('W')), name('b'))])]],
      fn('mean', [bin('^', bin('-', bin('*', fn('sum', [name('h')], { axis: 1 }), name('c')), name('y')), num(2))]),
    );
    for (const n of [1, 4]) {
      const values = new Map<string, TensorValue>([['W', tensor([2, 3])], ['b', tensor([3])], ['c', 0.7], ['X', tensor([n, 2])], ['y', tensor([n])]]);
      checkAgainstDifferences(checked, values);
      expect(interpretTensor(checked, values, inferDims(checked, values)).gradient.get('c')!.shape).toEqual([]);
    }
  });

  it('cross-entropy of logits with onehot labels, by hand', () => {
    // -mean(sum(onehot(y, 3) * log_softmax(Z), axis=1))
    const checked = program(
      [['Z', [2, 3]]],
      [['y', ['n']]],
      [],
      neg(fn('mean', [fn('sum', [bin('*', fn('onehot', [name('y'), num(3)]), fn('log_softmax', [name('Z')]))], { axis: 1 })])),
    );
    const Z = [0, 0, 0, 1, 2, 3];
    const values = new Map<string, TensorValue>([['Z', { shape: [2, 3], data: Float64Array.from(Z) }], ['y', { shape: [2], data: Float64Array.of(1, 2) }]]);
    const r = interpretTensor(checked, values, new Map([['n', 2]]));
    const lse2 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const expected = -((0 - Math.log(3)) + (3 - lse2)) / 2;
    expect(Math.abs(r.value - expected)).toBeLessThan(1e-15);
    const s2 = [1, 2, 3].map((z) => Math.exp(z - lse2));
    const g = r.gradient.get('Z')!;
    const want = [1 / 6, 1 / 6 - 1 / 2, 1 / 6, s2[0]! / 2, s2[1]! / 2, (s2[2]! - 1) / 2];
    want.forEach((w, i) => expect(Math.abs(g.data[i]! - w)).toBeLessThan(1e-15));
  });

  it('reshape with literals, -1 and dimension names; transpose; index; stack; pi; keepdims', () => {
    // param v: [6], A: [2, 3], s; input X: [n, 3]
    // M = reshape(v, [2, -1]); R = reshape(X, [3, n])
    // sum(M * A) + sum(transpose(R) * X[:, 0:3]) * s + A[1, -1] * [s, pi][1] + sum(mean(A, axis=0, keepdims=true) @ [[1], [2], [3]])
    const checked = program(
      [['v', [6]], ['A', [2, 3]], ['s', []]],
      [['X', ['n', 3]]],
      [
        ['M', fn('reshape', [name('v'), stack([num(2), neg(num(1))])])],
        ['R', fn('reshape', [name('X'), stack([num(3), name('n')])])],
      ],
      bin(
        '+',
        bin(
          '+',
          bin(
            '+',
            fn('sum', [bin('*', name('M'), name('A'))]),
            bin('*', fn('sum', [bin('*', fn('transpose', [name('R')]), index(name('X'), [slice(), slice(0, 3)]))]), name('s')),
          ),
          bin('*', index(name('A'), [at(1), at(-1)]), index(stack([name('s'), name('pi')]), [at(1)])),
        ),
        fn('sum', [bin('@', fn('mean', [name('A')], { axis: 0, keepdims: true }), stack([stack([num(1)]), stack([num(2)]), stack([num(3)])]))]),
      ),
    );
    const values = new Map<string, TensorValue>([['v', tensor([6])], ['A', tensor([2, 3])], ['s', 1.3], ['X', tensor([3, 3])]]);
    checkAgainstDifferences(checked, values);
    const r = interpretTensor(checked, values, new Map([['n', 3]]));
    // d/ds = sum(transpose(R) * X), by hand
    const X = (values.get('X') as { data: Float64Array }).data;
    let ds = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) ds += X[j * 3 + i]! * X[i * 3 + j]!;
    expect(Math.abs(r.gradient.get('s')!.data[0]! - ds)).toBeLessThan(1e-12);
    // d/dA[1, 2] gets pi from A[1, -1] * pi
    const v = (values.get('v') as { data: Float64Array }).data;
    expect(Math.abs(r.gradient.get('A')!.data[5]! - (v[5]! + Math.PI + 3 / 2))).toBeLessThan(1e-12);
  });

  it('max/min: two arguments elementwise, one argument a reduction (axis, keepdims)', () => {
    // param x: [3], y: [3]; sum(max(x, y)) + min(x) + sum(max(y, axis=0, keepdims=true))
    const checked = program(
      [['x', [3]], ['y', [3]]],
      [],
      [],
      bin('+', bin('+', fn('sum', [fn('max', [name('x'), name('y')])]), fn('min', [name('x')])), fn('sum', [fn('max', [name('y')], { axis: 0, keepdims: true })])),
    );
    const values = new Map<string, TensorValue>([['x', { shape: [3], data: Float64Array.of(1, 5, 2) }], ['y', { shape: [3], data: Float64Array.of(1, 0, 7) }]]);
    const r = interpretTensor(checked, values, new Map());
    expect(r.value).toBe(1 + 5 + 7 + 1 + 7);
    expect(Array.from(r.gradient.get('x')!.data)).toEqual([0.5 + 1, 1, 0]);
    expect(Array.from(r.gradient.get('y')!.data)).toEqual([0.5, 0, 1 + 1]);
  });

  it('evaluates only the bindings the output needs; an unused param gets a zero gradient of its shape', () => {
    // param w: [2], U: [2, 2]; input y: [2]; dead = onehot(y, 2) (y holds 5: never evaluated); sum(w * w)
    const checked = program(
      [['w', [2]], ['U', [2, 2]]],
      [['y', [2]]],
      [['dead', fn('sum', [bin('*', fn('onehot', [name('y'), num(2)]), fn('log', [neg(name('U'))]))])]],
      fn('sum', [bin('*', name('w'), name('w'))]),
    );
    const values = new Map<string, TensorValue>([['w', { shape: [2], data: Float64Array.of(3, -1) }], ['U', tensor([2, 2])], ['y', { shape: [2], data: Float64Array.of(0, 5) }]]);
    const r = interpretTensor(checked, values, new Map());
    expect(r.value).toBe(10);
    expect(Array.from(r.gradient.get('w')!.data)).toEqual([6, -2]);
    expect(r.gradient.get('U')).toEqual({ shape: [2, 2], data: new Float64Array(4) });
  });

  it("onehot's range error names the input and the flat index", () => {
    const checked = program([['Z', [2, 3]]], [['y', [2]]], [], fn('sum', [bin('*', fn('onehot', [name('y'), num(3)]), name('Z'))]));
    const values = new Map<string, TensorValue>([['Z', tensor([2, 3])], ['y', { shape: [2], data: Float64Array.of(2, 3) }]]);
    expect(() => interpretTensor(checked, values, new Map())).toThrow(RangeError);
    expect(() => interpretTensor(checked, values, new Map())).toThrow(/onehot: input 'y'\[1\] is 3, not an integer in \[0, 3\)/);
  });

  it('refuses a value of the wrong shape, a missing value and a missing dimension size', () => {
    const checked = program([['w', [3]]], [['X', ['n', 3]]], [], fn('sum', [bin('@', name('X'), name('w'))]));
    const ok = new Map<string, TensorValue>([['w', tensor([3])], ['X', tensor([2, 3])]]);
    expect(interpretTensor(checked, ok, new Map([['n', 2]])).gradient.get('w')!.shape).toEqual([3]);
    expect(() => interpretTensor(checked, ok, new Map([['n', 3]]))).toThrow(/'X' has shape \[2, 3\], declared \[3, 3\]/);
    expect(() => interpretTensor(checked, ok, new Map())).toThrow(/dimension 'n'/);
    expect(() => interpretTensor(checked, new Map([['w', tensor([3])]]), new Map([['n', 2]]))).toThrow(/no value given for 'X'/);
    expect(() => interpretTensor(checked, new Map<string, TensorValue>([['w', 1], ['X', tensor([2, 3])]]), new Map([['n', 2]]))).toThrow(/'w'/);
  });

  it('inferDims reads the sizes from the values and refuses two sizes for one name', () => {
    const checked = program([['w', [3]]], [['X', ['n', 'm']], ['y', ['n']]], [], num(0));
    expect(inferDims(checked, new Map([['X', tensor([4, 2])], ['y', tensor([4])]]))).toEqual(new Map([['n', 4], ['m', 2]]));
    expect(() => inferDims(checked, new Map([['X', tensor([4, 2])], ['y', tensor([5])]]))).toThrow(/'y' gives dimension 'n' size 5/);
  });

  it('a 100,000-deep expression (x + x + ... + x) walks and backpropagates without recursion', () => {
    let e = name('x');
    for (let i = 0; i < 100_000; i++) e = bin('+', e, name('x'));
    const checked = program([['x', [2]]], [], [], fn('sum', [e]));
    const r = interpretTensor(checked, new Map([['x', { shape: [2], data: Float64Array.of(1, 2) }]]), new Map());
    expect(r.value).toBe(3 * 100_001);
    expect(Array.from(r.gradient.get('x')!.data)).toEqual([100_001, 100_001]);
  });

  it('is independent of the compiler: no import of @autodiff/ir, and nothing but foldExpr and types from the parser', () => {
    for (const file of ['tensor.ts', 'interpret-tensor.ts']) {
      const source = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/@autodiff\/ir/);
      const imports = [...source.matchAll(/^import\s+([^;]*?)\s+from\s+'([^']+)'/gm)];
      for (const [, what, from] of imports) {
        if (from !== '@autodiff/parser') continue;
        if (what!.startsWith('type ')) continue; // import type { ... }
        const names = what!.replace(/[{}]/g, '').split(',').map((n) => n.trim());
        for (const n of names) if (n !== '' && !n.startsWith('type ')) expect(n, `${file}: a value imported from the parser`).toBe('foldExpr');
      }
      for (const [, , from] of imports) expect(from === '@autodiff/parser' || from!.startsWith('./'), `${file} imports ${from}`).toBe(true);
    }
  });

  it('a v1 program gives exactly what interpret (value.ts) gives', () => {
    // param a, b; input x; h = tanh(a*x + b); (h - 0.5)^2 + softplus(a) / max(b, 0.25) - sigmoid(-x) * pi
    const checked = program(
      [['a', []], ['b', []]],
      [['x', []]],
      [['h', fn('tanh', [bin('+', bin('*', name('a'), name('x')), name('b'))])]],
      bin(
        '-',
        bin('+', bin('^', bin('-', name('h'), num(0.5)), num(2)), bin('/', fn('softplus', [name('a')]), fn('max', [name('b'), num(0.25)]))),
        bin('*', fn('sigmoid', [neg(name('x'))]), name('pi')),
      ),
    );
    for (const [a, b, x] of [[0.3, -0.2, 1.5], [-1.1, 0.25, 0.4], [2, 3, -1]] as const) {
      const scalar = interpret(checked, new Map([['a', a], ['b', b], ['x', x]]));
      const t = interpretTensor(checked, new Map([['a', a], ['b', b], ['x', x]]), new Map());
      expect(t.value).toBe(scalar.value);
      for (const p of ['a', 'b']) expect(t.gradient.get(p)).toEqual({ shape: [], data: Float64Array.of(scalar.gradient.get(p)!) });
    }
  });
});

// ---- the PyTorch reference data ----

/** A nested list in its shape (row-major), or a number for a scalar. */
type Nested = number | Nested[];

interface ReferenceCase {
  name: string;
  source: string;
  points: { at: Record<string, Nested>; value: number; gradient: Record<string, Nested> }[];
}

function readCases(file: string): ReferenceCase[] {
  return JSON.parse(readFileSync(new URL(`../../../../shared/reference/${file}`, import.meta.url), 'utf8')) as ReferenceCase[];
}

/** A nested list as shape and row-major data; ragged nesting is an Error. */
function fromNested(v: Nested): { shape: number[]; data: Float64Array } {
  const shape: number[] = [];
  for (let x: Nested = v; Array.isArray(x); x = x[0]!) shape.push(x.length);
  const data: number[] = [];
  const walk = (x: Nested, depth: number): void => {
    if (depth === shape.length) {
      if (typeof x !== 'number') throw new Error('nested list deeper than its first element');
      data.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) throw new Error('ragged nested list');
    for (const y of x) walk(y, depth + 1);
  };
  walk(v, 0);
  return { shape, data: Float64Array.from(data) };
}

/** Relative tolerance 1e-9, absolute 1e-12 near zero (shared/reference/README.md); non-finite values must be equal. */
function agrees(actual: number, expected: number): boolean {
  if (!Number.isFinite(expected)) return Object.is(actual, expected);
  return Math.abs(actual - expected) <= Math.max(1e-9 * Math.abs(expected), 1e-12);
}

function analyzed(c: ReferenceCase): CheckedProgram {
  const result = analyze(c.source);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  expect(errors, `${c.name}: ${errors.map((d) => d.message).join('; ')}`).toEqual([]);
  return result.checked!;
}

describe('PyTorch reference cases for tensors (shared/reference/tensor-cases.json) through analyze + interpretTensor', () => {
  const cases = readCases('tensor-cases.json');

  it('has the reference data', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of cases) {
    it(c.name, () => {
      const checked = analyzed(c);
      expect(checked.params.map((p) => p.name).sort()).toEqual(Object.keys(c.points[0]!.gradient).sort());
      for (const [k, point] of c.points.entries()) {
        const values = new Map<string, TensorValue>(Object.entries(point.at).map(([n, v]) => [n, typeof v === 'number' ? v : fromNested(v)]));
        const r = interpretTensor(checked, values, inferDims(checked, values));
        expect(agrees(r.value, point.value), `${c.name} point ${k}: value ${r.value} vs ${point.value}`).toBe(true);
        expect([...r.gradient.keys()]).toEqual(checked.params.map((p) => p.name));
        for (const [n, g] of r.gradient) {
          const want = fromNested(point.gradient[n]!);
          expect(g.shape, `${c.name} point ${k}: shape of d/d${n}`).toEqual(want.shape);
          want.data.forEach((w, i) => {
            expect(agrees(g.data[i]!, w), `${c.name} point ${k}: d/d${n}[${i}] ${g.data[i]} vs ${w}`).toBe(true);
          });
        }
      }
    });
  }
});

describe('PyTorch reference cases for scalars (shared/reference/cases.json): interpretTensor gives what interpret gives, bit for bit', () => {
  const cases = readCases('cases.json');

  it('every case and point', () => {
    expect(cases.length).toBeGreaterThanOrEqual(38);
    for (const c of cases) {
      const checked = analyzed(c);
      for (const [k, point] of c.points.entries()) {
        const scalars = new Map(Object.entries(point.at).map(([n, v]) => [n, v as number]));
        const t = interpretTensor(checked, scalars, new Map());
        const s = interpret(checked, scalars);
        expect(Object.is(t.value, s.value), `${c.name} point ${k}: ${t.value} vs ${s.value}`).toBe(true);
        expect(agrees(t.value, point.value), `${c.name} point ${k}: value`).toBe(true);
        for (const [n, g] of t.gradient) {
          expect(g.shape).toEqual([]);
          expect(Object.is(g.data[0], s.gradient.get(n)), `${c.name} point ${k}: d/d${n}`).toBe(true);
          expect(agrees(g.data[0]!, point.gradient[n] as number), `${c.name} point ${k}: d/d${n} vs reference`).toBe(true);
        }
      }
    }
  });
});
