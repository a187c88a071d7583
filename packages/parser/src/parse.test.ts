import { describe, expect, it } from 'vitest';
import { foldExpr, type Expr } from './ast.js';
import { analyze } from './check.js';
import { ExpressionParser } from './grammar.js';
import { createLexer } from './lexer.js';
import { parse } from './parse.js';

/** Fully parenthesised text of an expression: shows exactly how it was grouped. */
function grouped(e: Expr): string {
  return foldExpr<string>(e, (node, args) => {
    switch (node.kind) {
      case 'number': return String(node.value);
      case 'name': return node.name;
      case 'unary': return `(${node.op}${args[0]})`;
      case 'binary': return `(${args[0]} ${node.op} ${args[1]})`;
      case 'call': return `${node.callee}(${[...args, ...node.keywords.map((k) => `${k.name}=${k.value}`)].join(', ')})`;
      case 'index': {
        const entries = node.entries.map((x) => (x.kind === 'at' ? String(x.index) : `${x.start ?? ''}:${x.end ?? ''}`));
        return `${args[0]}[${entries.join(', ')}]`;
      }
      case 'stack': return `[${args.join(', ')}]`;
    }
  });
}

function expressionOf(source: string): string {
  const { program, diagnostics } = parse(source);
  expect(diagnostics).toEqual([]);
  const last = program.statements[program.statements.length - 1]!;
  expect(last.kind).not.toBe('declare');
  return grouped((last as { value: Expr }).value);
}

describe('the grammar', () => {
  it("passes Chevrotain's validations (skipped at run time for start-up speed)", () => {
    expect(() => new ExpressionParser(true)).not.toThrow();
    expect(createLexer(true).lexerDefinitionErrors).toEqual([]);
  });
});

describe('precedence and associativity (spec/language.md)', () => {
  const table: [string, string][] = [
    ['a + b * c', '(a + (b * c))'],
    ['a - b - c', '((a - b) - c)'],
    ['a / b / c', '((a / b) / c)'],
    ['2^3^2', '(2 ^ (3 ^ 2))'],
    ['2**3**2', '(2 ^ (3 ^ 2))'],
    ['-x^2', '(-(x ^ 2))'],
    ['x^-1', '(x ^ (-1))'],
    ['x^-y^2', '(x ^ (-(y ^ 2)))'],
    ['-x * y', '((-x) * y)'],
    ['x * -y', '(x * (-y))'],
    ['--x', '(-(-x))'],
    ['+x - +y', '((+x) - (+y))'],
    ['a * b ^ c / d', '((a * (b ^ c)) / d)'],
    ['(a + b) * c', '((a + b) * c)'],
    ['f(a, b) + g(c)', '(f(a, b) + g(c))'],
    ['pow(x, 2) ^ 3', '(pow(x, 2) ^ 3)'],
    ['x ^ (-y) ^ 2', '(x ^ ((-y) ^ 2))'],
  ];
  for (const [source, expected] of table) {
    it(`${source}  =>  ${expected}`, () => expect(expressionOf(source)).toBe(expected));
  }
});

describe('lexical rules', () => {
  it('reads every number form of the spec', () => {
    expect(expressionOf('3 + 2.5 + .5 + 1. + 1e-3 + 1e+3 + 6.02E23')).toBe(
      '((((((3 + 2.5) + 0.5) + 1) + 0.001) + 1000) + 6.02e+23)');
  });
  it('ends statements at newlines and semicolons, not inside parentheses', () => {
    const { program, diagnostics } = parse('a = 1; b = (a +\n 2)\n;;\r\n\tc = b # comment\n');
    expect(diagnostics).toEqual([]);
    expect(program.statements.map((s) => s.kind)).toEqual(['bind', 'bind', 'bind']);
  });
  it('gives every node a span that covers its text', () => {
    const source = 'y = sin(x) * 2';
    const { program } = parse(source);
    const s = program.statements[0]!;
    expect(s.kind).toBe('bind');
    if (s.kind !== 'bind') return;
    expect(source.slice(s.value.span.start, s.value.span.end)).toBe('sin(x) * 2');
    expect(source.slice(s.target.span.start, s.target.span.end)).toBe('y');
  });
});

describe('semantic results', () => {
  it('without a param line, free variables are params in order of first appearance', () => {
    const { checked } = analyze('input d\nu = c * 2\nb * a + d\n');
    expect(checked!.params.map((p) => p.name)).toEqual(['c', 'b', 'a']);
    expect(checked!.inputs.map((p) => p.name)).toEqual(['d']);
  });
  it('several param lines concatenate', () => {
    const { checked } = analyze('param b\nparam a\na * b\n');
    expect(checked!.params.map((p) => p.name)).toEqual(['b', 'a']);
  });
  it('warns about an unused binding and does not fail', () => {
    const { checked, diagnostics } = analyze('param x\nt = log(-1)\nx * 2\n');
    expect(checked).toBeDefined();
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([['W201', 'warning']]);
  });
  it('reports every error class with its code', () => {
    const codes = (source: string) => analyze(source).diagnostics.map((d) => d.code);
    expect(codes('y = 2 $ x')).toEqual(['E001']);
    expect(codes('y = 1e+')).toEqual(['E002']);
    expect(codes('y = x +')).toEqual(['E006']);
    expect(codes('y = (x')).toEqual(['E004']);
    expect(codes('y = x)')).toEqual(['E005']);
    expect(codes(`y = ${'('.repeat(300)}x${')'.repeat(300)}`)).toEqual(['E007']);
    expect(codes('param a\nb = a + c\nb')).toEqual(['E107']);
    expect(codes('param weight\nweigth * 2')).toEqual(['E101']);
    expect(codes('sine(x)')).toEqual(['E102']);
    expect(codes('pow(x)')).toEqual(['E103']);
    expect(codes('a = x\na = 2\na')).toEqual(['E104']);
    expect(codes('param x\nx = 2\nx')).toEqual(['E105']);
    expect(codes('a = b\nb = 2\na')).toEqual(['E106']);
    expect(codes('pi = 3\npi')).toEqual(['E108']);
    expect(codes('# only a comment\n')).toEqual(['E109']);
    expect(codes('y = 2 * w\nparam w\ny')).toEqual(['E110']);
    expect(codes('x + 1\ny = 2')).toEqual(['E111']);
    expect(codes('param x\nx(2)')).toEqual(['E112']);
    expect(codes('sin * 2')).toEqual(['E113']);
    expect(codes('param x\nx\ninput y')).toEqual(['E111', 'E114']);
  });
  it('reports all errors of a file, in source order', () => {
    const lines = analyze('a = 1 +\nb = (2 * x\nc = 3 $ 4\nd = )\n').diagnostics.map((d) => d.code);
    expect(lines).toEqual(['E006', 'E004', 'E001', 'E005']);
  });
});
