/**
 * How the source language writes the table's ops: operators, and functions
 * with their positional and keyword arguments. The checker reads this to
 * resolve calls and check their arguments; lowering to build the nodes.
 */
import { NO_ATTRS, type Attrs } from './node.js';
import type { ShapeError } from './op-def.js';
import type { OpName } from './op-names.js';
import { OP_LIST } from './ops.js';
import { formatShape, symbolicSize, type Dim, type Shape } from './shape.js';

/** What the checker gives a form: argument shapes, keyword values, literal arguments. */
export interface CallFacts {
  shapes: readonly Shape[];
  keywords: ReadonlyMap<string, number | boolean>;
  /** Literal positional arguments by position: an integer, or a shape (`-1` allowed once). */
  literals: ReadonlyMap<number, number | readonly (Dim | -1)[]>;
}

export interface SourceForm {
  op: OpName;
  /** Positional arguments, literal ones included. */
  positional: number;
  /** Positional arguments that are literals, not values: `onehot(y, 3)`, `reshape(x, [2, 3])`. */
  literals?: Readonly<Record<number, 'integer' | 'shape'>>;
  keywords: readonly string[];
  /** The op's attributes; an error points at `at` (a keyword's value, a positional argument, or the call). */
  attrs: (facts: CallFacts) => Attrs | ShapeError;
}

export const KEYWORD_TYPES: Readonly<Record<string, 'integer' | 'boolean'>> = { axis: 'integer', keepdims: 'boolean' };

const normalizeAxis = (axis: number, rank: number): number | ShapeError => {
  const k = axis < 0 ? axis + rank : axis;
  return k >= 0 && k < rank ? k : { error: `axis ${axis} is out of range for a value of rank ${rank}${rank === 0 ? ' (a scalar)' : ` (axes are 0..${rank - 1}, or -${rank}..-1 from the end)`}`, at: 'axis' };
};

const reduceForm = (op: OpName): SourceForm => ({
  op, positional: 1, keywords: ['axis', 'keepdims'],
  attrs: ({ shapes: [x], keywords }) => {
    const rank = x!.length;
    const axis = keywords.get('axis') as number | undefined;
    const keepdims = (keywords.get('keepdims') as boolean | undefined) ?? false;
    if (axis === undefined) return { axes: x!.map((_, k) => k), keepdims };
    const k = normalizeAxis(axis, rank);
    return typeof k === 'number' ? { axes: [k], keepdims } : k;
  },
});

const alongAxis = (op: OpName): SourceForm => ({
  op, positional: 1, keywords: ['axis'],
  attrs: ({ shapes: [x], keywords }) => {
    if (x!.length === 0) return { error: `${op} needs a value of rank >= 1, not a scalar` };
    const k = normalizeAxis((keywords.get('axis') as number | undefined) ?? -1, x!.length);
    return typeof k === 'number' ? { axis: k } : k;
  },
});

/** reshape's target, with a `-1` resolved from the element count. */
function reshapeTarget(x: Shape, target: readonly (Dim | -1)[]): Shape | ShapeError {
  const inferred = target.filter((d) => d === -1).length;
  if (inferred > 1) return { error: 'reshape takes at most one -1 dimension', at: 1, element: target.indexOf(-1, target.indexOf(-1) + 1) };
  const known = target.filter((d): d is Dim => d !== -1);
  const from = symbolicSize(x);
  const to = symbolicSize(known);
  if (inferred === 0) {
    return from.literal === to.literal && from.names.join() === to.names.join() ? known
      : { error: `cannot reshape ${formatShape(x)} to ${formatShape(known)}: the element counts differ`, at: 1 };
  }
  const names = [...from.names];
  for (const n of to.names) {
    const i = names.indexOf(n);
    if (i < 0) return { error: `cannot reshape ${formatShape(x)} to ${formatShape(target)}: the -1 would not be a whole size`, at: 1 };
    names.splice(i, 1);
  }
  const literal = from.literal / to.literal;
  const dim: Dim | undefined = names.length === 0 && Number.isInteger(literal) && literal >= 1 ? literal
    : names.length === 1 && literal === 1 ? names[0] : undefined;
  if (dim === undefined) return { error: `cannot reshape ${formatShape(x)} to ${formatShape(target)}: the -1 must be a whole size or a single dimension name`, at: 1 };
  return target.map((d) => (d === -1 ? dim : d));
}

const FORMS = new Map<string, SourceForm[]>();
const add = (name: string, form: SourceForm) => FORMS.set(name, [...(FORMS.get(name) ?? []), form]);

// Every elementwise function of the table, under its own name.
for (const op of OP_LIST) {
  if (op.kind === 'elementwise' && op.syntax === 'function') {
    add(op.name, { op: op.name, positional: op.arity as number, keywords: [], attrs: () => NO_ATTRS });
  }
}
add('sum', reduceForm('sum'));
add('mean', reduceForm('mean'));
add('logsumexp', reduceForm('logsumexp'));
// With one positional argument, max and min reduce; with two they are elementwise.
add('max', reduceForm('amax'));
add('min', reduceForm('amin'));
add('softmax', alongAxis('softmax'));
add('log_softmax', alongAxis('log_softmax'));
add('transpose', { op: 'transpose', positional: 1, keywords: [], attrs: ({ shapes: [x] }) => ({ perm: x!.map((_, k) => x!.length - 1 - k) }) });
add('reshape', {
  op: 'reshape', positional: 2, literals: { 1: 'shape' }, keywords: [],
  attrs: ({ shapes: [x], literals }) => {
    const shape = reshapeTarget(x!, literals.get(1) as (Dim | -1)[]);
    return Array.isArray(shape) ? { shape } : (shape as ShapeError);
  },
});
add('onehot', {
  op: 'onehot', positional: 2, literals: { 1: 'integer' }, keywords: [],
  attrs: ({ literals }) => {
    const k = literals.get(1) as number;
    return k >= 1 ? { k } : { error: `onehot needs at least one class: k is ${k}`, at: 1 };
  },
});

/** Functions a source program may call: each name's forms, told apart by their positional argument count. */
export const SOURCE_FUNCTIONS: ReadonlyMap<string, readonly SourceForm[]> = FORMS;

/** The op each binary operator of the language denotes. */
export const BINARY_OPERATORS: Readonly<Record<'+' | '-' | '*' | '/' | '^' | '@', OpName>> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow', '@': 'matmul',
};
