import { NO_ATTRS, type Attrs, type Node } from './node.js';
import { NodeTable } from './node-table.js';
import type { OpName } from './op-names.js';
import { isShapeError, opNamed } from './ops.js';
import { broadcastAxes, formatShape, sameShape, SCALAR, type Shape } from './shape.js';

/** Rewrites a freshly requested node before it is interned (e.g. simplification). */
export type Rewriter = (g: Graph, op: OpName, args: readonly Node[], attrs: Attrs, shape: Shape) => Node | undefined;

const NO_ARGS: readonly Node[] = Object.freeze([]);

/** Fixed-shape node objects (cheaper than spread object literals for large graphs). */
class IRNode implements Node {
  constructor(
    readonly id: number,
    readonly op: Node['op'],
    readonly args: readonly Node[],
    readonly shape: Shape,
    readonly attrs: Attrs,
    readonly value?: number,
    readonly name?: string,
    readonly index?: number,
  ) {}
}

const shapeKey = (s: Shape) => (s.length === 0 ? '' : s.join(','));
function constKey(v: number, shape: Shape): string {
  return `${Object.is(v, -0) ? 'c:-0' : `c:${v}`}:${shapeKey(shape)}`;
}
/** Attributes as a string, part of a node's identity (plain data: JSON is exact for it). */
export function attrsKey(attrs: Attrs): string {
  if (attrs === NO_ATTRS) return '';
  const text = JSON.stringify(attrs);
  return text === '{}' ? '' : text;
}

/**
 * A hash-consing node factory. `make` is the only constructor of op nodes.
 * With a rewriter, every node is offered to it first (the simplifier).
 * Elementwise ops take arguments of any shapes that broadcast: `make` inserts
 * the `broadcast` nodes, so in the graph every elementwise argument has its
 * result's shape (and a derivative rule's `g` has its argument's).
 */
export class Graph {
  /** Leaves by a string key; op nodes by op, then by their arguments' ids, shape and attributes. */
  private readonly leaves = new Map<string, Node>();
  private readonly opNodes = new NodeTable();
  private nextId = 0;
  private readonly rewriter: Rewriter | undefined;

  constructor(rewriter?: Rewriter) {
    this.rewriter = rewriter;
  }

  get size(): number {
    return this.nextId;
  }

  private intern(key: string, op: Node['op'], shape: Shape, value?: number, name?: string, index?: number): Node {
    const found = this.leaves.get(key);
    if (found) return found;
    const node = new IRNode(this.nextId++, op, NO_ARGS, shape, NO_ATTRS, value, name, index);
    this.leaves.set(key, node);
    return node;
  }

  /** A constant: every element of `shape` is `value`. */
  const(value: number, shape: Shape = SCALAR): Node {
    return this.intern(constKey(value, shape), 'const', shape, value);
  }

  param(name: string, index: number, shape: Shape = SCALAR): Node {
    return this.intern(`p:${index}:${name}`, 'param', shape, undefined, name, index);
  }

  input(name: string, index: number, shape: Shape = SCALAR): Node {
    return this.intern(`i:${index}:${name}`, 'input', shape, undefined, name, index);
  }

  /** Make (or find) the node `op(args)`, after broadcasting, constant folding and the rewriter. */
  make(op: OpName, args: readonly Node[], attrs: Attrs = NO_ATTRS): Node {
    const def = opNamed(op);
    if (def.arity !== 'variadic' && args.length !== def.arity) {
      throw new Error(`internal: op ${op} takes ${def.arity} arguments, got ${args.length}`);
    }
    if (def.expand) return def.expand(this, args, attrs);
    const result = def.shape(args.map((a) => a.shape), attrs);
    if (isShapeError(result)) throw new Error(`internal: ${op}: ${result.error}`);
    const shape = result;
    if (def.kind === 'elementwise') {
      args = args.map((a) => this.broadcastTo(a, shape));
      if (args.every((a) => a.op === 'const')) return this.const(def.eval!(...args.map((a) => a.value as number)), shape);
    } else if (def.fold === 'uniform' && args[0]!.op === 'const') {
      return this.const(args[0]!.value!, shape);
    } else if (typeof def.fold === 'function') {
      const v = def.fold(attrs);
      if (v !== undefined) return this.const(v, shape);
    }
    const rewritten = this.rewriter?.(this, op, args, attrs, shape);
    if (rewritten) return rewritten;
    return this.internOp(op, args, attrs, shape);
  }

  /** Find or create `op(args)` as given: no folding, no rewriting. */
  private internOp(op: OpName, args: readonly Node[], attrs: Attrs, shape: Shape): Node {
    const key = shapeKey(shape) + '|' + attrsKey(attrs);
    return this.opNodes.intern(op, args, key, () => new IRNode(this.nextId++, op, args, shape, attrs));
  }

  // Builders for the ops that derivative rules use most.
  add(a: Node, b: Node): Node { return this.make('add', [a, b]); }
  sub(a: Node, b: Node): Node { return this.make('sub', [a, b]); }
  mul(a: Node, b: Node): Node { return this.make('mul', [a, b]); }
  div(a: Node, b: Node): Node { return this.make('div', [a, b]); }
  neg(a: Node): Node { return this.make('neg', [a]); }
  pow(a: Node, b: Node): Node { return this.make('pow', [a, b]); }
  matmul(a: Node, b: Node): Node { return this.make('matmul', [a, b]); }
  /** Axes reversed. */
  transpose(a: Node): Node {
    return a.shape.length < 2 ? a : this.make('transpose', [a], { perm: a.shape.map((_, k) => a.shape.length - 1 - k) });
  }
  /** Apply any op from the table by name. */
  call(op: OpName, ...args: Node[]): Node { return this.make(op, args); }

  /** `x` broadcast to `shape` (itself if it has that shape already). */
  broadcastTo(x: Node, shape: Shape): Node {
    return sameShape(x.shape, shape) ? x : this.make('broadcast', [x], { shape });
  }

  /** The same elements in another shape (itself if it has it). */
  reshape(x: Node, shape: Shape): Node {
    return sameShape(x.shape, shape) ? x : this.make('reshape', [x], { shape });
  }

  /** `g` summed over the axes along which a value of `shape` was broadcast to g's shape. */
  sumTo(g: Node, shape: Shape): Node {
    if (sameShape(g.shape, shape)) return g;
    const axes = broadcastAxes(shape, g.shape);
    if (axes.length === 0) throw new Error(`internal: cannot sum ${formatShape(g.shape)} to ${formatShape(shape)}`);
    return this.reshape(this.make('sum', [g], { axes, keepdims: true }), shape);
  }
}
