import { type Node, type Shape, SCALAR } from './node.js';
import { NodeTable } from './node-table.js';
import { opNamed } from './ops.js';

/** Rewrites a freshly requested node before it is interned (e.g. simplification). */
export type Rewriter = (g: Graph, op: string, args: readonly Node[]) => Node | undefined;

const NO_ARGS: readonly Node[] = Object.freeze([]);

/** Fixed-shape node objects (cheaper than spread object literals for large graphs). */
class IRNode implements Node {
  readonly shape: Shape = SCALAR;
  constructor(
    readonly id: number,
    readonly op: string,
    readonly args: readonly Node[],
    readonly value?: number,
    readonly name?: string,
    readonly index?: number,
  ) {}
}

function constKey(v: number): string {
  return Object.is(v, -0) ? 'c:-0' : `c:${v}`;
}

/**
 * A hash-consing node factory. `make` is the only constructor of op nodes.
 * With a rewriter, every node is offered to it first (the simplifier).
 */
export class Graph {
  /** Leaves by a string key; op nodes by op, then by their arguments' ids. */
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

  private intern(key: string, op: string, args: readonly Node[], value?: number, name?: string, index?: number): Node {
    const found = this.leaves.get(key);
    if (found) return found;
    const node = new IRNode(this.nextId++, op, args, value, name, index);
    this.leaves.set(key, node);
    return node;
  }

  const(value: number): Node {
    return this.intern(constKey(value), 'const', NO_ARGS, value);
  }

  param(name: string, index: number): Node {
    return this.intern(`p:${index}:${name}`, 'param', NO_ARGS, undefined, name, index);
  }

  input(name: string, index: number): Node {
    return this.intern(`i:${index}:${name}`, 'input', NO_ARGS, undefined, name, index);
  }

  /** Make (or find) the node `op(args)`, after constant folding and the rewriter. */
  make(op: string, ...args: Node[]): Node {
    const def = opNamed(op);
    if (args.length !== def.arity) {
      throw new Error(`internal: op ${op} takes ${def.arity} arguments, got ${args.length}`);
    }
    if (args.every((a) => a.op === 'const')) {
      return this.const(def.eval(...args.map((a) => a.value as number)));
    }
    const rewritten = this.rewriter?.(this, op, args);
    if (rewritten) return rewritten;
    return this.internOp(op, args);
  }

  /** Find or create `op(args)` as given: no folding, no rewriting. */
  private internOp(op: string, args: Node[]): Node {
    return this.opNodes.intern(op, args, () => new IRNode(this.nextId++, op, args));
  }

  // Builders for the ops that derivative rules use most.
  add(a: Node, b: Node): Node { return this.make('add', a, b); }
  sub(a: Node, b: Node): Node { return this.make('sub', a, b); }
  mul(a: Node, b: Node): Node { return this.make('mul', a, b); }
  div(a: Node, b: Node): Node { return this.make('div', a, b); }
  neg(a: Node): Node { return this.make('neg', a); }
  pow(a: Node, b: Node): Node { return this.make('pow', a, b); }
  /** Apply any op from the table by name. */
  call(op: string, ...args: Node[]): Node { return this.make(op, ...args); }
}
