import { describe, expect, it } from 'vitest';
import {
  defineDiagnostics, diagnosticFactory, formatDiagnostic, formatDiagnostics, LineIndex, printable, quoted, registeredCodes,
} from './index.js';

const TABLE = defineDiagnostics('test', {
  bad: { code: 'T001', severity: 'error', message: (what: string) => `bad ${quoted(what)}` },
  odd: { code: 'T002', severity: 'warning', message: () => 'odd' },
});
const make = diagnosticFactory(TABLE);

describe('LineIndex', () => {
  it('ends lines at \\n, \\r\\n and a lone \\r, and nowhere else', () => {
    const text = 'a\nb\r\nc\rd\u2028e';
    const lines = new LineIndex(text);
    expect(lines.lineCount).toBe(4);
    expect(lines.position(text.indexOf('b'))).toEqual({ line: 2, column: 1 });
    expect(lines.position(text.indexOf('c'))).toEqual({ line: 3, column: 1 });
    expect(lines.position(text.indexOf('e'))).toEqual({ line: 4, column: 3 });
    expect(text.slice(lines.lineStart(2), lines.lineEnd(2))).toBe('b');
    expect(text.slice(lines.lineStart(4), lines.lineEnd(4))).toBe('d\u2028e');
    expect(lines.position(text.length)).toEqual({ line: 4, column: 4 });
  });

  it('answers a position in logarithmic time: 200,000 lookups into a 200,000-line text', () => {
    const text = 'x = 1\n'.repeat(200_000);
    const started = performance.now();
    const lines = new LineIndex(text);
    let sum = 0;
    for (let i = 0; i < 200_000; i++) sum += lines.position(i * 6 + 2).column;
    expect(sum).toBe(3 * 200_000);
    expect(performance.now() - started).toBeLessThan(2000); // a scan per lookup takes minutes
  });
});

describe('printable and quoted', () => {
  it('escapes terminal controls, line separators and bidirectional overrides', () => {
    expect(printable('a\u001b[31mb\u0007')).toBe('a\\x1b[31mb\\x07');
    expect(printable('x\ny\rz\u2028\u2029')).toBe('x\\ny\\rz\\u2028\\u2029');
    expect(printable('abc\u202edcba')).toBe('abc\\u202edcba');
    expect(printable('\ud800 lone')).toBe('\\ud800 lone');
    expect(printable('é 😀 −')).toBe('é 😀 −'); // printable non-ASCII stays as it is
    expect(printable('a\tb')).toBe('a\\tb');
    expect(printable('a\tb', { keepTabs: true })).toBe('a\tb');
  });

  it('shortens long quoted text', () => {
    expect(quoted('x'.repeat(30_000))).toBe(`'${'x'.repeat(37)}...'`);
    expect(quoted('w1')).toBe("'w1'");
  });
});

describe('formatDiagnostic', () => {
  it('prints the code, the line and a caret, and each note with its own line', () => {
    const source = 'param a\nz = (a + 1\n';
    const d = { ...make('bad', { start: 18, end: 18 }, 'x'), notes: [{ message: 'opened here', span: { start: 12, end: 13 } }] };
    expect(formatDiagnostic(d, 'f.txt', source)).toBe([
      "f.txt:2:11: error[T001]: bad 'x'",
      '  2 | z = (a + 1',
      '    |           ^',
      'f.txt:2:5: note: opened here',
      '  2 | z = (a + 1',
      '    |     ^',
    ].join('\n'));
  });

  it('shows control characters in the source line escaped, with the caret under the escape', () => {
    const source = 'z = \u001b[2J + $';
    const text = formatDiagnostic(make('bad', { start: 11, end: 12 }, '$'), 'f\u001b.txt', source);
    expect(text).not.toMatch(/\u001b/);
    const [, line, caret] = text.split('\n');
    expect(line).toBe('  1 | z = \\x1b[2J + $');
    expect(caret!.indexOf('^')).toBe(line!.indexOf('$'));
  });

  it('windows a very long line around the fault', () => {
    const source = `${'a'.repeat(100_000)} $ ${'b'.repeat(100_000)}`;
    const text = formatDiagnostic(make('bad', { start: 100_001, end: 100_002 }, '$'), 'f', source);
    const [, line, caret] = text.split('\n');
    expect(line!.length).toBeLessThan(100);
    expect(line![caret!.indexOf('^')]).toBe('$');
  });
});

describe('formatDiagnostics', () => {
  it('shows the first 50 of a code and counts the rest', () => {
    const source = 'x\n'.repeat(100_000);
    const many = Array.from({ length: 100_000 }, (_, i) => make('odd', { start: 2 * i, end: 2 * i + 1 }));
    const started = performance.now();
    const out = formatDiagnostics([make('bad', { start: 0, end: 1 }, 'x'), ...many], 'f', source);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(out).toHaveLength(52);
    expect(out.at(-1)).toBe('f: ... and 99,950 more warnings like this [T002]');
  });
});

describe('the registry', () => {
  it('refuses a code that another row already uses', () => {
    expect(() => defineDiagnostics('other', { again: { code: 'T001', severity: 'error', message: () => '' } }))
      .toThrow(/T001 is used by both test.bad and other.again/);
    expect(registeredCodes().get('T002')).toBe('test.odd');
  });
});
