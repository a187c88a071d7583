/**
 * The shape checker: every expression's shape, from the declarations and the
 * op table's shape rules, with each error at the piece of source it is about
 * (spec: the operator for operands that do not fit, else the offending piece).
 */
import {
  BINARY_OPERATORS, formatShape, NO_ATTRS, symbolicSize, isShapeError, KEYWORD_TYPES, opNamed, SOURCE_FUNCTIONS, type Attrs, type CallFacts, type Dim,
  type IndexSpec, type OpName, type Shape, type ShapeError, type SourceForm,
} from '@autodiff/ir';
import { foldExpr, isIntegerText, type CheckedProgram, type Expr, type Span } from './ast.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';

/** What a call or an indexing resolved to: the op lowering builds and its attributes. */
export interface Resolved {
  op: OpName;
  attrs: Attrs;
}

/** The most elements a value may have, dimension names aside: 1 GiB of doubles. */
export const MAX_ELEMENTS = 2 ** 27;

/** Which row of the table a shape problem is. */
type ProblemKind = 'shapeError' | 'axisError' | 'indexError' | 'argumentError' | 'stackError';
type Fail = (span: Span, message: string, kind?: ProblemKind) => undefined;

/** Arguments that are literals rather than values (onehot's k, reshape's shape), and everything inside them. */
export function literalArguments(root: Expr): Set<Expr> {
  const literal = new Set<Expr>();
  foldExpr<null>(root, (e) => {
    if (e.kind !== 'call') return null;
    const form = SOURCE_FUNCTIONS.get(e.callee)?.find((f) => f.positional === e.args.length);
    for (const k of Object.keys(form?.literals ?? {})) {
      const arg = e.args[Number(k)];
      if (arg) foldExpr<null>(arg, (inner) => { literal.add(inner); return null; });
    }
    return null;
  });
  return literal;
}

export interface ShapeCheck {
  shapes: Map<Expr, Shape>;
  resolved: Map<Expr, Resolved>;
}

/**
 * Shapes of every expression of `root` into `out`, given the names' shapes.
 * Returns the root's shape, or undefined when an error (reported) is in it.
 */
export function inferShapes(
  root: Expr,
  names: ReadonlyMap<string, Shape>,
  dimNames: ReadonlySet<string>,
  out: ShapeCheck,
  report: (d: Diagnostic) => void,
  unknown?: ReadonlySet<string>,
): Shape | undefined {
  const skip = literalArguments(root);
  const fail: Fail = (span, message, kind = 'shapeError') => {
    report(diagnostic(kind, span, message));
    return undefined;
  };
  const explain = (e: ShapeError, what: string) => (e.detail ? `${e.error} in '${what}': ${e.detail}` : e.error);

  return foldExpr<Shape | undefined | null>(root, (e, kids) => {
    if (skip.has(e)) return null;
    if (kids.some((k) => k === undefined)) return undefined; // an error below: said once
    const args = kids as Shape[];
    let shape: Shape | undefined;
    switch (e.kind) {
      case 'number': shape = []; break;
      case 'name': {
        // A binding whose own shape had an error: said there, so nothing that uses it is checked again.
        if (unknown?.has(e.name)) return undefined;
        shape = names.get(e.name) ?? [];
        break;
      }
      case 'unary': shape = args[0]; break;
      case 'binary': {
        const op = BINARY_OPERATORS[e.op];
        const r = opNamed(op).shape(args, NO_ATTRS);
        if (isShapeError(r)) return fail(e.opSpan, explain(r, e.op));
        shape = r;
        out.resolved.set(e, { op, attrs: NO_ATTRS });
        break;
      }
      case 'stack': {
        const r = opNamed('stack').shape(args, NO_ATTRS);
        if (isShapeError(r)) return fail(e.elements[typeof r.at === 'number' ? r.at : 0]!.span, r.error, 'stackError');
        shape = r;
        break;
      }
      case 'index': {
        const r = indexOf(e, args[0]!, fail);
        if (!r) return undefined;
        out.resolved.set(e, { op: 'index', attrs: { entries: r.entries } });
        shape = r.shape;
        break;
      }
      case 'call': {
        const form = SOURCE_FUNCTIONS.get(e.callee)!.find((f) => f.positional === e.args.length)!;
        const facts = callFacts(e, form, args, dimNames, fail);
        if (!facts) return undefined;
        const made = form.attrs(facts);
        const at = (err: ShapeError): Span => {
          if (typeof err.at === 'number') {
            const arg = e.args[err.at]!;
            return (err.element !== undefined && arg.kind === 'stack' ? arg.elements[err.element]?.span : undefined) ?? arg.span;
          }
          if (typeof err.at === 'string') return e.keywords.find((k) => k.name === err.at)?.valueSpan ?? e.calleeSpan;
          return e.calleeSpan;
        };
        const kindOf = (err: ShapeError): ProblemKind => (err.at === 'axis' ? 'axisError' : typeof err.at === 'number' ? 'argumentError' : 'shapeError');
        if (typeof made.error === 'string') return fail(at(made as ShapeError), (made as ShapeError).error, kindOf(made as ShapeError));
        const attrs = made as Attrs;
        const valueShapes = args.filter((_, k) => !form.literals?.[k]);
        const r = opNamed(form.op).shape(valueShapes, attrs);
        if (isShapeError(r)) return fail(at(r), explain(r, e.callee), kindOf(r));
        out.resolved.set(e, { op: form.op, attrs });
        shape = r;
        break;
      }
    }
    const elements = symbolicSize(shape!).literal;
    if (elements > MAX_ELEMENTS) {
      return fail(e.span, `this value would have ${elements.toLocaleString('en-US')} elements${typeof shape!.find((d) => typeof d === 'string') === 'string' ? ' times its dimension names' : ''}: more than the ${MAX_ELEMENTS.toLocaleString('en-US')} (1 GiB of doubles) a value may hold`);
    }
    out.shapes.set(e, shape!);
    return shape;
  }) ?? undefined;
}

/** Keyword values and literal arguments of a call, checked. */
function callFacts(
  e: Extract<Expr, { kind: 'call' }>, form: SourceForm, shapes: readonly Shape[], dimNames: ReadonlySet<string>,
  fail: Fail,
): CallFacts | undefined {
  if (e.lateArgument) return fail(e.lateArgument.span, `keyword arguments come after the positional ones: move this argument before '${e.keywords[0]!.name}='`, 'argumentError');
  const keywords = new Map<string, number | boolean>();
  for (const k of e.keywords) {
    if (k.name === '') return fail(k.nameSpan, `a keyword argument is a name, '=' and a value, e.g. axis=1`, 'argumentError');
    if (!form.keywords.includes(k.name)) {
      const takes = form.keywords.length > 0 ? `it takes ${form.keywords.join(' and ')}`
        : SOURCE_FUNCTIONS.get(e.callee)!.some((f) => f.keywords.length > 0) ? `with ${form.positional} arguments it takes none (axis and keepdims go only with one positional argument)`
          : 'it takes none';
      const alias = KEYWORD_ALIASES[k.name];
      const hint = alias && form.keywords.includes(alias) ? `; did you mean '${alias}'?` : '';
      return fail(k.nameSpan, `unknown keyword argument '${k.name}' for '${e.callee}': ${takes}${hint}`, 'argumentError');
    }
    if (keywords.has(k.name)) return fail(k.nameSpan, `'${k.name}' is given twice`, 'argumentError');
    const type = KEYWORD_TYPES[k.name];
    if (type === 'boolean') {
      if (k.value !== 'true' && k.value !== 'false') return fail(k.valueSpan, `'${k.name}' takes true or false, not ${k.text}`, 'argumentError');
      keywords.set(k.name, k.value === 'true');
    } else {
      if (typeof k.value !== 'number' || !isIntegerText(k.text)) return fail(k.valueSpan, `'${k.name}' takes an integer literal, not ${k.text}`, 'argumentError');
      keywords.set(k.name, k.value);
    }
  }
  const literals = new Map<number, number | readonly (Dim | -1)[]>();
  for (const [key, kind] of Object.entries(form.literals ?? {})) {
    const k = Number(key);
    const arg = e.args[k]!;
    if (kind === 'integer') {
      const v = integerLiteral(arg);
      if (v === undefined) return fail(arg.span, `the ${ordinal(k)} argument of '${e.callee}' must be an integer literal`, 'argumentError');
      literals.set(k, v);
    } else {
      if (arg.kind !== 'stack') return fail(arg.span, `the ${ordinal(k)} argument of '${e.callee}' must be a shape in brackets, e.g. [2, 3] or [n, -1]`, 'argumentError');
      const dims: (Dim | -1)[] = [];
      for (const d of arg.elements) {
        const v = integerLiteral(d);
        if (v !== undefined && (v >= 1 || v === -1)) dims.push(v);
        else if (d.kind === 'name' && dimNames.has(d.name)) dims.push(d.name);
        else return fail(d.span, `a shape's dimension is a positive integer, -1 or a dimension name`, 'argumentError');
      }
      literals.set(k, dims);
    }
  }
  return { shapes: shapes.filter((_, k) => !form.literals?.[k]), keywords, literals };
}

/** PyTorch's and NumPy's names for the keywords (`sum(x, dim=1, keepdim=True)`). */
const KEYWORD_ALIASES: Readonly<Record<string, string>> = { dim: 'axis', axes: 'axis', keepdim: 'keepdims' };

const ordinal = (k: number) => ['first', 'second', 'third'][k] ?? `#${k + 1}`;

/** An integer literal, with an optional sign. */
function integerLiteral(e: Expr): number | undefined {
  if (e.kind === 'number') return isIntegerText(e.text) ? e.value : undefined;
  if (e.kind === 'unary' && e.operand.kind === 'number' && isIntegerText(e.operand.text)) return e.op === '-' ? -e.operand.value : e.operand.value;
  return undefined;
}

/** `x[...]`: each entry checked against its axis (spec: no clamping; a dimension name takes only ':'). */
function indexOf(
  e: Extract<Expr, { kind: 'index' }>, x: Shape, fail: Fail,
): { entries: (IndexSpec | null)[]; shape: Shape } | undefined {
  if (e.entries.length > x.length) {
    return fail(e.entries[x.length]!.span, `too many indices: the value has shape ${formatShape(x)} (rank ${x.length}), given ${e.entries.length} ${e.entries.length === 1 ? "index" : "indices"}`, 'indexError');
  }
  const entries: (IndexSpec | null)[] = []; // null: the whole axis
  const shape: Dim[] = [];
  for (let k = 0; k < x.length; k++) {
    const entry = e.entries[k];
    const d = x[k]!;
    if (!entry || (entry.kind === 'slice' && entry.start === undefined && entry.end === undefined)) {
      entries.push(null);
      shape.push(d);
      continue;
    }
    if (typeof d !== 'number') return fail(entry.span, `axis ${k} has size ${d} (a dimension name): it can only be indexed with ':'`, 'indexError');
    if (entry.kind === 'at') {
      if (!isIntegerText(entry.text)) return fail(entry.span, `an index is an integer literal, not ${entry.text}`, 'indexError');
      if (entry.index < -d || entry.index >= d) return fail(entry.span, `index ${entry.index} is out of range for axis ${k} of size ${d}`, 'indexError');
      entries.push({ at: entry.index < 0 ? entry.index + d : entry.index });
      continue;
    }
    const bounds = [entry.start ?? 0, entry.end ?? d];
    if (!entry.text.split(':').every((bound) => bound === '' || isIntegerText(bound))) return fail(entry.span, `slice bounds are integer literals, not ${entry.text}`, 'indexError');
    const [start, end] = bounds.map((b) => (b < 0 ? b + d : b)) as [number, number];
    if (start < 0 || end > d || start >= end) {
      return fail(entry.span, `slice ${entry.start ?? ''}:${entry.end ?? ''} of axis ${k} (size ${d}) is ${start >= end && start >= 0 && end <= d ? 'empty' : 'out of range'}`, 'indexError');
    }
    entries.push({ start, end });
    shape.push(end - start);
  }
  return { entries, shape };
}

/**
 * Whether a checked program needs the tensor engines (the tape's Tensor, the
 * tensor module): a shaped declaration or value anywhere, or an op of the
 * table that is not elementwise, such as `transpose` or `sum` of a scalar.
 */
export function isTensorProgram(checked: CheckedProgram): boolean {
  return [...checked.params, ...checked.inputs].some((v) => v.shape.length > 0)
    || [...checked.shapes.values()].some((s) => s.length > 0)
    || [...checked.resolved.values()].some((r) => opNamed(r.op).kind !== 'elementwise');
}

/**
 * Inputs an op reads directly as class labels (the op table's `labels`:
 * `onehot(y, k)`), each with its number of classes (the smallest, if several):
 * their values must be integers in [0, k).
 */
export function labelInputs(checked: CheckedProgram): Map<string, number> {
  const labels = new Map<string, number>();
  const inputs = new Set(checked.inputs.map((x) => x.name));
  for (const [e, r] of checked.resolved) {
    const classes = opNamed(r.op).labels?.(r.attrs);
    if (classes === undefined || e.kind !== 'call' || e.args[0]?.kind !== 'name' || !inputs.has(e.args[0].name)) continue;
    const name = e.args[0].name;
    labels.set(name, Math.min(labels.get(name) ?? classes, classes));
  }
  return labels;
}
