/**
 * Every diagnostic the project reports is one row of this table: a stable
 * code and a message template. Golden tests pin the rendered text.
 */
import type { Span } from './ast.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
}

const q = (s: string) => `'${s}'`;

export const MESSAGES = {
  illegalCharacter: { code: 'E001', message: (ch: string) => `illegal character ${q(ch)}: names and operators are ASCII only` },
  badNumber: { code: 'E002', message: (text: string) => `malformed number ${q(text)}` },
  unexpected: { code: 'E003', message: (expected: string, found: string) => `expected ${expected}, found ${found}` },
  unclosedParen: { code: 'E004', message: () => `this '(' is never closed` },
  strayParen: { code: 'E005', message: () => `unmatched ')': no '(' is open here` },
  missingOperand: { code: 'E006', message: (after: string, found: string) => `expected an expression after ${after}, found ${found}` },
  tooDeep: { code: 'E007', message: (limit: number) => `expression nested too deeply: more than ${limit} levels of parentheses` },
  unknownName: { code: 'E101', message: (name: string, hint: string) => `unknown name ${q(name)}${hint}` },
  unknownFunction: { code: 'E102', message: (name: string, hint: string) => `unknown function ${q(name)}${hint}` },
  wrongArity: { code: 'E103', message: (name: string, want: number, got: number) =>
    `${q(name)} takes ${want} argument${want === 1 ? '' : 's'}, got ${got}` },
  boundTwice: { code: 'E104', message: (name: string, where: string) => `${q(name)} is already bound (at ${where}); a name is bound once` },
  declaredTwice: { code: 'E104', message: (name: string, where: string) => `${q(name)} is already declared (at ${where})` },
  shadowsDeclared: { code: 'E105', message: (name: string, kind: string, where: string) =>
    `cannot bind ${q(name)}: it is declared as ${kind === 'param' ? 'a param' : 'an input'} (at ${where})` },
  usedBeforeBound: { code: 'E106', message: (name: string, where: string) => `${q(name)} is used before it is bound (at ${where})` },
  undeclared: { code: 'E107', message: (name: string, hint: string) =>
    `${q(name)} is not declared: with a param line, every variable must be declared as param or input${hint}` },
  reserved: { code: 'E108', message: (name: string) => `${q(name)} is reserved and cannot be used as a name` },
  emptyProgram: { code: 'E109', message: () => `the program has no output: write an expression (the last statement is the output)` },
  declaredAfterUse: { code: 'E110', message: (name: string, where: string) =>
    `${q(name)} is used before its declaration (at ${where}); declare it before its first use` },
  bareExpression: { code: 'E111', message: () =>
    `a bare expression may only be the last statement; bind it to a name (name = ...) or remove it` },
  notAFunction: { code: 'E112', message: (name: string) => `${q(name)} is not a function` },
  functionAsValue: { code: 'E113', message: (name: string) => `${q(name)} is a function; call it, e.g. ${name}(x)` },
  lastIsDeclaration: { code: 'E114', message: () => `the last statement must give the output (an expression or a binding), not a declaration` },
  // Command-line values (`--at`, `--params`): reported against the file.
  missingValue: { code: 'E201', message: (kind: string, name: string) => `no value given for ${kind} ${q(name)} (add ${name}=... to --at)` },
  unknownValue: { code: 'E202', message: (name: string, known: string) => `--at names ${q(name)}, which is not a param or input of this file (it has: ${known})` },
  badValue: { code: 'E203', message: (text: string) => `--at value ${q(text)} is not a number` },
  duplicateValue: { code: 'E204', message: (name: string) => `--at gives ${q(name)} more than once` },
  unreadableFile: { code: 'E205', message: (reason: string) => `cannot read file: ${reason}` },
  unusedBinding: { code: 'W201', message: (name: string) => `${q(name)} is bound but never used by the output; it is not evaluated` },
  implicitParamNearMiss: { code: 'W202', message: (name: string, near: string) =>
    `${q(name)} is not bound or declared, so it becomes a parameter; did you mean ${q(near)}?` },
} as const;

type Table = typeof MESSAGES;

export function diagnostic<K extends keyof Table>(
  kind: K,
  span: Span,
  ...args: Parameters<Table[K]['message']>
): Diagnostic {
  const row = MESSAGES[kind];
  const message = (row.message as (...a: unknown[]) => string)(...args);
  return { code: row.code, severity: row.code.startsWith('W') ? 'warning' : 'error', message, span };
}

/** 1-based line and column of a character offset. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export function formatPosition(source: string, offset: number): string {
  const { line, column } = lineColumn(source, offset);
  return `${line}:${column}`;
}

const MAX_SHOWN = 80;

/**
 * `file:line:col: error: message`, then the source line and a caret under the
 * fault (tildes under the rest of the span on that line), as the spec shows.
 */
export function formatDiagnostic(d: Diagnostic, file: string, source: string): string {
  const { line, column } = lineColumn(source, d.span.start);
  const lineStart = d.span.start - (column - 1);
  let lineEnd = source.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = source.length;
  let text = source.slice(lineStart, lineEnd).replace(/\r$/, '');
  let caretAt = column - 1;
  // Very long lines are shown as a window around the fault.
  if (text.length > MAX_SHOWN) {
    const from = Math.max(0, caretAt - MAX_SHOWN / 2);
    const to = Math.min(text.length, from + MAX_SHOWN);
    text = (from > 0 ? '...' : '') + text.slice(from, to) + (to < text.length ? '...' : '');
    caretAt = caretAt - from + (from > 0 ? 3 : 0);
  }
  const gutter = String(line);
  // Copy tabs from the source so the caret lines up however tabs are shown.
  const pad = text.slice(0, caretAt).replace(/[^\t]/g, ' ');
  const width = Math.max(1, Math.min(d.span.end, lineEnd, lineStart + column - 1 + MAX_SHOWN / 2) - d.span.start);
  return [
    `${file}:${line}:${column}: ${d.severity}: ${d.message}`,
    `  ${gutter} | ${text}`,
    `  ${' '.repeat(gutter.length)} | ${pad}^${'~'.repeat(width - 1)}`,
  ].join('\n');
}
