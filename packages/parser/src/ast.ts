import type { Span } from '@autodiff/diagnostics';

/** Source positions: half-open character offsets into the source text. */
export type { Span };

export type BinaryOp = '+' | '-' | '*' | '/' | '^';

export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly span: Span }
  | { readonly kind: 'name'; readonly name: string; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: '+' | '-'; readonly operand: Expr; readonly span: Span }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span; readonly opSpan: Span }
  | { readonly kind: 'call'; readonly callee: string; readonly calleeSpan: Span; readonly args: readonly Expr[]; readonly span: Span };

export interface NameRef {
  readonly name: string;
  readonly span: Span;
}

export type Statement =
  | { readonly kind: 'declare'; readonly declares: 'param' | 'input'; readonly names: readonly NameRef[]; readonly span: Span }
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
  readonly params: readonly NameRef[];
  readonly inputs: readonly NameRef[];
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
