/**
 * The op table: every operation of the IR is defined here, once, with its
 * arity, shape rule, numeric eval, derivative rule (built from IR builders),
 * emitter, LaTeX form and test domain. Parser and checker (function names,
 * shapes), simplifier (folding), differentiation (vjp), code generation
 * (printers, emitters, helpers), the playground (LaTeX) and tests (domains)
 * all read this table; no pass switches on op names.
 */
import type { Graph } from './graph.js';
import type { Node } from './node.js';
import { LATEX_PRECEDENCE as P, type Helper, type LatexForm, type OpDef, type Sampler, type ShapeRule, type VjpRule } from './op-def.js';
import type { ElementwiseOpName, OpName } from './op-names.js';
import { STRUCTURAL } from './structural-ops.js';
import { broadcastShapes, formatShape, type Shape } from './shape.js';

export * from './op-def.js';
export * from './op-names.js';

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

type Rule = VjpRule;
const oneMinusSquare = (b: Graph, x: Node) => b.mul(b.sub(b.const(1), x), b.add(b.const(1), x));

/** NumPy broadcasting of every argument: the shape rule of every elementwise op. */
export const broadcastRule: ShapeRule = (args) => {
  let shape: Shape = args[0]!;
  for (let k = 1; k < args.length; k++) {
    const r = broadcastShapes(shape, args[k]!);
    if (!r.ok) return { error: `cannot broadcast ${formatShape(shape)} with ${formatShape(args[k]!)}`, detail: `${r.left} vs ${r.right}` };
    shape = r.shape;
  }
  return shape;
};

const latexCall = (name: string): LatexForm => ({
  precedence: P.atom,
  print: (arg, args) => `${name}\\left(${args.map((_, i) => arg(i, 0)).join(', ')}\\right)`,
});

interface ElementwiseSpec {
  arity: number;
  syntax: OpDef['syntax'];
  eval: (...args: number[]) => number;
  vjp: Rule;
  print: (...args: string[]) => string;
  latex: LatexForm;
  domain: Sampler;
  helper?: Helper;
}
const elementwise = (name: ElementwiseOpName, spec: ElementwiseSpec): OpDef => ({
  name, kind: 'elementwise', shape: broadcastRule, ...spec,
});

const fn = (name: ElementwiseOpName, arity: number, eval_: (...a: number[]) => number, vjp: Rule, domain: Sampler, latex: LatexForm, helper?: Helper): OpDef =>
  elementwise(name, {
    arity, syntax: 'function', eval: eval_, vjp, domain, latex,
    print: (...a) => `${helper ? helper.name : `Math.${name}`}(${a.join(', ')})`,
    ...(helper ? { helper } : {}),
  });
const math1 = (name: ElementwiseOpName & Exclude<keyof Math, symbol>, vjp: Rule, domain: Sampler = each(wide), latex: LatexForm = latexCall(`\\${name}`)) =>
  fn(name, 1, Math[name] as (x: number) => number, vjp, domain, latex);

const binop = (name: ElementwiseOpName, symbol: string, eval_: (a: number, b: number) => number, vjp: Rule, domain: Sampler, latex: LatexForm): OpDef => ({
  ...elementwise(name, { arity: 2, syntax: 'operator', eval: eval_, vjp, print: (a, b) => `${a} ${symbol} ${b}`, domain, latex }),
  text: ([a, b]) => `${a} ${symbol} ${b}`,
});

const internal = (name: ElementwiseOpName, arity: number, eval_: (...a: number[]) => number, print: (...a: string[]) => string, vjp: Rule, domain: Sampler, latex: LatexForm, helper?: Helper): OpDef =>
  elementwise(name, { arity, syntax: 'internal', eval: eval_, vjp, print, domain, latex, ...(helper ? { helper } : {}) });

/** An Iverson bracket: 1 where the condition holds, else 0 (how masks read in math). */
const iverson = (condition: (arg: (i: number) => string) => string): LatexForm => ({
  precedence: P.atom,
  print: (a) => `\\left[${condition((i) => a(i, P.sum))}\\right]`,
});
/** A select that passes its first argument where a condition holds: `g [cond]`. */
const masked = (condition: (arg: (i: number) => string) => string): LatexForm => ({
  precedence: P.product,
  print: (a) => `${a(0, P.product)}\\,\\left[${condition((i) => a(i, P.sum))}\\right]`,
});

const ELEMENTWISE: Record<ElementwiseOpName, OpDef> = {
  // Arithmetic operators.
  add: binop('add', '+', (a, b) => a + b, (_b, _a, _o, g) => [g, g], each(wide, wide),
    { precedence: P.sum, print: (a) => `${a(0, P.sum)} + ${a(1, P.sum)}` }),
  sub: binop('sub', '-', (a, b) => a - b, (b, _a, _o, g) => [g, b.neg(g)], each(wide, wide),
    { precedence: P.sum, print: (a) => `${a(0, P.sum)} - ${a(1, P.product)}` }),
  mul: binop('mul', '*', (a, b) => a * b, (b, [x, y], _o, g) => [b.mul(g, y!), b.mul(x!, g)], each(wide, wide), {
    precedence: P.product,
    print: (a, args) => {
      if (args[0] === args[1]) return `${a(0, P.atom)}^{2}`;
      // A number first reads as a coefficient: 2 x, not 2 \cdot x.
      const coefficient = args[0]!.op === 'const' && args[1]!.op !== 'const';
      const times = args[0]!.shape.length > 0 && args[1]!.shape.length > 0 ? '\\odot' : '\\cdot'; // elementwise (Hadamard) product
      return coefficient ? `${a(0, P.unary)}\\,${a(1, P.product)}` : `${a(0, P.product)} ${times} ${a(1, P.product)}`;
    },
  }),
  div: binop('div', '/', (a, b) => a / b,
    (b, [, y], out, g) => [b.div(g, y!), b.neg(b.div(b.mul(g, out), y!))],
    each(wide, awayFromZero(0.3, 3)), { precedence: P.power, print: (a) => `\\frac{${a(0, 0)}}{${a(1, 0)}}` }),
  neg: {
    ...elementwise('neg', {
      arity: 1, syntax: 'operator', eval: (a) => -a,
      vjp: (b, _a, _o, g) => [b.neg(g)], print: (a) => `-${a}`, domain: each(wide),
      latex: { precedence: P.unary, print: (a) => `-${a(0, P.product)}` },
    }),
    text: ([a]) => `-${a}`,
  },
  pow: elementwise('pow', {
    arity: 2, syntax: 'function', eval: Math.pow,
    // d/dx x^y = y x^(y-1);  d/dy x^y = x^y log x. As in PyTorch: d/dx is 0
    // where y = 0 (a select, whatever g is, and a real 0 that still flows on),
    // and the factor x^y log x is 0 where x = 0 and y >= 0 (then times g).
    vjp: (b, [x, y], out, g) => {
      const dx = b.mul(g, b.mul(y!, b.pow(x!, b.sub(y!, b.const(1)))));
      const dyFactor = b.mul(out, b.call('log', x!));
      return [
        y!.op !== 'const' ? b.call('unlessZero', dx, y!) : y!.value === 0 ? b.const(0, x!.shape) : dx,
        b.mul(g, x!.op === 'const' && x!.value !== 0 ? dyFactor : b.call('zeroBaseMask', dyFactor, x!, y!)),
      ];
    },
    print: (a, b) => (b === '2' ? `${a} * ${a}` : `Math.pow(${a}, ${b})`), // x*x is exact and faster
    domain: each(uniform(0.2, 3), uniform(-2.5, 2.5)),
    latex: { precedence: P.power, print: (a) => `${a(0, P.atom)}^{${a(1, 0)}}` },
  }),

  // Elementary functions.
  sin: math1('sin', (b, [x], _o, g) => [b.mul(g, b.call('cos', x!))]),
  cos: math1('cos', (b, [x], _o, g) => [b.neg(b.mul(g, b.call('sin', x!)))]),
  tan: math1('tan', (b, _a, out, g) => [b.mul(g, b.add(b.const(1), b.mul(out, out)))], each(uniform(-1.4, 1.4))),
  // 1 - x^2 as (1 - x)(1 + x): no cancellation as |x| -> 1.
  asin: math1('asin', (b, [x], _o, g) => [b.div(g, b.call('sqrt', oneMinusSquare(b, x!)))], each(uniform(-0.95, 0.95)), latexCall('\\arcsin')),
  acos: math1('acos', (b, [x], _o, g) => [b.neg(b.div(g, b.call('sqrt', oneMinusSquare(b, x!))))], each(uniform(-0.95, 0.95)), latexCall('\\arccos')),
  atan: math1('atan', (b, [x], _o, g) => [b.div(g, b.add(b.const(1), b.mul(x!, x!)))], each(wide), latexCall('\\arctan')),
  sinh: math1('sinh', (b, [x], _o, g) => [b.mul(g, b.call('cosh', x!))]),
  cosh: math1('cosh', (b, [x], _o, g) => [b.mul(g, b.call('sinh', x!))]),
  // tanh' = sech^2 x, from x (the rounded tanh x has already lost the precision 1 - tanh^2 needs).
  tanh: math1('tanh', (b, [x], _o, g) => [b.mul(g, b.call('sech2', x!))]),
  exp: math1('exp', (b, _a, out, g) => [b.mul(g, out)]),
  log: math1('log', (b, [x], _o, g) => [b.div(g, x!)], each(uniform(0.1, 5))),
  log1p: math1('log1p', (b, [x], _o, g) => [b.div(g, b.add(b.const(1), x!))], each(uniform(-0.9, 4)), latexCall('\\operatorname{log1p}')),
  sqrt: math1('sqrt', (b, _a, out, g) => [b.div(g, b.mul(b.const(2), out))], each(uniform(0.05, 5)),
    { precedence: P.atom, print: (a) => `\\sqrt{${a(0, 0)}}` }),
  abs: math1('abs', (b, [x], _o, g) => [b.mul(g, b.call('sign', x!))], each(awayFromZero(0.1, 3)),
    { precedence: P.atom, print: (a) => `\\left|${a(0, 0)}\\right|` }),
  // sigmoid' = s(x) s(-x): unlike s(1 - s), exact where s(x) rounds to 1.
  sigmoid: fn('sigmoid', 1, sigmoid, (b, [x], out, g) => [b.mul(g, b.mul(out, b.call('sigmoid', b.neg(x!))))],
    each(uniform(-6, 6)), latexCall('\\sigma'), sigmoidHelper),
  relu: elementwise('relu', {
    arity: 1, syntax: 'function', eval: (x) => Math.max(x, 0),
    // relu'(0) = 0 and relu'(NaN) = 1, as in PyTorch. The mask reads the output (relu(x) > 0 exactly where
    // x > 0, NaN where x is NaN): the input need not be kept for the backward pass, only the output.
    vjp: (b, _a, out, g) => [b.call('gate', g, out)],
    print: (a) => `Math.max(${a}, 0)`, domain: each(awayFromZero(0.1, 3)), latex: latexCall('\\operatorname{relu}'),
  }),
  softplus: fn('softplus', 1, softplus, (b, [x], _o, g) => [b.mul(g, b.call('sigmoid', x!))],
    each(uniform(-6, 6)), latexCall('\\operatorname{softplus}'), softplusHelper),
  gelu: fn('gelu', 1, gelu, (b, [x], _o, g) => {
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
  }, each(uniform(-4, 4)), latexCall('\\operatorname{gelu}'), geluHelper),
  min: elementwise('min', {
    arity: 2, syntax: 'function', eval: Math.min,
    vjp: (b, [x, y], _o, g) => [b.call('tieShare', g, x!, y!), b.call('tieShare', g, y!, x!)],
    print: (a, b) => `Math.min(${a}, ${b})`, domain: each(wide, wide), latex: latexCall('\\min'),
  }),
  max: elementwise('max', {
    arity: 2, syntax: 'function', eval: Math.max,
    vjp: (b, [x, y], _o, g) => [b.call('tieShare', g, y!, x!), b.call('tieShare', g, x!, y!)],
    print: (a, b) => `Math.max(${a}, ${b})`, domain: each(wide, wide), latex: latexCall('\\max'),
  }),

  // Ops that only derivative rules produce. Each passes a cotangent through
  // where a condition holds and gives 0 elsewhere (a select, not a product, so
  // an infinite cotangent gives 0 rather than NaN there, as in PyTorch).
  sech2: internal('sech2', 1, sech2, (a) => `sech2(${a})`, (b, [x], out, h) => [b.mul(h, b.mul(b.const(-2), b.mul(out, b.call('tanh', x!))))],
    each(wide), { precedence: P.atom, print: (a) => `\\operatorname{sech}^{2}\\left(${a(0, 0)}\\right)` }, sech2Helper),
  // sign(NaN) is 0, as torch.sign (Math.sign gives NaN): abs'(NaN) = 0 in PyTorch.
  sign: internal('sign', 1, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), (a) => `(${a} > 0 ? 1 : ${a} < 0 ? -1 : 0)`, () => [null],
    each(awayFromZero(0.1, 3)), latexCall('\\operatorname{sign}')),
  // g where x > 0 or x is NaN (PyTorch's threshold_backward masks only x <= 0).
  gate: internal('gate', 2, (g, x) => (x <= 0 ? 0 : g), (g, x) => `(${x} <= 0 ? 0 : ${g})`,
    (b, [, x], _o, h) => [b.call('gate', h, x!), null], each(wide, awayFromZero(0.1, 3)), masked((a) => `${a(1)} > 0`)),
  tieShare: internal('tieShare', 3, tieShare, (g, a, b) => `tieShare(${g}, ${a}, ${b})`,
    (b, [, x, y], _o, h) => [b.call('tieShare', h, x!, y!), null, null], each(wide, wide, wide),
    // The share of g the smaller side gets: all of it, half on a tie.
    {
      precedence: P.product,
      print: (a) => `${a(0, P.product)}\\left(\\left[${a(1, P.sum)} < ${a(2, P.sum)}\\right] + \\tfrac{1}{2}\\left[${a(1, P.sum)} = ${a(2, P.sum)}\\right]\\right)`,
    }, tieShareHelper),
  unlessZero: internal('unlessZero', 2, (v, c) => (c === 0 ? 0 : v), (v, c) => `(${c} === 0 ? 0 : ${v})`,
    (b, [, c], _o, h) => [b.call('unlessZero', h, c!), null], each(wide, awayFromZero(0.1, 3)), masked((a) => `${a(1)} \\ne 0`)),
  zeroBaseMask: internal('zeroBaseMask', 3, (v, x, y) => (x === 0 && y >= 0 ? 0 : v), (v, x, y) => `(${x} === 0 && ${y} >= 0 ? 0 : ${v})`,
    (b, [, x, y], _o, h) => [b.call('zeroBaseMask', h, x!, y!), null, null], each(wide, awayFromZero(0.1, 3), wide),
    masked((a) => `${a(1)} \\ne 0`)),
  // 1 where a equals b, else 0: which elements a max or min reduction picked.
  isEqual: internal('isEqual', 2, (a, b) => (a === b ? 1 : 0), (a, b) => `(${a} === ${b} ? 1 : 0)`, () => [null, null],
    each(wide, wide), iverson((a) => `${a(0)} = ${a(1)}`)),
};

export const OPS = { ...ELEMENTWISE, ...STRUCTURAL } satisfies Record<OpName, OpDef>;

/** Every op, in table order. */
export const OP_LIST: readonly OpDef[] = Object.values(OPS);

export function opNamed(name: string): OpDef {
  const op = Object.prototype.hasOwnProperty.call(OPS, name) ? OPS[name as OpName] : undefined;
  if (!op) throw new Error(`internal: no op named '${name}' in the op table`);
  return op;
}
