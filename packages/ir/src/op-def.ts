/** What one op of the table holds: everything every pass needs to know about it. */
import type { EmitRule } from './emit-context.js';
import type { Graph } from './graph.js';
import type { Attrs, Node } from './node.js';
import type { OpName } from './op-names.js';
import type { Shape } from './shape.js';

/** A helper function that generated code needs for an op; emitted only when used. */
export interface Helper {
  name: string;
  params: string[];
  /** Body in the common subset of TS and JS (no type annotations). */
  body: string;
}

/** Draws one argument tuple from the region where the op is smooth and finite. */
export type Sampler = (random: () => number) => number[];

/** Why arguments do not fit an op, and which piece of the source to point at. */
export interface ShapeError {
  error: string;
  /** Said after the operator or function is named: `cannot broadcast [2] with [3] in '+': 2 vs 3`. */
  detail?: string;
  /** The operator or call (default), an argument by position, or an attribute by name. */
  at?: number | string;
  /** With a numeric `at` whose argument is a list (`reshape`'s shape): the element at fault. */
  element?: number;
}
export type ShapeRule = (args: readonly Shape[], attrs: Attrs) => Shape | ShapeError;
export const isShapeError = (r: Shape | ShapeError): r is ShapeError => !Array.isArray(r);

/**
 * Reverse-mode rule: given the cotangent `g` of `out = op(args)`, the cotangent
 * contribution for each argument (of that argument's shape), or null where it
 * is symbolically zero. It must return exactly one entry per argument.
 */
export type VjpRule = (b: Graph, args: readonly Node[], out: Node, g: Node) => (Node | null)[];

/** How tightly a printed LaTeX form binds: operands looser than a form needs get parentheses. */
export const LATEX_PRECEDENCE = { sum: 1, product: 2, unary: 3, power: 4, atom: 5 } as const;

/** An operand slot: the operand's LaTeX, parenthesised if it binds looser than `min`. */
export type LatexSlot = (i: number, min?: number) => string;
export interface LatexForm {
  precedence: number;
  print: (arg: LatexSlot, args: readonly Node[], node: Node) => string;
}

/** How a node reads in the language's notation (its op's `text`, else a call). */
export function nodeText(def: OpDef, operands: readonly string[], node: Node): string {
  return def.text ? def.text(operands, node) : `${def.name}(${operands.join(', ')})`;
}

export interface OpDef {
  readonly name: OpName;
  /** Number of arguments, or 'variadic' (stack). */
  readonly arity: number | 'variadic';
  /**
   * 'elementwise': applies `eval` element by element to arguments of the
   * result's shape (the graph broadcasts them explicitly first).
   */
  readonly kind: 'elementwise' | 'structural';
  /** How the op is written in source: a named function, an operator, or not at all. */
  readonly syntax: 'function' | 'operator' | 'internal';
  /** The result's shape from the arguments' shapes and the attributes: the shape checker. */
  readonly shape: ShapeRule;
  /** Elementwise ops: the scalar function (constant folding, tests, the playground). */
  readonly eval?: (...args: number[]) => number;
  readonly vjp: VjpRule;
  /** Elementwise ops: a TS/JS expression for the op applied to printed operands. */
  readonly print?: (...args: string[]) => string;
  /** Structural ops: the loops that compute the node (see emit-context.ts). */
  readonly emit?: EmitRule;
  /**
   * Ops that only move elements (broadcast, transpose, index): which element
   * of the argument is the node's element at these per-axis indices. Code
   * generation reads the argument there instead of storing a copy.
   */
  readonly view?: (node: Node, axes: readonly string[]) => string[];
  /**
   * Ops whose argument holds class labels (onehot): the number of classes,
   * from the attributes; the argument's values must be integers in [0, it).
   * Data readers check them, samplers draw them.
   */
  readonly labels?: (attrs: Attrs) => number;
  /** A view that reads some elements of its argument more than once (broadcast). */
  readonly repeats?: boolean;
  /**
   * Ops whose result is their argument's elements in the same order
   * (reshape): a stored argument is the result, at no cost.
   */
  readonly sameElements?: boolean;
  /**
   * How the emitter reads its arguments: 'once' each element (the default:
   * a fused expression may stand in for an argument), 'repeated' (matmul:
   * only views may, as a computation would be redone), or 'flat' by row-major
   * index (every argument must be stored).
   */
  readonly argumentReads?: 'once' | 'repeated' | 'flat';
  /**
   * Ops defined by others: lowering builds this instead of the op (softmax is
   * exp(x - logsumexp(x))), so passes and code generation never see it.
   */
  readonly expand?: (b: Graph, args: readonly Node[], attrs: Attrs) => Node;
  readonly helper?: Helper;
  /**
   * Folding of constants (which are uniform: every element one value):
   * 'uniform' when the op of a constant is that constant in the result's shape
   * (broadcast, reshape, ...); or the value of an argument-free op, when known.
   */
  readonly fold?: 'uniform' | ((attrs: Attrs) => number | undefined);
  readonly latex: LatexForm;
  /**
   * The node as the language would write it, given its operands' texts:
   * `X @ W`, `sum(h, axis=1)`, `W[0, 1:3]` (labels in the playground's graph).
   * Absent: `name(operands)`.
   */
  readonly text?: (operands: readonly string[], node: Node) => string;
  /** Elementwise ops: where tests may sample the arguments. */
  readonly domain?: Sampler;
}
