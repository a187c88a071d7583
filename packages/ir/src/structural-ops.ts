/**
 * The table's structural ops: broadcasting, reductions, products, layout,
 * stacking. Their arguments and results have different shapes, so each has
 * its own shape rule and loops; derivatives are built from the same ops.
 */
import type { EmitContext } from './emit-context.js';
import { emitMatmul } from './matmul-emit.js';
import type { Graph } from './graph.js';
import type { Attrs, Node } from './node.js';
import { LATEX_PRECEDENCE as P, type LatexForm, type OpDef, type ShapeRule } from './op-def.js';
import type { StructuralOpName } from './op-names.js';
import { broadcastShapes, formatShape, literalSize, sameShape, SCALAR, symbolicSize, type Dim, type Shape } from './shape.js';

/** One entry per axis of `index`: an integer (drops the axis) or a slice [start, end) (keeps it). */
export type IndexSpec = { readonly at: number } | { readonly start: number; readonly end: number };

export interface ReduceAttrs { readonly axes: readonly number[]; readonly keepdims: boolean }

const reduceAttrs = (a: Attrs) => a as unknown as ReduceAttrs;
const shapeAttr = (a: Attrs, key = 'shape') => a[key] as Shape;

/** The shape of a reduction's result with the reduced axes kept, as size 1. */
export function keptShape(shape: Shape, axes: readonly number[]): Shape {
  return shape.map((d, k) => (axes.includes(k) ? 1 : d));
}

const reduceShape: ShapeRule = ([x], attrs) => {
  const { axes, keepdims } = reduceAttrs(attrs);
  for (const a of axes) if (!Number.isInteger(a) || a < 0 || a >= x!.length) return { error: `axis ${a} is out of range for ${formatShape(x!)}`, at: 'axis' };
  return keepdims ? keptShape(x!, axes) : x!.filter((_, k) => !axes.includes(k));
};

/** The cotangent of a reduction's result, reshaped to the kept shape and broadcast back over x. */
const spread = (b: Graph, g: Node, x: Node, axes: readonly number[]) => b.broadcastTo(b.reshape(g, keptShape(x.shape, axes)), x.shape);

/** Dimensions in math: names in italics (an underscore escaped), sizes as numbers. */
const dimsText = (s: Shape) => s.map((d) => (typeof d === 'number' ? String(d) : `\\mathit{${d.replace(/_/g, '\\_')}}`)).join(',');
const latexReduce = (name: string): LatexForm => ({
  precedence: P.atom,
  print: (a, _args, node) => {
    const { axes } = reduceAttrs(node.attrs);
    const over = node.args[0]!.shape.length === axes.length ? '' : `_{${axes.join(',')}}`;
    return `${name}${over}\\left(${a(0, 0)}\\right)`;
  },
});

/**
 * Loops over a reduction: the kept axes outside; inside, `slice` runs once
 * per slice of the reduced axes, loops over them as often as it needs with
 * `reduced` (each element read through `read`), and stores its result.
 */
function overSlices(
  ctx: EmitContext,
  slice: (reduced: (body: (element: string) => void) => void, store: (value: string) => void) => void,
): void {
  const x = ctx.node.args[0]!;
  const { axes } = reduceAttrs(ctx.node.attrs);
  const index: string[] = x.shape.map(() => '');
  const kept: string[] = [];
  let depth = 0;
  const open = (k: number) => {
    const i = ctx.fresh('i');
    index[k] = i;
    ctx.line(`for (let ${i} = 0; ${i} < ${ctx.dim(x.shape[k]!)}; ${i}++) {`);
    depth++;
  };
  const close = (to: number) => {
    while (depth > to) { ctx.line('}'); depth--; }
  };
  x.shape.forEach((_, k) => { if (!axes.includes(k)) { open(k); kept.push(index[k]!); } });
  const outer = depth;
  const outShape = x.shape.filter((_, k) => !axes.includes(k));
  slice(
    (body) => { axes.forEach(open); body(ctx.read(0, index)); close(outer); },
    (value) => ctx.line(`${ctx.self(ctx.flatIndex(outShape, kept))} = ${value};`),
  );
  close(0);
}

/** A reduction with one accumulator, from `init`, that `step` folds each element into. */
function reduceLoops(ctx: EmitContext, init: string, step: (acc: string, v: string) => string) {
  overSlices(ctx, (reduced, store) => {
    const acc = ctx.fresh('acc');
    ctx.line(`let ${acc} = ${init};`);
    reduced((v) => ctx.line(`${acc} = ${step(acc, v)};`));
    store(acc);
  });
}

/** `sum(x, axis=1, keepdims=true)`: the keywords that tell two reductions of x apart. */
const reduceText = (source: string) => ([x]: readonly string[], node: Node) => {
  const { axes, keepdims } = reduceAttrs(node.attrs);
  const all = axes.length === node.args[0]!.shape.length;
  return `${source}(${[x, ...(all ? [] : [`axis=${axes.join(',')}`]), ...(keepdims ? ['keepdims=true'] : [])].join(', ')})`;
};

const reduction = (
  name: StructuralOpName, latex: string, vjp: OpDef['vjp'], emit: (ctx: EmitContext) => void, expand?: OpDef['expand'], source: string = name,
): OpDef => ({
  name, arity: 1, kind: 'structural', syntax: 'function', shape: reduceShape, vjp, emit, latex: latexReduce(latex), text: reduceText(source),
  ...(expand ? { expand } : {}),
});

/**
 * max/min reductions: the gradient is split evenly among the tied elements,
 * as a product with the mask, as PyTorch 1.13's amax backward: an infinite
 * cotangent gives the others NaN (0 * Infinity), and a slice whose result is
 * NaN (no element equals it) gets NaN throughout (g / 0 * 0). Checked against
 * PyTorch in packages/verify/src/special-points.test.ts.
 */
const extremumVjp: OpDef['vjp'] = (b, [x], out, g) => {
  const { axes } = reduceAttrs(out.attrs);
  const picked = b.call('isEqual', x!, spread(b, out, x!, axes));
  const ties = b.make('sum', [picked], { axes, keepdims: true });
  return [b.mul(picked, b.broadcastTo(b.div(b.reshape(g, keptShape(x!.shape, axes)), ties), x!.shape))];
};


const matmulShape: ShapeRule = ([a, b]) => {
  for (const [s, side] of [[a!, 'left'], [b!, 'right']] as const) {
    if (s.length === 0) return { error: `'@' multiplies vectors and matrices, but the ${side} operand is a scalar; use '*' to scale` };
    if (s.length > 2) return { error: `'@' multiplies vectors and matrices, but the ${side} operand has rank ${s.length} (${formatShape(s)})` };
  }
  const k1 = a![a!.length - 1]!;
  const k2 = b!.length === 2 ? b![0]! : b![0]!;
  if (k1 !== k2) return { error: `inner dimensions do not match in '@': ${formatShape(a!)} @ ${formatShape(b!)}: ${k1} vs ${k2}` };
  return [...a!.slice(0, -1), ...b!.slice(1)];
};

const transposeShape: ShapeRule = ([x], attrs) => (attrs.perm as number[]).map((p) => x![p]!);

const indexShape = (x: Shape, entries: readonly (IndexSpec | null)[]): Shape => {
  const out: Dim[] = [];
  x.forEach((d, k) => {
    const e = entries[k];
    if (!e) out.push(d);
    else if ('start' in e) out.push(e.end - e.start);
  });
  return out;
};
/** Per-axis indices into x for per-axis indices into x[entries]. */
const indexAxes = (entries: readonly (IndexSpec | null)[], rank: number, outAxes: readonly string[]): string[] => {
  const axes: string[] = [];
  let j = 0;
  for (let k = 0; k < rank; k++) {
    const e = entries[k];
    if (!e) axes.push(outAxes[j++]!);
    else if ('at' in e) axes.push(String(e.at));
    else axes.push(e.start === 0 ? outAxes[j++]! : `(${e.start} + ${outAxes[j++]!})`);
  }
  return axes;
};

/** broadcast: a size-1 or missing axis reads index 0. */
function broadcastView(node: Node, axes: readonly string[]): string[] {
  const x = node.args[0]!;
  const lead = node.shape.length - x.shape.length;
  return x.shape.map((d, k) => (d === 1 && node.shape[k + lead] !== 1 ? '0' : axes[k + lead]!));
}

function transposeView(node: Node, axes: readonly string[]): string[] {
  const perm = node.attrs.perm as number[];
  return perm.map((_, k) => axes[perm.indexOf(k)]!);
}

function indexView(node: Node, axes: readonly string[]): string[] {
  return indexAxes(node.attrs.entries as (IndexSpec | null)[], node.args[0]!.shape.length, axes);
}

export const STRUCTURAL: Record<StructuralOpName, OpDef> = {
  broadcast: {
    name: 'broadcast', arity: 1, fold: 'uniform', kind: 'structural', syntax: 'internal',
    shape: ([x], attrs) => {
      const to = shapeAttr(attrs);
      const r = broadcastShapes(x!, to);
      return r.ok && sameShape(r.shape, to) ? to : { error: `cannot broadcast ${formatShape(x!)} to ${formatShape(to)}` };
    },
    vjp: (b, [x], _out, g) => [b.sumTo(g, x!.shape)],
    view: broadcastView,
    repeats: true,
    text: ([x], node) => `broadcast(${x}, ${formatShape(node.shape)})`,
    emit: (ctx) => ctx.loop(ctx.node.shape, (axes, flat) => ctx.line(`${ctx.self(flat)} = ${ctx.read(0, broadcastView(ctx.node, axes))};`)),
    latex: { precedence: P.power, print: (a) => a(0, P.power) }, // broadcasting is implicit in math
  },
  sum: reduction('sum', '\\sum', (b, [x], out, g) => [spread(b, g, x!, reduceAttrs(out.attrs).axes)],
    (ctx) => reduceLoops(ctx, '0', (acc, v) => `${acc} + ${v}`)),
  // mean = sum / (the number of elements reduced), which for a dimension name is known at the call.
  mean: reduction('mean', '\\operatorname{mean}', () => { throw new Error('internal: mean is expanded at lowering'); },
    () => { throw new Error('internal: mean is expanded at lowering'); },
    (b, [x], attrs) => {
      const { axes } = reduceAttrs(attrs);
      return b.div(b.make('sum', [x!], attrs), b.make('count', [], { dims: axes.map((k) => x!.shape[k]!) }));
    }),
  amax: reduction('amax', '\\max', extremumVjp, (ctx) => reduceLoops(ctx, '-Infinity', (acc, v) => `Math.max(${acc}, ${v})`), undefined, 'max'),
  amin: reduction('amin', '\\min', extremumVjp, (ctx) => reduceLoops(ctx, 'Infinity', (acc, v) => `Math.min(${acc}, ${v})`), undefined, 'min'),
  // m + log(sum(exp(x - m))) with m the max of the slice, taken as 0 where it is not finite (spec).
  logsumexp: reduction('logsumexp', '\\operatorname{logsumexp}',
    (b, [x], out, g) => {
      const { axes } = reduceAttrs(out.attrs);
      return [b.mul(spread(b, g, x!, axes), b.call('exp', b.sub(x!, spread(b, out, x!, axes))))];
    },
    (ctx) => overSlices(ctx, (reduced, store) => {
      // Two passes over each slice: its max, then the sum of exponentials.
      const [m, s] = [ctx.fresh('m'), ctx.fresh('s')];
      ctx.line(`let ${m} = -Infinity;`);
      reduced((v) => ctx.line(`${m} = Math.max(${m}, ${v});`));
      ctx.line(`if (!Number.isFinite(${m})) ${m} = 0;`);
      ctx.line(`let ${s} = 0;`);
      reduced((v) => ctx.line(`${s} += Math.exp(${v} - ${m});`));
      store(`${m} + Math.log(${s})`);
    })),
  // softmax = exp(x - logsumexp(x)) and log_softmax = x - logsumexp(x) along one axis (spec's stable forms);
  // their gradients (the full Jacobian products) follow from those of exp, sub and logsumexp.
  softmax: {
    name: 'softmax', arity: 1, kind: 'structural', syntax: 'function',
    shape: ([x], attrs) => (x!.length === 0 ? { error: 'softmax needs a value of rank >= 1, not a scalar' } : axisInRange(x!, attrs.axis as number) ?? x!),
    vjp: () => { throw new Error('internal: softmax is expanded at lowering'); },
    expand: (b, [x], attrs) => b.call('exp', logSoftmax(b, x!, attrs.axis as number)),
    latex: { precedence: P.atom, print: (a) => `\\operatorname{softmax}\\left(${a(0, 0)}\\right)` },
  },
  log_softmax: {
    name: 'log_softmax', arity: 1, kind: 'structural', syntax: 'function',
    shape: ([x], attrs) => (x!.length === 0 ? { error: 'log_softmax needs a value of rank >= 1, not a scalar' } : axisInRange(x!, attrs.axis as number) ?? x!),
    vjp: () => { throw new Error('internal: log_softmax is expanded at lowering'); },
    expand: (b, [x], attrs) => logSoftmax(b, x!, attrs.axis as number),
    latex: { precedence: P.atom, print: (a) => `\\log\\operatorname{softmax}\\left(${a(0, 0)}\\right)` },
  },
  matmul: {
    name: 'matmul', arity: 2, kind: 'structural', syntax: 'operator', shape: matmulShape,
    argumentReads: 'repeated',
    vjp: (b, [x, y], _out, g) => {
      const [rx, ry] = [x!.shape.length, y!.shape.length];
      if (rx === 1 && ry === 1) return [b.mul(b.broadcastTo(g, x!.shape), y!), b.mul(b.broadcastTo(g, y!.shape), x!)];
      const outer = (u: Node, v: Node) => b.matmul(b.reshape(u, [u.shape[0]!, 1]), b.reshape(v, [1, v.shape[0]!]));
      if (rx === 2 && ry === 1) return [outer(g, y!), b.matmul(b.transpose(x!), g)];
      if (rx === 1 && ry === 2) return [b.matmul(y!, g), outer(x!, g)];
      return [b.matmul(g, b.transpose(y!)), b.matmul(b.transpose(x!), g)];
    },
    emit: emitMatmul,
    latex: { precedence: P.product, print: (a) => `${a(0, P.product)}\\,${a(1, P.unary)}` },
    text: ([a, b]) => `${a} @ ${b}`,
  },
  transpose: {
    name: 'transpose', arity: 1, fold: 'uniform', kind: 'structural', syntax: 'function', shape: transposeShape,
    vjp: (b, [x], out, g) => {
      const perm = out.attrs.perm as number[];
      const inverse = perm.map((_, k) => perm.indexOf(k));
      return [b.make('transpose', [g], { perm: inverse })];
    },
    view: transposeView,
    emit: (ctx) => ctx.loop(ctx.node.shape, (axes, flat) => ctx.line(`${ctx.self(flat)} = ${ctx.read(0, transposeView(ctx.node, axes))};`)),
    latex: { precedence: P.power, print: (a) => `${a(0, P.atom)}^{\\top}` },
  },
  reshape: {
    name: 'reshape', arity: 1, fold: 'uniform', kind: 'structural', syntax: 'function',
    shape: ([x], attrs) => {
      const to = shapeAttr(attrs);
      const [a, b] = [symbolicSize(x!), symbolicSize(to)];
      return a.literal === b.literal && a.names.join() === b.names.join() ? to : { error: `cannot reshape ${formatShape(x!)} to ${formatShape(to)}: the element counts differ` };
    },
    vjp: (b, [x], _out, g) => [b.reshape(g, x!.shape)],
    sameElements: true,
    argumentReads: 'flat',
    text: ([x], node) => `reshape(${x}, ${formatShape(node.shape)})`,
    emit: (ctx) => {
      const f = ctx.fresh('f');
      ctx.line(`for (let ${f} = 0; ${f} < ${ctx.size(ctx.node.shape)}; ${f}++) ${ctx.self(f)} = ${ctx.readFlat(0, f)};`);
    },
    latex: { precedence: P.power, print: (a) => a(0, P.power) },
  },
  index: {
    name: 'index', arity: 1, fold: 'uniform', kind: 'structural', syntax: 'internal',
    shape: ([x], attrs) => indexShape(x!, attrs.entries as (IndexSpec | null)[]),
    vjp: (b, [x], out, g) => [b.make('scatter', [g], { entries: out.attrs.entries, shape: x!.shape })],
    view: indexView,
    text: ([x], node) => `${x}[${(node.attrs.entries as (IndexSpec | null)[]).map((e) => (!e ? ':' : 'at' in e ? String(e.at) : `${e.start}:${e.end}`)).join(', ')}]`,
    emit: (ctx) => ctx.loop(ctx.node.shape, (axes, flat) => ctx.line(`${ctx.self(flat)} = ${ctx.read(0, indexView(ctx.node, axes))};`)),
    latex: {
      precedence: P.atom,
      print: (a, _args, node) => {
        const entries = node.attrs.entries as (IndexSpec | null)[];
        const text = entries.map((e) => (!e ? ':' : 'at' in e ? String(e.at) : `${e.start}{:}${e.end}`)).join(',');
        return `${a(0, P.atom)}_{${text}}`;
      },
    },
  },
  // index's transpose: g placed into zeros of the indexed value's shape.
  scatter: {
    name: 'scatter', arity: 1, kind: 'structural', syntax: 'internal',
    shape: ([g], attrs) => {
      const to = shapeAttr(attrs);
      return sameShape(indexShape(to, attrs.entries as (IndexSpec | null)[]), g!) ? to : { error: `cannot scatter ${formatShape(g!)} into ${formatShape(to)}` };
    },
    vjp: (b, _args, out, h) => [b.make('index', [h], { entries: out.attrs.entries })],
    emit: (ctx) => {
      const entries = ctx.node.attrs.entries as (IndexSpec | null)[];
      const to = ctx.node.shape;
      ctx.fill('0');
      ctx.loop(ctx.node.args[0]!.shape, (axes) => ctx.line(`${ctx.self(ctx.flatIndex(to, indexAxes(entries, to.length, axes)))} = ${ctx.read(0, axes)};`));
    },
    latex: { precedence: P.atom, print: (a) => `\\operatorname{scatter}\\left(${a(0, 0)}\\right)` },
  },
  stack: {
    name: 'stack', arity: 'variadic', kind: 'structural', syntax: 'internal',
    shape: (args) => {
      const first = args[0];
      if (!first) return { error: 'a stack needs at least one element' };
      const other = args.findIndex((s) => !sameShape(s, first));
      if (other >= 0) return { error: `a stack's elements must have one shape: element ${other} has shape ${formatShape(args[other]!)}, element 0 ${formatShape(first)}`, at: other };
      return [args.length, ...first];
    },
    vjp: (b, args, _out, g) => args.map((_, k) => b.make('index', [g], { entries: [{ at: k }] })),
    text: (xs) => `[${xs.join(', ')}]`,
    emit: (ctx) => {
      const element = ctx.node.args[0]!.shape;
      const size = ctx.size(element);
      ctx.node.args.forEach((_, k) => {
        ctx.loop(element, (axes, flat) => ctx.line(`${ctx.self(k === 0 ? flat : `${k} * ${size} + ${flat}`)} = ${ctx.read(k, axes)};`));
      });
    },
    latex: { precedence: P.atom, print: (a, args) => `\\begin{bmatrix}${args.map((_, k) => a(k, 0)).join(' \\\\ ')}\\end{bmatrix}` },
  },
  onehot: {
    name: 'onehot', arity: 1, kind: 'structural', syntax: 'function',
    shape: ([y], attrs) => [...y!, attrs.k as number],
    vjp: () => [null],
    labels: (attrs) => attrs.k as number,
    argumentReads: 'flat',
    text: ([y], node) => `onehot(${y}, ${node.attrs.k as number})`,
    emit: (ctx) => {
      const k = ctx.node.attrs.k as number;
      const y = ctx.node.args[0]!;
      const [f, v] = [ctx.fresh('f'), ctx.fresh('v')];
      ctx.fill('0');
      ctx.line(`for (let ${f} = 0; ${f} < ${ctx.size(y.shape)}; ${f}++) {`);
      ctx.line(`const ${v} = ${ctx.readFlat(0, f)};`);
      ctx.line(`if (!(Number.isInteger(${v}) && ${v} >= 0 && ${v} < ${k})) throw new RangeError(\`onehot: ${ctx.argLabel(0)}[\${${f}}] is \${${v}}, not an integer in [0, ${k})\`);`);
      ctx.line(`${ctx.self(`${f} * ${k} + ${v}`)} = 1;`);
      ctx.line('}');
    },
    latex: { precedence: P.atom, print: (a, _args, node) => `\\operatorname{onehot}_{${node.attrs.k as number}}\\left(${a(0, 0)}\\right)` },
  },
  // The number of elements in `dims` (a product of literals and dimension names' sizes).
  count: {
    name: 'count', arity: 0, kind: 'structural', syntax: 'internal',
    fold: (attrs) => literalSize(attrs.dims as Shape),
    text: (_xs, node) => `count(${(node.attrs.dims as Shape).join('*')})`,
    shape: () => SCALAR,
    vjp: () => [],
    emit: (ctx) => ctx.line(`${ctx.self('0')} = ${ctx.size(ctx.node.attrs.dims as Shape)};`),
    latex: { precedence: P.atom, print: (_a, _args, node) => `\\left|${dimsText(node.attrs.dims as Shape)}\\right|` },
  },
};

function axisInRange(x: Shape, axis: number) {
  return Number.isInteger(axis) && axis >= 0 && axis < x.length ? undefined : { error: `axis ${axis} is out of range for ${formatShape(x)}`, at: 'axis' };
}

function logSoftmax(b: Graph, x: Node, axis: number): Node {
  const lse = b.make('logsumexp', [x], { axes: [axis], keepdims: true });
  return b.sub(x, lse);
}
