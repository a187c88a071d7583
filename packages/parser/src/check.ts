/**
 * Semantic checks, before any IR is built: every name resolves, declarations
 * precede use, names are bound once, calls name known functions with the
 * right arity. Produces the final param and input lists.
 */
import { formatShape, SOURCE_FUNCTIONS, type Dim, type Shape } from '@autodiff/ir';
import { foldExpr, isIntegerText, type CheckedProgram, type DeclaredName, type Expr, type NameRef, type Program, type Span, type Variable } from './ast.js';
import { bySpan, diagnostic, LineIndex, quoted, type Diagnostic } from './diagnostics.js';
import { parse } from './parse.js';
import { inferShapes, literalArguments, MAX_ELEMENTS, type ShapeCheck } from './shapes.js';

export const CONSTANTS: ReadonlyMap<string, number> = new Map([['pi', Math.PI]]);
const KEYWORDS = new Set(['param', 'input', 'true', 'false']);
export const isReserved = (name: string) => KEYWORDS.has(name) || CONSTANTS.has(name) || SOURCE_FUNCTIONS.has(name);

/** Names and calls in an expression, left to right (iteratively: expressions can be very deep). */
function referencesOf(e: Expr): Expr[] {
  const out: Expr[] = [];
  const literal = literalArguments(e);
  foldExpr<null>(e, (node) => {
    if ((node.kind === 'name' || node.kind === 'call') && !literal.has(node)) out.push(node);
    return null;
  });
  return out;
}

/** The largest dimension a declaration may give (the elements of any value must fit an array). */
export const MAX_DIMENSION = 2 ** 31 - 1;

/** Names longer than this get no "did you mean" hint: comparing them costs too much to guess at a typo. */
export const MAX_HINTED_NAME = 64;

/**
 * Edit distance counting an adjacent transposition as one edit (tnah -> tanh),
 * or `limit + 1` as soon as it is known to exceed `limit`. Only the diagonal
 * band of width 2 * limit + 1 is computed, so a comparison costs
 * O(length * limit) however different the strings are.
 */
export function boundedEditDistance(a: string, b: string, limit: number): number {
  const over = limit + 1;
  if (Math.abs(a.length - b.length) > limit) return over;
  const m = b.length;
  let before = new Int32Array(m + 1).fill(over); // row i - 2
  let previous = new Int32Array(m + 1).fill(over); // row i - 1
  let row = new Int32Array(m + 1);
  for (let j = 0; j <= Math.min(m, limit); j++) previous[j] = j;
  let previousMin = 0;
  for (let i = 1; i <= a.length; i++) {
    row.fill(over);
    if (i <= limit) row[0] = i;
    let rowMin = row[0]!;
    const from = Math.max(1, i - limit);
    const to = Math.min(m, i + limit);
    for (let j = from; j <= to; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let best = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      row[j] = Math.min(best, over);
      rowMin = Math.min(rowMin, row[j]!);
    }
    // Every later cell is at least the minimum of one of the last two rows.
    if (rowMin > limit && previousMin > limit) return over;
    previousMin = rowMin;
    [before, previous, row] = [previous, row, before];
  }
  return Math.min(previous[m]!, over);
}

/**
 * The closest candidate for a "did you mean" hint: a case-only difference,
 * or at most one edit per three characters (short names are too alike to guess).
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > MAX_HINTED_NAME) return undefined;
  const limit = Math.floor(name.length / 3);
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) > limit) continue;
    // Only a strictly closer candidate replaces the best so far.
    const d = c.toLowerCase() === lower ? 0.5 : boundedEditDistance(name, c, Math.min(limit, Math.ceil(bestDistance) - 1));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
      if (d === 0.5) break; // nothing is closer than a case-only difference
    }
  }
  return bestDistance <= Math.max(0.5, limit) ? best : undefined;
}
/** What a PyTorch or NumPy habit should be written as: `sum(x, 1)`, `reshape(x, 2, 3)`, `transpose(x, 0, 1)`. */
function arityHint(callee: string, forms: readonly { keywords: readonly string[] }[]): string {
  if (callee === 'reshape') return `; give the new shape as a list: reshape(x, [2, 3])`;
  if (callee === 'transpose') return `; it reverses the axes (a matrix's transpose) and takes no axes`;
  if (forms.some((f) => f.keywords.includes('axis'))) return `; the axis is a keyword argument: ${callee}(x, axis=1)`;
  return '';
}

const didYouMean = (near: string | undefined) => (near ? `; did you mean ${quoted(near)}?` : '');

/**
 * At most this many unknown names in a file get a "did you mean" hint: each
 * search compares against every name in scope, and a file with thousands of
 * typos is better served by its first hundred being explained.
 */
export const MAX_HINTS = 100;

export interface CheckResult {
  checked?: CheckedProgram;
  diagnostics: Diagnostic[];
}

export function check(program: Program, source: string): CheckResult {
  const diagnostics: Diagnostic[] = [];
  let lines: LineIndex | undefined; // built on the first message that names a position
  const where = (s: Span) => {
    const { line, column } = (lines ??= new LineIndex(source)).position(s.start);
    return `${line}:${column}`;
  };
  const error = (d: Diagnostic) => diagnostics.push(d);
  let hints = 0;
  /** The nearest of `candidates`, while the file's budget of hints lasts. */
  const hint = (name: string, candidates: () => Iterable<string>) => (hints++ < MAX_HINTS ? nearestName(name, candidates()) : undefined);

  const declared = new Map<string, { kind: 'param' | 'input'; ref: NameRef }>();
  const bound = new Map<string, { ref: NameRef; value: Expr }>();
  const firstUse = new Map<string, Span>();
  const hasParamLine = program.statements.some((s) => s.kind === 'declare' && s.declares === 'param');
  // Where each name is bound, to tell "used before bound" from "unknown".
  const boundLater = new Map<string, Span>();
  for (const s of program.statements) if (s.kind === 'bind' && !boundLater.has(s.target.name)) boundLater.set(s.target.name, s.target.span);

  const declaredAt = new Map<string, Span>();
  for (const s of program.statements) {
    if (s.kind === 'declare') for (const ref of s.names) if (!declaredAt.has(ref.name)) declaredAt.set(ref.name, ref.span);
  }
  const implicitParams: NameRef[] = [];
  /** Dimension names of input shapes, at their first appearance. */
  const dimNames = new Map<string, Span>();
  const shapes = new Map<NameRef, Shape>();
  /** A declaration's shape; each bad dimension is reported at itself. */
  const declaredShape = (ref: DeclaredName, kind: 'param' | 'input'): Shape => {
    const dims: Dim[] = [];
    for (const d of ref.shape?.dims ?? []) {
      if (d.kind === 'size') {
        if (!isIntegerText(d.text) || d.value < 1 || d.value > MAX_DIMENSION) error(diagnostic('badDimension', d.span, d.text));
        dims.push(d.value);
      } else if (kind === 'param') {
        error(diagnostic('paramDimensionName', d.span, d.name));
        dims.push(1);
      } else {
        if (isReserved(d.name)) error(diagnostic('reserved', d.span, d.name));
        else if (!dimNames.has(d.name) && (declaredAt.has(d.name) && declaredAt.get(d.name)!.start < d.span.start || bound.has(d.name))) {
          const other = declaredAt.get(d.name) ?? bound.get(d.name)!.ref.span;
          error(diagnostic('dimensionAlsoVariable', d.span, d.name, where(other)));
        }
        if (!dimNames.has(d.name)) dimNames.set(d.name, d.span);
        dims.push(d.name);
      }
    }
    const elements = dims.reduce<number>((n, d) => n * (typeof d === 'number' ? d : 1), 1);
    if (ref.shape && elements > MAX_ELEMENTS) error(diagnostic('shapeError', ref.shape.span, `${quoted(ref.name)} would have ${elements.toLocaleString('en-US')} elements: more than the ${MAX_ELEMENTS.toLocaleString('en-US')} (1 GiB of doubles) a value may hold`));
    return dims;
  };
  const implicitNames = new Set<string>();
  function* knownNames(): Iterable<string> {
    yield* declared.keys();
    yield* bound.keys();
  }

  const checkExpr = (e: Expr) => {
    for (const ref of referencesOf(e)) {
      if (ref.kind === 'call') {
        const forms = SOURCE_FUNCTIONS.get(ref.callee);
        if (!forms) {
          if (declared.has(ref.callee) || bound.has(ref.callee) || CONSTANTS.has(ref.callee)) {
            error(diagnostic('notAFunction', ref.calleeSpan, ref.callee));
          } else {
            error(diagnostic('unknownFunction', ref.calleeSpan, ref.callee, didYouMean(hint(ref.callee, () => SOURCE_FUNCTIONS.keys()))));
          }
        } else if (!forms.some((f) => f.positional === ref.args.length)) {
          const counts = forms.map((f) => f.positional).sort((a, b) => a - b);
          error(diagnostic('wrongArity', ref.span, ref.callee, counts.join(' or '), ref.args.length, Math.max(...counts) === 1, arityHint(ref.callee, forms)));
        }
        continue;
      }
      if (ref.kind !== 'name') continue;
      const name = ref.name;
      if (!firstUse.has(name)) firstUse.set(name, ref.span);
      if (CONSTANTS.has(name) || declared.has(name) || bound.has(name)) continue;
      if (dimNames.has(name)) {
        error(diagnostic('dimensionAsValue', ref.span, name));
      } else if (SOURCE_FUNCTIONS.has(name)) {
        error(diagnostic('functionAsValue', ref.span, name));
      } else if (KEYWORDS.has(name)) {
        error(diagnostic('reserved', ref.span, name));
      } else if (declaredAt.has(name)) {
        error(diagnostic('declaredAfterUse', ref.span, name, where(declaredAt.get(name)!)));
      } else if (boundLater.has(name)) {
        error(diagnostic('usedBeforeBound', ref.span, name, where(boundLater.get(name)!)));
      } else if (hasParamLine) {
        const near = hint(name, knownNames);
        error(near ? diagnostic('unknownName', ref.span, name, didYouMean(near)) : diagnostic('undeclared', ref.span, name, ''));
      } else if (!implicitNames.has(name)) {
        implicitNames.add(name);
        implicitParams.push({ name, span: ref.span });
        const near = hint(name, () => bound.keys());
        if (near) error(diagnostic('implicitParamNearMiss', ref.span, name, near));
      }
    }
  };

  const statements = program.statements;
  statements.forEach((s, i) => {
    const isLast = i === statements.length - 1;
    switch (s.kind) {
      case 'declare':
        for (const ref of s.names) {
          const previous = declared.get(ref.name);
          shapes.set(ref, declaredShape(ref, s.declares));
          if (isReserved(ref.name)) error(diagnostic('reserved', ref.span, ref.name));
          // Reported at the later of the two (spec): here if the dimension name came first.
          else if (dimNames.has(ref.name) && dimNames.get(ref.name)!.start < ref.span.start) {
            error(diagnostic('dimensionAlsoVariable', ref.span, ref.name, where(dimNames.get(ref.name)!)));
          }
          else if (previous) error(diagnostic('declaredTwice', ref.span, ref.name, where(previous.ref.span)));
          else if (bound.has(ref.name)) error(diagnostic('boundTwice', ref.span, ref.name, where(bound.get(ref.name)!.ref.span)));
          else if (!firstUse.has(ref.name)) declared.set(ref.name, { kind: s.declares, ref });
          // (a use before this declaration was reported at the use)
        }
        if (isLast) error(diagnostic('lastIsDeclaration', s.span));
        break;
      case 'bind': {
        checkExpr(s.value);
        const { name, span } = s.target;
        const decl = declared.get(name);
        if (isReserved(name)) error(diagnostic('reserved', span, name));
        else if (dimNames.has(name)) error(diagnostic('dimensionAlsoVariable', span, name, where(dimNames.get(name)!)));
        else if (decl) error(diagnostic('shadowsDeclared', span, name, decl.kind, where(decl.ref.span)));
        else if (bound.has(name)) error(diagnostic('boundTwice', span, name, where(bound.get(name)!.ref.span)));
        else if (implicitNames.has(name)) error(diagnostic('usedBeforeBound', firstUse.get(name)!, name, where(span)));
        else bound.set(name, { ref: s.target, value: s.value });
        break;
      }
      case 'expr':
        checkExpr(s.value);
        if (!isLast) error(diagnostic('bareExpression', s.span));
        break;
    }
  });

  const last = statements[statements.length - 1];
  if (!last) error(diagnostic('emptyProgram', { start: 0, end: 0 }));
  if (diagnostics.some((d) => d.severity === 'error') || !last || last.kind === 'declare') {
    return { diagnostics: sortBySpan(diagnostics) };
  }
  const output = last.value;

  // Bindings the output does not reach are never evaluated: warn about them.
  const used = new Set<string>();
  const pending: Expr[] = [output];
  while (pending.length > 0) {
    for (const ref of referencesOf(pending.pop()!)) {
      if (ref.kind === 'name' && !used.has(ref.name)) {
        used.add(ref.name);
        const b = bound.get(ref.name);
        if (b) pending.push(b.value);
      }
    }
  }
  for (const [name, b] of bound) {
    if (!used.has(name) && !(last.kind === 'bind' && last.target.name === name)) {
      diagnostics.push(diagnostic('unusedBinding', b.ref.span, name));
    }
  }

  const variable = (ref: NameRef): Variable => ({ name: ref.name, span: ref.span, shape: shapes.get(ref) ?? [] });
  const byKind = (kind: 'param' | 'input') => [...declared.values()].filter((d) => d.kind === kind).map((d) => variable(d.ref));
  const params = hasParamLine ? byKind('param') : [...byKind('param'), ...implicitParams.map(variable)];
  const inputs = byKind('input');

  // Shapes: every statement's, the unused bindings' too (spec: every shape error is a compile-time error).
  const nameShapes = new Map<string, Shape>([...params, ...inputs].map((v) => [v.name, v.shape]));
  const shapeCheck: ShapeCheck = { shapes: new Map(), resolved: new Map() };
  const dimSet = new Set(dimNames.keys());
  let shapeErrors = false;
  const report = (d: Diagnostic) => { diagnostics.push(d); shapeErrors = true; };
  let outputShape: Shape | undefined;
  const unknownShapes = new Set<string>(); // bindings with a shape error in them
  for (const s of statements) {
    if (s.kind === 'declare') continue;
    const shape = inferShapes(s.value, nameShapes, dimSet, shapeCheck, report, unknownShapes);
    if (s.kind === 'bind') {
      if (shape === undefined) unknownShapes.add(s.target.name);
      else nameShapes.set(s.target.name, shape);
    }
    if (s === last) outputShape = shape;
  }
  if (outputShape !== undefined && outputShape.length > 0) {
    report(diagnostic('shapedOutput', output.span, formatShape(outputShape)));
  }
  if (shapeErrors) return { diagnostics: sortBySpan(diagnostics) };
  return {
    checked: {
      program,
      params,
      inputs,
      dimNames: [...dimNames.keys()],
      shapes: shapeCheck.shapes,
      resolved: shapeCheck.resolved,
      bindings: new Map([...bound].map(([name, b]) => [name, b.value])),
      output,
    },
    diagnostics: sortBySpan(diagnostics),
  };
}

const sortBySpan = bySpan<Diagnostic>;

/** Parse and check: the front end in one call. */
export function analyze(source: string): CheckResult {
  const parsed = parse(source);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: parsed.diagnostics };
  const checked = check(parsed.program, source);
  return { ...checked, diagnostics: sortBySpan([...parsed.diagnostics, ...checked.diagnostics]) };
}
