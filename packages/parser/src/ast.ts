import type { Span } from '@autodiff/diagnostics';
import type { Attrs, OpName, Shape } from '@autodiff/ir';

/** Source positions: half-open character offsets into the source text. */
export type { Span };

export type BinaryOp = '+' | '-' | '*' | '/' | '^' | '@';

/**
 * `name=value` after a call's positional arguments: an integer (may carry a
 * sign), or a word (`true`/`false`; the checker rejects any other).
 */
export interface Keyword {
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: number | string;
  /** The value as written. */
  readonly text: string;
  readonly valueSpan: Span;
}

/**
 * One entry of `a[...]`: an integer literal (drops the axis), or a slice `i:j`
 * (keeps it; either bound may be omitted, and `:` alone is the whole axis).
 * `index`/`start`/`end` are the literals' values (negative counts from the end); `text` is the entry as written.
 */
export type IndexEntry =
  | { readonly kind: 'at'; readonly index: number; readonly text: string; readonly span: Span }
  | { readonly kind: 'slice'; readonly start?: number; readonly end?: number; readonly text: string; readonly span: Span };

/** An integer literal as the spec means it: digits only, after an optional sign (`1.0` and `1e0` are not). */
export const isIntegerText = (text: string): boolean => /^[+-]?\d+$/.test(text);

export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly span: Span; /** As written. */ readonly text: string }
  | { readonly kind: 'name'; readonly name: string; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: '+' | '-'; readonly operand: Expr; readonly span: Span }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span; readonly opSpan: Span }
  | {
    readonly kind: 'call'; readonly callee: string; readonly calleeSpan: Span; readonly args: readonly Expr[];
    readonly keywords: readonly Keyword[]; readonly span: Span;
    /** The first positional argument written after a keyword argument (an error). */
    readonly lateArgument?: Expr;
  }
  /** `target[entries]`; `openSpan` is the '['. */
  | { readonly kind: 'index'; readonly target: Expr; readonly entries: readonly IndexEntry[]; readonly openSpan: Span; readonly span: Span }
  /** `[a, b, c]`: the elements along a new first axis. */
  | { readonly kind: 'stack'; readonly elements: readonly Expr[]; readonly span: Span };

export interface NameRef {
  readonly name: string;
  readonly span: Span;
}

/** A dimension in a declaration's shape, as written: a number literal or a dimension name. */
export type DimRef = { readonly kind: 'size'; readonly value: number; readonly text: string; readonly span: Span } | { readonly kind: 'name'; readonly name: string; readonly span: Span };

/** A declared name, with the shape written after its colon (absent: a scalar). */
export interface DeclaredName extends NameRef {
  readonly shape?: { readonly dims: readonly DimRef[]; readonly span: Span };
}

/** A param or input of a checked program, with its shape. */
export interface Variable extends NameRef {
  readonly shape: Shape;
}

export type Statement =
  | { readonly kind: 'declare'; readonly declares: 'param' | 'input'; readonly names: readonly DeclaredName[]; readonly span: Span }
  | { readonly kind: 'bind'; readonly target: NameRef; readonly value: Expr; readonly span: Span }
  | { readonly kind: 'expr'; readonly value: Expr; readonly span: Span };

export interface Program {
  readonly statements: readonly Statement[];
}

/**
 * A program that passed the semantic checks: every name resolves, and the
 * parameter and input lists are final (in the order the spec defines).
 */
export interface CheckedProgram {
  readonly program: Program;
  readonly params: readonly Variable[];
  readonly inputs: readonly Variable[];
  /** Dimension names of the inputs' shapes, in order of first appearance. */
  readonly dimNames: readonly string[];
  /** The shape of every expression the checker reached. */
  readonly shapes: ReadonlyMap<Expr, Shape>;
  /** The op and attributes of every operator, call and indexing. */
  readonly resolved: ReadonlyMap<Expr, { readonly op: OpName; readonly attrs: Attrs }>;
  /** Bindings by name, in source order. */
  readonly bindings: ReadonlyMap<string, Expr>;
  /** The output expression: the last statement's value. */
  readonly output: Expr;
}

export function childrenOf(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'number':
    case 'name':
      return [];
    case 'unary':
      return [e.operand];
    case 'binary':
      return [e.left, e.right];
    case 'call':
      return e.args;
    case 'index':
      return [e.target];
    case 'stack':
      return e.elements;
  }
}

/**
 * Bottom-up fold over an expression with an explicit stack: `a+b+c+...` with
 * 100,000 terms is 100,000 levels deep, so no AST walker may recurse.
 */
export function foldExpr<T>(root: Expr, visit: (e: Expr, children: T[]) => T): T {
  const results: T[] = [];
  const stack: { e: Expr; expanded: boolean }[] = [{ e: root, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const kids = childrenOf(top.e);
    if (!top.expanded && kids.length > 0) {
      stack.push({ e: top.e, expanded: true });
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ e: kids[i]!, expanded: false });
    } else {
      const args = results.splice(results.length - kids.length, kids.length);
      results.push(visit(top.e, args));
    }
  }
  return results[0]!;
}
