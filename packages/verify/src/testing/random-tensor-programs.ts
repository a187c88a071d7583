/**
 * Test support: random well-formed tensor programs (v2) for property tests.
 *
 * Params p0.. of random literal shapes (rank 0-3, sizes 1-4), inputs x0..
 * whose dimensions may be the dimension names n and m, and bindings b0..
 * each applying one operation to values in scope (so later bindings reuse
 * earlier ones): elementwise ops of the table with NumPy broadcasting between
 * compatible shapes, reductions over random axes (with and without keepdims),
 * `@` in all four rank combinations, softmax and log_softmax, indexing and
 * slicing, stacking, transpose, reshape (with -1) and onehot on label inputs
 * y0... The output adds a full reduction of every binding no other uses.
 *
 * fast-check draws a list of numbers that a builder reads as its choices; a
 * shorter list means fewer choices (a missing one reads as 0, the simplest),
 * so shrinking a failure gives a smaller program. Every program the builder
 * writes is well-typed: it tracks each value's shape as the checker does.
 *
 * An op whose test domain is narrow (log, sqrt, asin, tan, pow's base, ...)
 * is applied only to variables or to values that merely move their elements
 * (indexing, stacking, transposing, reshaping: point sampling draws those
 * elements from the op's domain), and so is pow's exponent (or it is a
 * number); other ops take any value.
 */
import { broadcastShapes, type Dim } from '@autodiff/ir';
import { seededRandom } from '@autodiff/runtime';
import fc from 'fast-check';
import { applyOp, SOURCE_OPS, type ElementwiseOp } from './op-source.js';

export interface RandomTensorProgram {
  source: string;
  /** The size of each dimension name the program declares. */
  dims: Map<string, number>;
  /** What the program writes: op names and features (`keepdims`, `slice`, `matmul [2]@[2,3]`, ...). */
  features: Set<string>;
}

/** Everything `features` may name, apart from the elementwise ops: a run of the property should meet them all. */
export const TENSOR_FEATURES = [
  'sum', 'mean', 'max', 'min', 'logsumexp', 'axis', 'negative axis', 'keepdims', 'broadcast',
  'matmul [k]@[k]', 'matmul [m,k]@[k]', 'matmul [k]@[k,p]', 'matmul [m,k]@[k,p]',
  'softmax', 'log_softmax', 'index', 'slice', 'stack', 'transpose', 'reshape', 'reshape -1', 'onehot', 'dimension name',
] as const;

const DIMENSION_NAMES = ['n', 'm'] as const;
const CONSTANTS = ['0.5', '2', '3', '1.5', '0.25', '1e-1', 'pi'];
const REDUCTIONS = ['sum', 'mean', 'max', 'min', 'logsumexp'] as const;

/** An argument position whose test domain does not cover [-2, 2] (log, sqrt, pow's base, ...). */
function narrow(op: ElementwiseOp, k: number): boolean {
  const random = seededRandom(1);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < 200; i++) {
    const v = op.domain(random)[k]!;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return !(lo < -2 && hi > 2);
}
const UNARY = SOURCE_OPS.filter((o) => o.arity === 1);
const BINARY = SOURCE_OPS.filter((o) => o.arity === 2);
const NARROW = new Map(SOURCE_OPS.map((o) => [o.name, Array.from({ length: o.arity }, (_, k) => narrow(o, k))]));
const WIDE_UNARY = UNARY.filter((o) => !NARROW.get(o.name)![0]);
const NARROW_UNARY = UNARY.filter((o) => NARROW.get(o.name)![0]);

/** A value in scope: its source text (a name or a parenthesised expression), shape, and whether it only moves variables' elements. */
interface Value {
  text: string;
  shape: Dim[];
  /** A variable, or indexing, stacking, transposing or reshaping of variables only. */
  view: boolean;
  /** It depends on a param (so it has a gradient to check). */
  dep: boolean;
}

/** Reads choices from the list fast-check drew; past its end every choice is 0. */
class Choices {
  private next = 0;
  constructor(private readonly list: readonly number[]) {}
  /** An integer in [0, k). */
  int(k: number): number {
    if (k <= 1) return 0;
    const v = this.list[this.next++];
    return v === undefined ? 0 : v % k;
  }
  /** True with probability `percent` (false once the list runs out). */
  chance(percent: number): boolean {
    return this.int(100) >= 100 - percent;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

const shapeText = (s: readonly Dim[]) => `[${s.join(', ')}]`;
const isLiteral = (d: Dim): d is number => typeof d === 'number';
const sameShape = (a: readonly Dim[], b: readonly Dim[]) => a.length === b.length && a.every((d, k) => d === b[k]);
const paren = (text: string) => (/^[A-Za-z_]\w*$/.test(text) ? text : `(${text})`);

class Builder {
  readonly lines: string[] = [];
  readonly features = new Set<string>();
  readonly declarations: string[] = [];
  readonly labels: string[] = [];
  readonly pool: Value[] = [];
  /** Bindings that no later binding uses: the output adds them up. */
  readonly unused = new Set<string>();
  /** Names of values used as operands (variables among them). */
  readonly usedVariables = new Set<string>();
  /** The dimension names the declarations use. */
  readonly dimNames = new Set<string>();
  private bindings = 0;

  constructor(readonly c: Choices) {}

  declare(): void {
    const params = 1 + this.c.int(3);
    const inputs = this.c.int(3);
    const paramDecls: string[] = [];
    for (let i = 0; i < params; i++) {
      const shape = this.randomShape(false);
      paramDecls.push(shape.length === 0 && this.c.chance(50) ? `p${i}` : `p${i}: ${shapeText(shape)}`);
      this.pool.push({ text: `p${i}`, shape, view: true, dep: true });
    }
    this.declarations.push(`param ${paramDecls.join(', ')}`);
    const inputDecls: string[] = [];
    for (let i = 0; i < inputs; i++) {
      const shape = this.randomShape(true);
      inputDecls.push(`x${i}: ${shapeText(shape)}`);
      this.pool.push({ text: `x${i}`, shape, view: true, dep: false });
    }
    if (inputDecls.length > 0) this.declarations.push(`input ${inputDecls.join(', ')}`);
  }



  /**
   * Rank 0-3, sizes 1-4; one of an input's dimensions may be a dimension name.
   * (Not more: the generated module cannot yet infer the sizes of `[n, m]`
   * or `[n, 4, n]` from the inputs' lengths, and fails to compile.)
   */
  randomShape(named: boolean): Dim[] {
    const rank = this.c.int(4);
    let names = named ? 1 : 0;
    return Array.from({ length: rank }, (): Dim => {
      if (names > 0 && this.c.chance(35)) {
        names--;
        this.features.add('dimension name');
        const name = this.c.chance(25) ? DIMENSION_NAMES[1] : DIMENSION_NAMES[0];
        this.dimNames.add(name);
        return name;
      }
      return 1 + this.c.int(4);
    });
  }

  /** A value in scope, most often one that depends on a param, and a recent one. */
  operand(): Value {
    const pool = this.c.chance(75) ? this.pool.filter((v) => v.dep) : this.pool;
    return this.c.chance(60) ? pool[pool.length - 1 - this.c.int(Math.min(3, pool.length))]! : pool[this.c.int(pool.length)]!;
  }

  /** A value's text as an operand; a binding used is no longer added to the output. */
  use(v: Value): string {
    this.unused.delete(v.text);
    this.usedVariables.add(v.text);
    if (v.dep) this.dependent = true;
    return paren(v.text);
  }

  /** Whether a value used since the last binding depends on a param. */
  private dependent = false;

  bind(text: string, shape: Dim[], view: boolean): void {
    const name = `b${this.bindings++}`;
    this.lines.push(`${name} = ${text}`);
    this.pool.push({ text: name, shape, view, dep: this.dependent });
    this.dependent = false;
    this.unused.add(name);
  }

  /** One binding: tries operations until one fits the operand drawn. */
  step(): void {
    const builders = [
      () => this.unary(), () => this.unary(), () => this.binary(), () => this.binary(), () => this.reduce(), () => this.reduce(),
      () => this.matmul(), () => this.matmul(), () => this.matmul(), () => this.softmax(), () => this.index(), () => this.stack(),
      () => this.transpose(), () => this.reshape(), () => this.onehot(),
    ];
    for (let tries = 0; tries < 4; tries++) if (this.c.pick(builders)()) return;
    this.unary();
  }

  /** A value that only moves variables' elements (a param's, mostly), for an op with a narrow domain. */
  viewOperand(): Value {
    const views = this.pool.filter((v) => v.view);
    const dependent = views.filter((v) => v.dep);
    return this.c.pick(dependent.length > 0 && this.c.chance(75) ? dependent : views);
  }

  unary(): boolean {
    // Half the time an op with a narrow domain: the others also come with stacks and products.
    const op = this.c.pick(this.c.chance(50) ? NARROW_UNARY : WIDE_UNARY);
    const a = NARROW.get(op.name)![0] ? this.viewOperand() : this.operand();
    this.features.add(op.name);
    this.bind(applyOp(op.name, [this.use(a)], this.c.int(2)), a.shape, false);
    return true;
  }

  binary(): boolean {
    let a = this.operand();
    let b = this.partner(a);
    if (this.c.chance(40)) [a, b] = [b, a];
    let op = this.c.pick(BINARY);
    const narrowAt = NARROW.get(op.name)!;
    if (narrowAt[0] && !a.view) {
      // pow's base: a variable (or a view of one), broadcast with a as the exponent
      const base = this.viewOperand();
      if (broadcastShapes(base.shape, a.shape).ok) [a, b] = [base, a];
    }
    if ((narrowAt[0] && !a.view) || (narrowAt[1] && !b.view)) op = BINARY.find((o) => o.name === 'mul')!;
    // pow's exponent: a variable (drawn from pow's domain) or a number, not a computed value: x^sum(x)
    // is astronomically large, and sin of it oscillates far faster than any finite-difference step.
    if (op.name === 'pow' && !b.view && !/^[\d.]|^pi$/.test(b.text)) op = BINARY.find((o) => o.name === 'mul')!;
    const r = broadcastShapes(a.shape, b.shape);
    if (!r.ok) throw new Error(`internal: random program: ${shapeText(a.shape)} and ${shapeText(b.shape)} do not broadcast`);
    if (!sameShape(a.shape, b.shape)) this.features.add('broadcast');
    this.features.add(op.name);
    this.bind(applyOp(op.name, [this.use(a), this.use(b)], this.c.int(3)), [...r.shape], false);
    return true;
  }

  /** A second operand that broadcasts with a: a number, a value in scope of a compatible shape, or a reduction of a with kept axes. */
  partner(a: Value): Value {
    const choice = this.c.int(10);
    if (choice === 0) return { text: this.c.pick(CONSTANTS), shape: [], view: false, dep: false };
    if (choice <= 4) {
      const fits = this.pool.filter((v) => broadcastShapes(v.shape, a.shape).ok);
      if (fits.length > 0) return this.c.pick(fits);
    }
    if (a.shape.length === 0) return { text: this.c.pick(CONSTANTS), shape: [], view: false, dep: false };
    // Reduce a over one axis: kept as size 1, or (the first axis) dropped.
    const k = this.c.int(a.shape.length);
    const keep = k > 0 || this.c.chance(50);
    const fn = this.c.pick(REDUCTIONS);
    this.features.add(fn).add('axis');
    if (keep) this.features.add('keepdims');
    const shape = keep ? a.shape.map((d, j) => (j === k ? 1 : d)) : a.shape.slice(1);
    return { text: `${fn}(${this.use(a)}, axis=${k}${keep ? ', keepdims=true' : ''})`, shape, view: false, dep: a.dep };
  }

  reduce(): boolean {
    const a = this.operand();
    if (a.shape.length === 0) return false;
    const fn = this.c.pick(REDUCTIONS);
    this.features.add(fn);
    const rank = a.shape.length;
    if (rank === 0 || this.c.chance(25)) {
      const keep = this.c.chance(30);
      if (keep) this.features.add('keepdims');
      this.bind(`${fn}(${this.use(a)}${keep ? ', keepdims=true' : ''})`, keep ? a.shape.map(() => 1) : [], false);
      return true;
    }
    const k = this.c.int(rank);
    const negative = this.c.chance(30);
    const keep = this.c.chance(40);
    this.features.add('axis');
    if (negative) this.features.add('negative axis');
    if (keep) this.features.add('keepdims');
    const shape = keep ? a.shape.map((d, j) => (j === k ? 1 : d)) : a.shape.filter((_, j) => j !== k);
    this.bind(`${fn}(${this.use(a)}, axis=${negative ? k - rank : k}${keep ? ', keepdims=true' : ''})`, shape, false);
    return true;
  }

  /**
   * `@` of a with a value in scope whose inner dimension matches, else with
   * its own transpose, itself (a dot), or a stack of it and a function of it
   * (a matrix with a's length as its inner dimension).
   */
  matmul(): boolean {
    const a = this.operand();
    const rank = a.shape.length;
    if (rank < 1 || rank > 2) return false;
    const matrix = (v: Value) => (v.shape.length === 1 || v.shape.length === 2);
    const stacked = (): Value => {
      const op = this.c.pick(WIDE_UNARY);
      this.features.add(op.name).add('stack');
      return { text: `[${this.use(a)}, ${applyOp(op.name, [this.use(a)])}]`, shape: [2, a.shape[0]!], view: false, dep: a.dep };
    };
    const transposed = (v: Value): Value => {
      this.features.add('transpose');
      return { text: `transpose(${v.text})`, shape: [...v.shape].reverse(), view: v.view, dep: v.dep };
    };
    let left = a;
    let right = a;
    const matching = (pick: (v: Value) => boolean) => {
      const fits = this.pool.filter(pick);
      return fits.length > 0 && this.c.chance(50) ? this.c.pick(fits) : undefined;
    };
    if (rank === 1) {
      // [k]@[k], [k]@[k,p] and [m,k]@[k], as often each
      const k = a.shape[0]!;
      const form = this.c.int(3);
      if (form === 0) right = matching((v) => v.shape.length === 1 && v.shape[0] === k) ?? a;
      else if (form === 1) right = matching((v) => v.shape.length === 2 && v.shape[0] === k) ?? transposed(stacked());
      else left = matching((v) => v.shape.length === 2 && v.shape[1] === k) ?? stacked();
    } else if (this.c.chance(60)) {
      const k = a.shape[1]!;
      right = matching((v) => matrix(v) && v.shape[0] === k) ?? transposed({ ...a, text: this.use(a) });
    } else {
      const m = a.shape[0]!;
      left = matching((v) => matrix(v) && v.shape[v.shape.length - 1] === m) ?? transposed({ ...a, text: this.use(a) });
    }
    const [l, r] = [left.shape, right.shape];
    const shape = [...l.slice(0, -1), ...r.slice(1)];
    this.features.add(`matmul [${l.length === 2 ? 'm,k' : 'k'}]@[${r.length === 2 ? 'k,p' : 'k'}]`);
    this.bind(`${this.use(left)} @ ${this.use(right)}`, shape, false);
    return true;
  }

  softmax(): boolean {
    const a = this.operand();
    if (a.shape.length === 0) return false;
    const fn = this.c.chance(50) ? 'softmax' : 'log_softmax';
    this.features.add(fn);
    const axis = this.c.chance(50) ? '' : `, axis=${this.c.int(a.shape.length) - (this.c.chance(30) ? a.shape.length : 0)}`;
    this.bind(`${fn}(${this.use(a)}${axis})`, a.shape, false);
    return true;
  }

  index(): boolean {
    const a = this.operand();
    if (a.shape.length === 0) return false;
    const count = 1 + this.c.int(a.shape.length);
    const entries: string[] = [];
    const shape: Dim[] = [];
    a.shape.forEach((d, k) => {
      if (k >= count) { shape.push(d); return; }
      if (!isLiteral(d)) { entries.push(':'); shape.push(d); return; }
      const kind = this.c.int(3);
      if (kind === 0) { entries.push(':'); shape.push(d); return; }
      if (kind === 1) {
        const i = this.c.int(d);
        entries.push(String(this.c.chance(30) ? i - d : i));
        this.features.add('index');
        return;
      }
      const start = this.c.int(d);
      const end = start + 1 + this.c.int(d - start);
      const from = start === 0 && this.c.chance(50) ? '' : String(this.c.chance(30) ? start - d : start);
      const to = end === d && this.c.chance(50) ? '' : String(end < d && this.c.chance(30) ? end - d : end);
      entries.push(`${from}:${to}`);
      shape.push(end - start);
      this.features.add('slice');
    });
    this.bind(`${this.use(a)}[${entries.join(', ')}]`, shape, a.view);
    return true;
  }

  /** `[a, ...]`: values in scope of a's shape, or a transformed elementwise. */
  stack(): boolean {
    const a = this.operand();
    const count = 1 + this.c.int(3);
    const same = this.pool.filter((v) => sameShape(v.shape, a.shape));
    const elements = [this.use(a)];
    let view = a.view;
    for (let i = 1; i < count; i++) {
      if (this.c.chance(50)) {
        const v = this.c.pick(same);
        elements.push(this.use(v));
        view &&= v.view;
      } else {
        const op = this.c.pick(WIDE_UNARY);
        this.features.add(op.name);
        elements.push(applyOp(op.name, [this.use(a)]));
        view = false;
      }
    }
    this.features.add('stack');
    this.bind(`[${elements.join(', ')}]`, [count, ...a.shape], view);
    return true;
  }

  transpose(): boolean {
    const a = this.operand();
    if (a.shape.length === 0) return false;
    this.features.add('transpose');
    this.bind(`transpose(${this.use(a)})`, [...a.shape].reverse(), a.view);
    return true;
  }

  /** The same elements regrouped: a's literal sizes factored and regrouped, its dimension names moved, 1s added; maybe one -1. */
  reshape(): boolean {
    const a = this.operand();
    const primes: number[] = [];
    const names: string[] = [];
    for (const d of a.shape) {
      if (!isLiteral(d)) { names.push(d); continue; }
      let n = d;
      for (const p of [2, 3]) while (n % p === 0) { primes.push(p); n /= p; }
    }
    const tokens: Dim[] = [...primes, ...names];
    for (let i = tokens.length - 1; i > 0; i--) {
      const j = this.c.int(i + 1);
      [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
    }
    const shape: Dim[] = [];
    for (const t of tokens) {
      const last = shape[shape.length - 1];
      if (isLiteral(t) && last !== undefined && isLiteral(last) && this.c.chance(40)) shape[shape.length - 1] = last * t;
      else shape.push(t);
      if (this.c.chance(10)) shape.push(1);
    }
    if (shape.length === 0) shape.push(1);
    const written: string[] = shape.map(String);
    if (this.c.chance(35)) {
      written[this.c.int(written.length)] = '-1';
      this.features.add('reshape -1');
    }
    this.features.add('reshape');
    this.bind(`reshape(${this.use(a)}, [${written.join(', ')}])`, shape, a.view);
    return true;
  }

  /** `onehot(y, k)` of a new label input y of Z's leading shape, times Z (or log_softmax(Z)): a cross-entropy's pattern. */
  onehot(): boolean {
    const z = this.operand();
    const k = z.shape[z.shape.length - 1];
    if (k === undefined || !isLiteral(k) || k < 2) return false;
    const y = `y${this.labels.length}`;
    this.labels.push(`${y}: ${shapeText(z.shape.slice(0, -1))}`);
    this.features.add('onehot');
    const logits = this.c.chance(50) ? `log_softmax(${this.use(z)})` : this.use(z);
    if (logits.startsWith('log_softmax')) this.features.add('log_softmax');
    this.bind(`onehot(${y}, ${k}) * ${logits}`, z.shape, false);
    return true;
  }

  output(): string {
    // Every shaped variable is used. (A program whose output uses no shaped
    // value while one is declared compiles to scalar code that reads inputs
    // at the wrong offsets, a known bug of the generated module, so it is not
    // generated until that is fixed.)
    for (const v of this.pool) {
      if (v.shape.length > 0 && /^[px]\d+$/.test(v.text) && !this.usedVariables.has(v.text)) this.unused.add(v.text);
    }
    const terms = [...this.unused].map((name) => {
      const v = this.pool.find((p) => p.text === name)!;
      if (v.shape.length === 0) return name;
      const fn = this.c.pick(REDUCTIONS);
      this.features.add(fn);
      return `${fn}(${name})`;
    });
    // Without bindings, the output reduces a param.
    if (terms.length === 0) {
      const p = this.pool[0]!;
      return p.shape.length === 0 ? p.text : `sum(${p.text})`;
    }
    return terms.join(' + ');
  }
}

export const tensorProgramArb: fc.Arbitrary<RandomTensorProgram> = fc.record({
  choices: fc.array(fc.nat({ max: 0xffff }), { maxLength: 400, size: 'max' }),
  bindings: fc.integer({ min: 1, max: 6 }),
  n: fc.integer({ min: 1, max: 4 }),
  m: fc.integer({ min: 1, max: 4 }),
}).map(({ choices, bindings, n, m }) => {
  const b = new Builder(new Choices(choices));
  b.declare();
  for (let i = 0; i < bindings; i++) b.step();
  const output = b.output();
  const declarations = [...b.declarations];
  if (b.labels.length > 0) declarations.push(`input ${b.labels.join(', ')}`);
  const source = [...declarations, ...b.lines, output].join('\n') + '\n';
  const sizes = new Map([['n', n], ['m', m]]);
  const dims = new Map([...b.dimNames].sort().map((d) => [d, sizes.get(d)!] as const));
  return { source, dims, features: b.features };
});
