/** CST visitor: turns the grammar's concrete syntax tree into the AST, with spans. */
import type { CstNode, IToken } from 'chevrotain';
import type { BinaryOp, DeclaredName, DimRef, Expr, IndexEntry, Keyword, Span, Statement } from './ast.js';
import { parser } from './grammar.js';

type Ctx = Record<string, (CstNode | IToken)[] | undefined>;

const tokenSpan = (t: IToken): Span => ({ start: t.startOffset, end: t.startOffset + t.image.length });
const join = (a: Span, b: Span): Span => ({ start: a.start, end: b.end });
const nodes = (ctx: Ctx, key: string) => (ctx[key] ?? []) as CstNode[];
const tokens = (ctx: Ctx, key: string) => (ctx[key] ?? []) as IToken[];
const binaryOp = (image: string): BinaryOp => (image === '**' ? '^' : (image as BinaryOp));

const BaseVisitor = parser.getBaseCstVisitorConstructor();

/** The first character offset a CST node covers (its first token's). */
function firstOffset(node: CstNode): number {
  let first = Infinity;
  const stack: (CstNode | IToken)[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if ('image' in n) first = Math.min(first, n.startOffset);
    else for (const list of Object.values(n.children)) for (const c of list) stack.push(c);
  }
  return first;
}

interface SignedInteger {
  value: number;
  text: string;
  span: Span;
}


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
    const names = nodes(ctx, 'names').map((n) => this.visit(n) as DeclaredName);
    const lastName = names[names.length - 1]!;
    return {
      kind: 'declare',
      declares: keyword.image as 'param' | 'input',
      names,
      span: join(tokenSpan(keyword), lastName.shape?.span ?? lastName.span),
    };
  }

  declared(ctx: Ctx): DeclaredName {
    const name = tokens(ctx, 'name')[0]!;
    const close = tokens(ctx, 'RBracket')[0];
    if (!close) return { name: name.image, span: tokenSpan(name) };
    const dims = nodes(ctx, 'dims').map((n) => this.visit(n) as DimRef);
    return { name: name.image, span: tokenSpan(name), shape: { dims, span: join(tokenSpan(tokens(ctx, 'LBracket')[0]!), tokenSpan(close)) } };
  }

  dimension(ctx: Ctx): DimRef {
    const size = tokens(ctx, 'size')[0];
    if (size) return { kind: 'size', value: Number(size.image), text: size.image, span: tokenSpan(size) };
    const name = tokens(ctx, 'name')[0]!;
    return { kind: 'name', name: name.image, span: tokenSpan(name) };
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

  /** Indexings apply to the atom before them, left to right. */
  private indexed(atom: Expr, ctx: Ctx): Expr {
    let e = atom;
    for (const indexing of nodes(ctx, 'indexings')) {
      const c = indexing.children as Ctx;
      const entries = nodes(c, 'entries').map((n) => this.visit(n) as IndexEntry);
      const open = tokenSpan(tokens(c, 'LBracket')[0]!);
      e = { kind: 'index', target: e, entries, openSpan: open, span: join(e.span, tokenSpan(tokens(c, 'RBracket')[0]!)) };
    }
    return e;
  }

  indexing(): never {
    throw new Error('internal: indexings are read by atom()');
  }

  indexEntry(ctx: Ctx): IndexEntry {
    const start = nodes(ctx, 'start')[0];
    const end = nodes(ctx, 'end')[0];
    const colon = tokens(ctx, 'colon')[0];
    const parts = [start && this.visit(start) as SignedInteger, end && this.visit(end) as SignedInteger];
    const [from, to] = parts;
    const spans = [from?.span, colon && tokenSpan(colon), to?.span].filter((x): x is Span => x !== undefined);
    const span = join(spans[0]!, spans[spans.length - 1]!);
    if (!colon) return { kind: 'at', index: from!.value, text: from!.text, span };
    const text = `${from?.text ?? ''}:${to?.text ?? ''}`;
    return { kind: 'slice', ...(from ? { start: from.value } : {}), ...(to ? { end: to.value } : {}), text, span };
  }

  signedInteger(ctx: Ctx): SignedInteger {
    const sign = tokens(ctx, 'sign')[0];
    const number = tokens(ctx, 'number')[0]!;
    const magnitude = Number(number.image);
    return {
      value: sign?.image === '-' ? -magnitude : magnitude,
      text: `${sign?.image ?? ''}${number.image}`,
      span: sign ? join(tokenSpan(sign), tokenSpan(number)) : tokenSpan(number),
    };
  }

  atom(ctx: Ctx): Expr {
    const number = tokens(ctx, 'number')[0];
    if (number) return this.indexed({ kind: 'number', value: Number(number.image), span: tokenSpan(number), text: number.image }, ctx);
    const [child] = [...nodes(ctx, 'nameOrCall'), ...nodes(ctx, 'parenthesized'), ...nodes(ctx, 'stack')];
    return this.indexed(this.visit(child!) as Expr, ctx);
  }

  nameOrCall(ctx: Ctx): Expr {
    const name = tokens(ctx, 'name')[0]!;
    const nameSpan = tokenSpan(name);
    const close = tokens(ctx, 'RParen')[0];
    if (!close) return { kind: 'name', name: name.image, span: nameSpan };
    const args: Expr[] = [];
    const keywords: Keyword[] = [];
    let lateArgument: Expr | undefined;
    // Each '=' follows the argument it names: a keyword argument is `name = value`.
    const equals = tokens(ctx, 'equals');
    const values = nodes(ctx, 'keywordValues');
    let next = 0;
    for (const a of nodes(ctx, 'args')) {
      const arg = this.visit(a) as Expr;
      const eq = equals[next];
      if (eq && eq.startOffset >= arg.span.end) {
        const following = nodes(ctx, 'args')[args.length + keywords.length + 1];
        const followingStart = following ? firstOffset(following) : Infinity;
        if (eq.startOffset < followingStart) {
          next++;
          const value = this.visit(values[next - 1]!) as { value: number | string; text: string; span: Span };
          // `f(x + 1 = 2)` or `f((axis) = 2)`: a keyword without a bare name, which the checker reports.
          const name = arg.kind === 'name' && firstOffset(a) === arg.span.start ? arg.name : '';
          keywords.push({ name, nameSpan: arg.span, value: value.value, valueSpan: value.span, text: value.text });
          continue;
        }
      }
      if (keywords.length > 0) lateArgument ??= arg;
      args.push(arg);
    }
    return {
      kind: 'call', callee: name.image, calleeSpan: nameSpan, args, keywords, span: join(nameSpan, tokenSpan(close)),
      ...(lateArgument ? { lateArgument } : {}),
    };
  }

  keywordValue(ctx: Ctx): SignedInteger | { value: string; text: string; span: Span } {
    const number = nodes(ctx, 'number')[0];
    if (number) return this.visit(number) as SignedInteger;
    const word = tokens(ctx, 'word')[0]!;
    return { value: word.image, text: word.image, span: tokenSpan(word) };
  }

  stack(ctx: Ctx): Expr {
    const elements = nodes(ctx, 'elements').map((n) => this.visit(n) as Expr);
    return { kind: 'stack', elements, span: join(tokenSpan(tokens(ctx, 'LBracket')[0]!), tokenSpan(tokens(ctx, 'RBracket')[0]!)) };
  }

  parenthesized(ctx: Ctx): Expr {
    return this.visit(nodes(ctx, 'inner')[0]!) as Expr;
  }
}

export const astBuilder = new AstBuilder();

export function buildStatement(cst: CstNode): Statement {
  return astBuilder.visit(cst) as Statement;
}
