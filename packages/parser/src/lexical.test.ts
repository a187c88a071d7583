/** Line ends, white space, illegal characters and the size limits: what the lexer and the statement splitter agree on. */
import { describe, expect, it } from 'vitest';
import { analyze } from './check.js';
import { LineIndex } from './diagnostics.js';
import { MAX_SOURCE_LENGTH, MAX_TOKENS, parse } from './parse.js';

const messages = (source: string) => analyze(source).diagnostics.map((d) => `${d.code} ${d.message}`);
const positions = (source: string) => {
  const lines = new LineIndex(source);
  return analyze(source).diagnostics.map((d) => {
    const { line, column } = lines.position(d.span.start);
    return `${d.code}@${line}:${column}`;
  });
};

describe('line ends: \\n, \\r\\n and a lone \\r', () => {
  it('each ends a statement, and a comment', () => {
    for (const end of ['\n', '\r\n', '\r']) {
      const { checked, diagnostics } = analyze(`param a${end}b = a * 2 # two a's${end}b + 1${end}`);
      expect(diagnostics, JSON.stringify(end)).toEqual([]);
      expect(checked!.program.statements.map((s) => s.kind)).toEqual(['declare', 'bind', 'expr']);
    }
  });

  it('a lone \\r inside parentheses continues the statement, as a newline does', () => {
    expect(analyze('param a, b, c\nz = (a\n+\r b\n)*c\n').diagnostics).toEqual([]);
  });

  it('positions count a lone \\r as a line end', () => {
    expect(positions('param a\ry = a +\r')).toEqual(['E006@2:8']);
  });
});

describe('other characters', () => {
  it('U+2028 and U+2029 may stand in a comment, and are illegal anywhere else', () => {
    expect(analyze('x^2 # a\u2028b\u2029c\n').diagnostics).toEqual([]);
    expect(messages('y = 1 +\u2028 x')).toEqual(["E001 illegal character '\\u2028' (a Unicode line separator): end a line with a newline"]);
  });

  it('a byte order mark is white space', () => {
    expect(analyze('\uFEFFparam a\na^2\n').diagnostics).toEqual([]);
  });

  it('an illegal character says what it is, and suggests the operator it looks like', () => {
    expect(messages('y = 1 > 2')).toEqual(["E001 illegal character '>': not part of the language (operators are + - * / ^ ** @)"]);
    expect(messages('y = 1 \u2212 x')).toEqual(["E001 illegal character '\u2212' (U+2212): did you mean '-'?"]);
    expect(messages('y = 2 \u00d7 x')).toEqual(["E001 illegal character '\u00d7' (U+00D7): did you mean '*'?"]);
    expect(messages('y = \u00e9')).toEqual(["E001 illegal character '\u00e9' (U+00E9): names and operators are ASCII only"]);
    expect(messages('y = 1 \u001b')).toEqual(["E001 illegal character '\\x1b' (a control character)"]);
  });

  it('a run of one illegal character is one diagnostic, quoted short', () => {
    const [message] = messages(`y = ${'$'.repeat(200_000)}`);
    expect(message).toBe(`E001 illegal characters '${'$'.repeat(37)}...': not part of the language (operators are + - * / ^ ** @)`);
  });
});

describe('syntax hints', () => {
  it("'write 2*a for a product' inside parentheses and calls too", () => {
    expect(messages('param a, b\nz = tanh(2a + b)')).toEqual(["E003 expected an operator (write '2*a' for a product), found 'a'"]);
    expect(messages('param a, b\nz = (b + 3(a))')).toEqual(["E003 expected an operator (write '3*(' for a product), found '('"]);
  });

  it('an unclosed ( is reported where the ) is missing, with a note at the (', () => {
    const at = (source: string) => {
      const [d] = analyze(source).diagnostics;
      const lines = new LineIndex(source);
      const where = (offset: number) => Object.values(lines.position(offset)).join(':');
      return [d!.code, where(d!.span.start), d!.notes!.map((n) => `${n.message} @${where(n.span.start)}`)];
    };
    expect(at('param a\nz = (a + 1\n')).toEqual(['E004', '3:1', ["the '(' is opened here @2:5"]]);
    expect(at('param a\nz = (a + (1\nq = 2\nq')).toEqual(['E004', '3:1', ["the '(' is opened here @2:10"]]);
    expect(at('param a\nz = (a + 1; z')).toEqual(['E004', '2:11', ["the '(' is opened here @2:5"]]);
  });
});

describe('size limits', () => {
  it('a source longer than the limit is one error, before any lexing', () => {
    const started = performance.now();
    const [d] = parse(' '.repeat(MAX_SOURCE_LENGTH + 1)).diagnostics;
    expect(d!.code).toBe('E009');
    expect(d!.message).toMatch(/the program is too large: 8,388,609 characters, the limit is 8,388,608/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('more tokens than the limit is one error at the first token past it', () => {
    const source = 'a+'.repeat(MAX_TOKENS / 2 + 1);
    const { diagnostics } = parse(source);
    expect(diagnostics.map((d) => [d.code, d.span.start])).toEqual([['E008', MAX_TOKENS]]);
  });
});
