/**
 * Where each element of each param and input may be drawn: the domain
 * samplers (packages/ir's op table) of the elementwise ops it feeds, and
 * the labels `onehot` needs.
 *
 * The walk is over the lowered IR (before simplification: the ops as
 * written). A variable reaches an op directly, or through nodes that only
 * move elements: `broadcast`, `index`, `reshape`, `transpose`, `stack`.
 * Those are followed element by element (for the dimension sizes of the
 * check), so in `log(X[:, 0]) + sin(X)` the first column of X is drawn from
 * log's domain (among sin's) and the others from sin's alone, and in
 * `log(x + b)`, where the argument is computed, x and b are drawn from add's
 * (as for a scalar program). An element whose values reach `onehot(y, k)`
 * is a label: an integer in [0, k), whatever else it feeds.
 */
import type { PassContext } from '@autodiff/compiler';
import { lower } from '@autodiff/compiler';
import { opNamed, topoOrder, valueOf, type Dim, type IndexSpec, type Node } from '@autodiff/ir';
import { stridesOf } from '@autodiff/runtime';
import type { Layout } from './layout.js';
import type { PreparedProgram } from './program.js';

export type Draw = (random: () => number) => number;

export interface Domains {
  /**
   * The lists of draws elements have: an element's list holds a draw for
   * each op argument it fills. Elements with the same list share it (a big
   * input has few different lists).
   */
  lists: Draw[][];
  /** Per variable (params, then inputs, as in the layout), per element: its list in `lists`. */
  listOf: Int32Array[];
  /** Per variable, per element: the k of the narrowest `onehot` its values reach, or 0. */
  labels: Int32Array[];
  /** Flat param elements that are labels: finite differences cannot move them. */
  labelParams: ReadonlySet<number>;
}

/** For every element of a node: the variable (its slot in the layout, or -1) and element it is a copy of. */
interface Sources {
  slot: Int32Array;
  element: Int32Array;
}

const VIEWS = new Set(['broadcast', 'index', 'reshape', 'transpose', 'stack']);

const cache = new WeakMap<object, Map<string, Domains>>();

export function domainsOf(program: PreparedProgram, layout: Layout, context?: PassContext): Domains {
  const key = [...layout.dims].map(([d, n]) => `${d}=${n}`).join(',');
  let byDims = cache.get(program.checked);
  if (!byDims) {
    byDims = new Map();
    cache.set(program.checked, byDims);
  }
  // Domains come from the op table: only the real one's are kept.
  const usual = context === undefined || context.ops === opNamed;
  const found = usual ? byDims.get(key) : undefined;
  if (found) return found;
  const domains = analyse(program, layout, context);
  if (usual) byDims.set(key, domains);
  return domains;
}

function analyse(program: PreparedProgram, layout: Layout, context?: PassContext): Domains {
  const ops = context?.ops ?? opNamed;
  const variables = [...layout.params, ...layout.inputs];
  const slotOf = new Map(variables.map((v, i) => [`${v.kind}:${v.name}`, i]));
  const lists: Draw[][] = [[]];
  const listOf = variables.map((v) => new Int32Array(v.size)); // all on the empty list
  /** The list `list` with `draw` (the draw numbered `id`) appended, made once. */
  const extended = new Map<string, number>();
  const extend = (list: number, draw: Draw, id: number) => {
    const key = `${list},${id}`;
    let found = extended.get(key);
    if (found === undefined) {
      found = lists.length;
      lists.push([...lists[list]!, draw]);
      extended.set(key, found);
    }
    return found;
  };
  const labels = variables.map((v) => new Int32Array(v.size));
  // The (node, argument) that last added a draw to an element: a broadcast
  // element reaches the same argument many times, and counts once.
  const lastKey = variables.map((v) => new Int32Array(v.size).fill(-1));
  let key = 0;

  const size = (d: Dim) => (typeof d === 'number' ? d : layout.dims.get(d)!);
  const shapeOf = (n: Node) => n.shape.map(size);
  const sources = new Map<Node, Sources | null>();
  const lowered = lower(program.checked); // before simplification: the ops as written
  for (const node of topoOrder([valueOf(lowered)])) {
    if (node.op === 'param' || node.op === 'input') {
      const slot = slotOf.get(`${node.op}:${node.name!}`);
      const n = variables[slot!]!.size;
      sources.set(node, { slot: new Int32Array(n).fill(slot!), element: Int32Array.from({ length: n }, (_, i) => i) });
      continue;
    }
    if (VIEWS.has(node.op)) {
      sources.set(node, viewSources(node, sources, shapeOf));
    }
    const k = node.op === 'const' ? undefined : opNamed(node.op).labels?.(node.attrs);
    if (k !== undefined) { // onehot: its argument's values are labels, integers in [0, k)
      const from = sources.get(node.args[0]!);
      if (from) {
        for (let f = 0; f < from.slot.length; f++) {
          const s = from.slot[f]!;
          if (s < 0) continue;
          const e = from.element[f]!;
          const known = labels[s]![e]!;
          labels[s]![e] = known === 0 ? k : Math.min(known, k);
        }
      }
      continue;
    }
    if (node.op === 'const' || VIEWS.has(node.op)) continue;
    const { domain, kind } = ops(node.op);
    if (!domain || kind !== 'elementwise') continue;
    node.args.forEach((arg, k) => {
      const from = sources.get(arg);
      if (!from) return;
      const draw: Draw = (r) => domain(r)[k]!;
      const current = key++;
      for (let f = 0; f < from.slot.length; f++) {
        const s = from.slot[f]!;
        if (s < 0) continue;
        const e = from.element[f]!;
        if (lastKey[s]![e] === current) continue;
        lastKey[s]![e] = current;
        listOf[s]![e] = extend(listOf[s]![e]!, draw, current);
      }
    });
  }
  const labelParams = new Set<number>();
  layout.params.forEach((v, s) => labels[s]!.forEach((k, e) => { if (k > 0) labelParams.add(v.offset + e); }));
  return { lists, listOf, labels, labelParams };
}

/** Where each element of a view node comes from, if its argument's elements come from variables. */
function viewSources(node: Node, sources: ReadonlyMap<Node, Sources | null>, shapeOf: (n: Node) => number[]): Sources | null {
  const out = shapeOf(node);
  const n = out.reduce((a, b) => a * b, 1);
  const slot = new Int32Array(n).fill(-1);
  const element = new Int32Array(n);
  if (node.op === 'stack') {
    const parts = node.args.map((a) => sources.get(a) ?? null);
    if (parts.every((p) => p === null)) return null;
    const inner = n / node.args.length;
    for (let f = 0; f < n; f++) {
      const from = parts[Math.floor(f / inner)];
      if (!from) continue;
      slot[f] = from.slot[f % inner]!;
      element[f] = from.element[f % inner]!;
    }
    return { slot, element };
  }
  const x = node.args[0]!;
  const from = sources.get(x);
  if (!from) return null;
  if (node.op === 'reshape') return from;
  // The argument's flat index as a sum over the output's axes: index[k] * weight[k], plus a fixed offset.
  const xs = shapeOf(x);
  const xStrides = stridesOf(xs);
  const weight = new Array<number>(out.length).fill(0);
  let offset = 0;
  if (node.op === 'broadcast') {
    const lead = out.length - xs.length;
    xs.forEach((d, k) => { weight[k + lead] = d === 1 ? 0 : xStrides[k]!; });
  } else if (node.op === 'transpose') {
    const perm = node.attrs.perm as number[];
    perm.forEach((p, k) => { weight[k] = xStrides[p]!; });
  } else {
    // index: one entry per axis of x (missing trailing ones are ':')
    const entries = node.attrs.entries as (IndexSpec | null | undefined)[];
    let j = 0;
    xs.forEach((_, k) => {
      const e = entries[k];
      if (!e) weight[j++] = xStrides[k]!;
      else if ('at' in e) offset += e.at * xStrides[k]!;
      else {
        offset += e.start * xStrides[k]!;
        weight[j++] = xStrides[k]!;
      }
    });
  }
  const index = new Array<number>(out.length).fill(0);
  for (let f = 0; f < n; f++) {
    let at = offset;
    for (let k = 0; k < out.length; k++) at += index[k]! * weight[k]!;
    slot[f] = from.slot[at]!;
    element[f] = from.element[at]!;
    for (let k = out.length - 1; k >= 0; k--) {
      if (++index[k]! < out[k]!) break;
      index[k] = 0;
    }
  }
  return { slot, element };
}
