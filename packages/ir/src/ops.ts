/**
 * The op table: every operation of the IR is defined here, once.
 * Parser (function names, arity), simplifier (folding), differentiation (vjp),
 * code generation (printers, helpers) and tests (domains) all read this table.
 */
import type { Graph } from './graph.js';
import type { Node } from './node.js';

/** A helper function that generated code needs for an op; emitted only when used. */
export interface Helper {
  name: string;
  params: string[];
  /** Body in the common subset of TS and JS (no type annotations). */
  body: string;
}

/** Draws one argument tuple from the region where the op is smooth and finite. */
export type Sampler = (random: () => number) => number[];

export interface OpDef {
  name: string;
  arity: number;
  /** How the op is written in source: a named function, an operator, or not at all. */
  syntax: 'function' | 'operator' | 'internal';
  eval: (...args: number[]) => number;
  /**
   * Reverse-mode rule: given the cotangent `g` of `out = op(args)`, the cotangent
   * contribution for each argument, or null where it is symbolically zero.
   */
  vjp: (b: Graph, args: readonly Node[], out: Node, g: Node) => (Node | null)[];
  /** TS/JS expression for the op applied to printed operands (each a name or literal). */
  print: (...args: string[]) => string;
  helper?: Helper;
  domain: Sampler;
}

const uniform = (lo: number, hi: number) => (r: () => number) => lo + (hi - lo) * r();
/** Uniform on [-hi, -lo] ∪ [lo, hi]: keeps clear of a pole or kink at zero. */
const awayFromZero = (lo: number, hi: number) => (r: () => number) =>
  (r() < 0.5 ? -1 : 1) * uniform(lo, hi)(r);
const each = (...samplers: ((r: () => number) => number)[]): Sampler => (r) => samplers.map((s) => s(r));
const wide = uniform(-3, 3);

// Numerically stable forms, shared by eval and the generated code's helpers.
// One exp each: e = exp(-|x|) never overflows, and 1 + e never cancels.
const sigmoidBody = 'const e = Math.exp(-Math.abs(x));\n  return x >= 0 ? 1 / (1 + e) : e / (1 + e);';
const softplusBody = 'return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));';
// 0.5 x (1 + tanh u) = x sigmoid(2u): the sigmoid form keeps full precision for x < 0.
const geluBody = [
  'const u2 = 1.5957691216057308 * (x + 0.044715 * x * x * x);',
  '  const e = Math.exp(-Math.abs(u2));',
  '  return x * (u2 >= 0 ? 1 / (1 + e) : e / (1 + e));',
].join('\n');
// sech^2 x = 4e / (1 + e)^2 with e = exp(-2|x|): one exp, nothing cancels, a few ulps everywhere
// (1 - tanh^2 x has lost all precision once tanh x rounds near 1).
const sech2Body = 'const e = Math.exp(-2 * Math.abs(x));\n  return (4 * e) / ((1 + e) * (1 + e));';
// PyTorch's minimum/maximum backward: nothing to the side that loses, half on a
// tie, all of g otherwise (to both sides when one is NaN: neither loses).
const tieShareBody = 'return a > b ? 0 : a === b ? g / 2 : g;';
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const compileHelper = (h: Helper) => new Function(...h.params, h.body) as (...a: number[]) => number;

const sigmoidHelper: Helper = { name: 'sigmoid', params: ['x'], body: sigmoidBody };
const softplusHelper: Helper = { name: 'softplus', params: ['x'], body: softplusBody };
const geluHelper: Helper = { name: 'gelu', params: ['x'], body: geluBody };
const sech2Helper: Helper = { name: 'sech2', params: ['x'], body: sech2Body };
/** The cotangent `g` min(a, b) passes to a: none when b is smaller, half on a tie, else all of it (PyTorch). */
const tieShareHelper: Helper = { name: 'tieShare', params: ['g', 'a', 'b'], body: tieShareBody };

const sigmoid = compileHelper(sigmoidHelper);
const softplus = compileHelper(softplusHelper);
const gelu = compileHelper(geluHelper);
const sech2 = compileHelper(sech2Helper);
const tieShare = compileHelper(tieShareHelper);

const SQRT_2_OVER_PI = 0.7978845608028654;
const GELU_C = 0.044715;

type Rule = OpDef['vjp'];
const oneMinusSquare = (b: Graph, x: Node) => b.mul(b.sub(b.const(1), x), b.add(b.const(1), x));
const fn = (name: string, arity: number, eval_: OpDef['eval'], vjp: Rule, domain: Sampler, helper?: Helper): OpDef => ({
  name,
  arity,
  syntax: 'function',
  eval: eval_,
  vjp,
  print: (...a) => `${helper ? helper.name : `Math.${name}`}(${a.join(', ')})`,
  ...(helper ? { helper } : {}),
  domain,
});
const math1 = (name: Exclude<keyof Math, symbol>, vjp: Rule, domain: Sampler = each(wide)) =>
  fn(name, 1, Math[name] as (x: number) => number, vjp, domain);

const binop = (name: string, symbol: string, eval_: OpDef['eval'], vjp: Rule, domain: Sampler): OpDef => ({
  name, arity: 2, syntax: 'operator', eval: eval_, vjp, print: (a, b) => `${a} ${symbol} ${b}`, domain,
});

const internal = (name: string, arity: number, eval_: OpDef['eval'], print: OpDef['print'], vjp: Rule, domain: Sampler, helper?: Helper): OpDef => ({
  name, arity, syntax: 'internal', eval: eval_, vjp, print, ...(helper ? { helper } : {}), domain,
});

export const OPS: readonly OpDef[] = [
  // Arithmetic operators.
  binop('add', '+', (a, b) => a + b, (_b, _a, _o, g) => [g, g], each(wide, wide)),
  binop('sub', '-', (a, b) => a - b, (b, _a, _o, g) => [g, b.neg(g)], each(wide, wide)),
  binop('mul', '*', (a, b) => a * b, (b, [x, y], _o, g) => [b.mul(g, y!), b.mul(x!, g)], each(wide, wide)),
  binop('div', '/', (a, b) => a / b,
    (b, [, y], out, g) => [b.div(g, y!), b.neg(b.div(b.mul(g, out), y!))],
    each(wide, awayFromZero(0.3, 3))),
  {
    name: 'neg', arity: 1, syntax: 'operator', eval: (a) => -a,
    vjp: (b, _a, _o, g) => [b.neg(g)], print: (a) => `-${a}`, domain: each(wide),
  },
  {
    name: 'pow', arity: 2, syntax: 'function', eval: Math.pow,
    // d/dx x^y = y x^(y-1);  d/dy x^y = x^y log x. As in PyTorch: d/dx is 0
    // where y = 0 (a select, whatever g is, and a real 0 that still flows on),
    // and the factor x^y log x is 0 where x = 0 and y >= 0 (then times g).
    vjp: (b, [x, y], out, g) => {
      const dx = b.mul(g, b.mul(y!, b.pow(x!, b.sub(y!, b.const(1)))));
      const dyFactor = b.mul(out, b.call('log', x!));
      return [
        y!.op !== 'const' ? b.call('unlessZero', dx, y!) : y!.value === 0 ? b.const(0) : dx,
        b.mul(g, x!.op === 'const' && x!.value !== 0 ? dyFactor : b.call('zeroBaseMask', dyFactor, x!, y!)),
      ];
    },
    print: (a, b) => (b === '2' ? `${a} * ${a}` : `Math.pow(${a}, ${b})`), // x*x is exact and faster
    domain: each(uniform(0.2, 3), uniform(-2.5, 2.5)),
  },

  // Elementary functions.
  math1('sin', (b, [x], _o, g) => [b.mul(g, b.call('cos', x!))]),
  math1('cos', (b, [x], _o, g) => [b.neg(b.mul(g, b.call('sin', x!)))]),
  math1('tan', (b, _a, out, g) => [b.mul(g, b.add(b.const(1), b.mul(out, out)))], each(uniform(-1.4, 1.4))),
  // 1 - x^2 as (1 - x)(1 + x): no cancellation as |x| -> 1.
  math1('asin', (b, [x], _o, g) => [b.div(g, b.call('sqrt', oneMinusSquare(b, x!)))], each(uniform(-0.95, 0.95))),
  math1('acos', (b, [x], _o, g) => [b.neg(b.div(g, b.call('sqrt', oneMinusSquare(b, x!))))], each(uniform(-0.95, 0.95))),
  math1('atan', (b, [x], _o, g) => [b.div(g, b.add(b.const(1), b.mul(x!, x!)))]),
  math1('sinh', (b, [x], _o, g) => [b.mul(g, b.call('cosh', x!))]),
  math1('cosh', (b, [x], _o, g) => [b.mul(g, b.call('sinh', x!))]),
  // tanh' = sech^2 x, from x (the rounded tanh x has already lost the precision 1 - tanh^2 needs).
  math1('tanh', (b, [x], _o, g) => [b.mul(g, b.call('sech2', x!))]),
  math1('exp', (b, _a, out, g) => [b.mul(g, out)]),
  math1('log', (b, [x], _o, g) => [b.div(g, x!)], each(uniform(0.1, 5))),
  math1('log1p', (b, [x], _o, g) => [b.div(g, b.add(b.const(1), x!))], each(uniform(-0.9, 4))),
  math1('sqrt', (b, _a, out, g) => [b.div(g, b.mul(b.const(2), out))], each(uniform(0.05, 5))),
  math1('abs', (b, [x], _o, g) => [b.mul(g, b.call('sign', x!))], each(awayFromZero(0.1, 3))),
  // sigmoid' = s(x) s(-x): unlike s(1 - s), exact where s(x) rounds to 1.
  fn('sigmoid', 1, sigmoid, (b, [x], out, g) => [b.mul(g, b.mul(out, b.call('sigmoid', b.neg(x!))))],
    each(uniform(-6, 6)), sigmoidHelper),
  {
    name: 'relu', arity: 1, syntax: 'function', eval: (x) => Math.max(x, 0),
    vjp: (b, [x], _o, g) => [b.call('gate', g, x!)], // relu'(0) = 0 and relu'(NaN) = 1, as in PyTorch
    print: (a) => `Math.max(${a}, 0)`, domain: each(awayFromZero(0.1, 3)),
  },
  fn('softplus', 1, softplus, (b, [x], _o, g) => [b.mul(g, b.call('sigmoid', x!))],
    each(uniform(-6, 6)), softplusHelper),
  fn('gelu', 1, gelu, (b, [x], _o, g) => {
    // gelu = x s(2u), u = c (x + k x^3); gelu' = s(2u) + x s(2u) s(-2u) 2c (1 + 3k x^2).
    // 2u is grouped as the forward helper computes it, so s(2u) is the forward's.
    const x2 = b.mul(x!, x!);
    const twoU = b.mul(b.const(2 * SQRT_2_OVER_PI), b.add(x!, b.mul(b.mul(b.mul(b.const(GELU_C), x!), x!), x!)));
    const s = b.call('sigmoid', twoU);
    const slope = b.mul(b.const(2 * SQRT_2_OVER_PI), b.add(b.const(1), b.mul(b.const(3 * GELU_C), x2)));
    const ds = b.mul(s, b.call('sigmoid', b.neg(twoU)));
    // For |x| > ~1e154 the slope overflows while s(2u) s(-2u) is 0: the term is 0, not inf * 0.
    const d = b.add(s, b.call('unlessZero', b.mul(b.mul(x!, ds), slope), ds));
    return [b.mul(g, d)];
  }, each(uniform(-4, 4)), geluHelper),
  {
    name: 'min', arity: 2, syntax: 'function', eval: Math.min,
    vjp: (b, [x, y], _o, g) => [b.call('tieShare', g, x!, y!), b.call('tieShare', g, y!, x!)],
    print: (a, b) => `Math.min(${a}, ${b})`, domain: each(wide, wide),
  },
  {
    name: 'max', arity: 2, syntax: 'function', eval: Math.max,
    vjp: (b, [x, y], _o, g) => [b.call('tieShare', g, y!, x!), b.call('tieShare', g, x!, y!)],
    print: (a, b) => `Math.max(${a}, ${b})`, domain: each(wide, wide),
  },

  // Ops that only derivative rules produce. Each passes a cotangent through
  // where a condition holds and gives 0 elsewhere (a select, not a product, so
  // an infinite cotangent gives 0 rather than NaN there, as in PyTorch).
  internal('sech2', 1, sech2, (a) => `sech2(${a})`, (b, [x], out, h) => [b.mul(h, b.mul(b.const(-2), b.mul(out, b.call('tanh', x!))))],
    each(wide), sech2Helper),
  // sign(NaN) is 0, as torch.sign (Math.sign gives NaN): abs'(NaN) = 0 in PyTorch.
  internal('sign', 1, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), (a) => `(${a} > 0 ? 1 : ${a} < 0 ? -1 : 0)`, () => [null],
    each(awayFromZero(0.1, 3))),
  // g where x > 0 or x is NaN (PyTorch's threshold_backward masks only x <= 0).
  internal('gate', 2, (g, x) => (x <= 0 ? 0 : g), (g, x) => `(${x} <= 0 ? 0 : ${g})`,
    (b, [, x], _o, h) => [b.call('gate', h, x!), null], each(wide, awayFromZero(0.1, 3))),
  internal('tieShare', 3, tieShare, (g, a, b) => `tieShare(${g}, ${a}, ${b})`,
    (b, [, x, y], _o, h) => [b.call('tieShare', h, x!, y!), null, null], each(wide, wide, wide), tieShareHelper),
  internal('unlessZero', 2, (v, c) => (c === 0 ? 0 : v), (v, c) => `(${c} === 0 ? 0 : ${v})`,
    (b, [, c], _o, h) => [b.call('unlessZero', h, c!), null], each(wide, awayFromZero(0.1, 3))),
  internal('zeroBaseMask', 3, (v, x, y) => (x === 0 && y >= 0 ? 0 : v), (v, x, y) => `(${x} === 0 && ${y} >= 0 ? 0 : ${v})`,
    (b, [, x, y], _o, h) => [b.call('zeroBaseMask', h, x!, y!), null, null], each(wide, awayFromZero(0.1, 3), wide)),
];

const byName = new Map(OPS.map((op) => [op.name, op]));

export function opNamed(name: string): OpDef {
  const op = byName.get(name);
  if (!op) throw new Error(`internal: no op named '${name}' in the op table`);
  return op;
}

/** Functions a source program may call, with their arity. */
export const SOURCE_FUNCTIONS: ReadonlyMap<string, OpDef> = new Map(
  OPS.filter((op) => op.syntax === 'function').map((op) => [op.name, op]),
);
