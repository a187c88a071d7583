/** CST visitor: turns the grammar's concrete syntax tree into the AST, with spans. */
import type { CstNode, IToken } from 'chevrotain';
import type { BinaryOp, Expr, NameRef, Span, Statement } from './ast.js';
import { parser } from './grammar.js';

type Ctx = Record<string, (CstNode | IToken)[] | undefined>;

const tokenSpan = (t: IToken): Span => ({ start: t.startOffset, end: t.startOffset + t.image.length });
const join = (a: Span, b: Span): Span => ({ start: a.start, end: b.end });
const nodes = (ctx: Ctx, key: string) => (ctx[key] ?? []) as CstNode[];
const tokens = (ctx: Ctx, key: string) => (ctx[key] ?? []) as IToken[];
const binaryOp = (image: string): BinaryOp => (image === '**' ? '^' : (image as BinaryOp));

const BaseVisitor = parser.getBaseCstVisitorConstructor();

/** Apply unary signs (outermost first in `signs`) to an operand. */
function withSigns(signs: IToken[], operand: Expr): Expr {
  let e = operand;
  for (let i = signs.length - 1; i >= 0; i--) {
    const sign = signs[i]!;
    e = { kind: 'unary', op: sign.image as '+' | '-', operand: e, span: join(tokenSpan(sign), e.span) };
  }
  return e;
}

class AstBuilder extends BaseVisitor {
  constructor() {
    super();
    this.validateVisitor();
  }

  statement(ctx: Ctx): Statement {
    const [child] = [...nodes(ctx, 'declaration'), ...nodes(ctx, 'binding'), ...nodes(ctx, 'expression')];
    const result = this.visit(child!) as Statement | Expr;
    if ('kind' in result && (result.kind === 'declare' || result.kind === 'bind')) return result;
    const value = result as Expr;
    return { kind: 'expr', value, span: value.span };
  }

  declaration(ctx: Ctx): Statement {
    const keyword = tokens(ctx, 'keyword')[0]!;
    const names: NameRef[] = tokens(ctx, 'names').map((t) => ({ name: t.image, span: tokenSpan(t) }));
    return {
      kind: 'declare',
      declares: keyword.image as 'param' | 'input',
      names,
      span: join(tokenSpan(keyword), names[names.length - 1]!.span),
    };
  }

  binding(ctx: Ctx): Statement {
    const target = tokens(ctx, 'target')[0]!;
    const value = this.visit(nodes(ctx, 'value')[0]!) as Expr;
    return { kind: 'bind', target: { name: target.image, span: tokenSpan(target) }, value, span: join(tokenSpan(target), value.span) };
  }

  /** Left-associative chains: a - b - c is (a - b) - c. */
  private leftChain(ctx: Ctx): Expr {
    const operands = nodes(ctx, 'operands').map((n) => this.visit(n) as Expr);
    const operators = tokens(ctx, 'operators');
    let e = operands[0]!;
    operators.forEach((op, i) => {
      const right = operands[i + 1]!;
      e = { kind: 'binary', op: binaryOp(op.image), left: e, right, span: join(e.span, right.span), opSpan: tokenSpan(op) };
    });
    return e;
  }

  expression(ctx: Ctx): Expr {
    return this.leftChain(ctx);
  }

  multiplicative(ctx: Ctx): Expr {
    return this.leftChain(ctx);
  }

  unary(ctx: Ctx): Expr {
    return withSigns(tokens(ctx, 'signs'), this.visit(nodes(ctx, 'operand')[0]!) as Expr);
  }

  /** Right-associative: a ^ b ^ c is a ^ (b ^ c); signs apply to the exponent's whole tail. */
  power(ctx: Ctx): Expr {
    const base = this.visit(nodes(ctx, 'base')[0]!) as Expr;
    const exps = nodes(ctx, 'exponents').map((n) => {
      const c = n.children as Ctx;
      return {
        operator: tokens(c, 'operator')[0]!,
        signs: tokens(c, 'signs'),
        operand: this.visit(nodes(c, 'operand')[0]!) as Expr,
      };
    });
    if (exps.length === 0) return base;
    let tail = withSigns(exps[exps.length - 1]!.signs, exps[exps.length - 1]!.operand);
    for (let i = exps.length - 2; i >= 0; i--) {
      const e = exps[i]!;
      const next = exps[i + 1]!;
      const raised: Expr = {
        kind: 'binary', op: '^', left: e.operand, right: tail, span: join(e.operand.span, tail.span), opSpan: tokenSpan(next.operator),
      };
      tail = withSigns(e.signs, raised);
    }
    return { kind: 'binary', op: '^', left: base, right: tail, span: join(base.span, tail.span), opSpan: tokenSpan(exps[0]!.operator) };
  }

  exponent(): never {
    throw new Error('internal: exponents are read by power()');
  }

  atom(ctx: Ctx): Expr {
    const number = tokens(ctx, 'number')[0];
    if (number) return { kind: 'number', value: Number(number.image), span: tokenSpan(number) };
    const [child] = [...nodes(ctx, 'nameOrCall'), ...nodes(ctx, 'parenthesized')];
    return this.visit(child!) as Expr;
  }

  nameOrCall(ctx: Ctx): Expr {
    const name = tokens(ctx, 'name')[0]!;
    const nameSpan = tokenSpan(name);
    const close = tokens(ctx, 'RParen')[0];
    if (!close) return { kind: 'name', name: name.image, span: nameSpan };
    const args = nodes(ctx, 'args').map((n) => this.visit(n) as Expr);
    return { kind: 'call', callee: name.image, calleeSpan: nameSpan, args, span: join(nameSpan, tokenSpan(close)) };
  }

  parenthesized(ctx: Ctx): Expr {
    return this.visit(nodes(ctx, 'inner')[0]!) as Expr;
  }
}

export const astBuilder = new AstBuilder();

export function buildStatement(cst: CstNode): Statement {
  return astBuilder.visit(cst) as Statement;
}
