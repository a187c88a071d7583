/**
 * The source program's diagnostics: one row each, with a stable code, its
 * severity and a message template. Golden tests pin the rendered text.
 */
import { defineDiagnostics, diagnosticFactory, escapeCharacter, quoted as q } from '@autodiff/diagnostics';

export {
  bySpan, capPerCode, formatDiagnostic, formatDiagnostics, formatHeadline, LineIndex, MAX_SHOWN_PER_CODE, nameList, printable, quoted,
  type Diagnostic, type Note, type Severity,
} from '@autodiff/diagnostics';

/** Characters that look like an operator or a name of the language, and what to write instead. */
const LOOKALIKES: ReadonlyMap<string, string> = new Map([
  ['\u2212', '-'], ['\u2013', '-'], ['\u2014', '-'], ['\u2010', '-'], ['\u2011', '-'],
  ['\u00d7', '*'], ['\u00b7', '*'], ['\u22c5', '*'], ['\u2217', '*'], ['\u2219', '*'],
  ['\u00f7', '/'], ['\u2215', '/'], ['\u2044', '/'],
  ['\u00b2', '^2'], ['\u00b3', '^3'], ['\u03c0', 'pi'],
  ['\uff08', '('], ['\uff09', ')'], ['\uff0c', ','], ['\uff1d', '='], ['\uff0b', '+'],
]);

/** What is wrong with a run of characters the lexer cannot read, and what to do instead. */
function illegalCharacters(text: string): string {
  const first = String.fromCodePoint(text.codePointAt(0)!);
  const lookalike = LOOKALIKES.get(text);
  const shown = q(text);
  const code = `U+${first.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  if (lookalike !== undefined) return `illegal character ${shown} (${code}): did you mean '${lookalike}'?`;
  if (text === '\u2028' || text === '\u2029') {
    return `illegal character ${shown} (a Unicode ${text === '\u2028' ? 'line' : 'paragraph'} separator): end a line with a newline`;
  }
  if (/^[\x21-\x7e]+$/.test(text)) {
    return `${text.length === 1 ? 'illegal character' : 'illegal characters'} ${shown}: not part of the language (operators are + - * / ^ ** @)`;
  }
  if (/^[\x00-\x1f\x7f]/.test(text)) return `illegal character '${escapeCharacter(first)}' (a control character)`;
  return `illegal character ${shown} (${code}): names and operators are ASCII only`;
}

export const PARSER_DIAGNOSTICS = defineDiagnostics('parser', {
  illegalCharacter: { code: 'E001', severity: 'error', message: illegalCharacters },
  badNumber: { code: 'E002', severity: 'error', message: (text: string) => `malformed number ${q(text)}` },
  unexpected: { code: 'E003', severity: 'error', message: (expected: string, found: string) => `expected ${expected}, found ${found}` },
  unclosedParen: { code: 'E004', severity: 'error', message: (found: string, opener: string, closer: string) =>
    `expected '${closer}' before ${found}: a '${opener}' is never closed` },
  strayParen: { code: 'E005', severity: 'error', message: (opener: string, closer: string) => `unmatched '${closer}': no '${opener}' is open here` },
  missingOperand: { code: 'E006', severity: 'error', message: (after: string, found: string) =>
    `expected an expression after ${after}, found ${found}` },
  tooDeep: { code: 'E007', severity: 'error', message: (limit: number) =>
    `expression nested too deeply: more than ${limit} levels of parentheses and brackets` },
  tooManyTokens: { code: 'E008', severity: 'error', message: (limit: number) =>
    `the program is too large: it has more than ${limit.toLocaleString('en-US')} tokens (names, numbers, operators and line ends); `
    + `the rest of the file is not read` },
  sourceTooLong: { code: 'E009', severity: 'error', message: (length: number, limit: number) =>
    `the program is too large: ${length.toLocaleString('en-US')} characters, the limit is ${limit.toLocaleString('en-US')}` },
  unknownName: { code: 'E101', severity: 'error', message: (name: string, hint: string) => `unknown name ${q(name)}${hint}` },
  unknownFunction: { code: 'E102', severity: 'error', message: (name: string, hint: string) => `unknown function ${q(name)}${hint}` },
  wrongArity: { code: 'E103', severity: 'error', message: (name: string, want: string, got: number, one: boolean, hint: string) =>
    `${q(name)} takes ${want} argument${one ? '' : 's'}, got ${got}${hint}` },
  boundTwice: { code: 'E104', severity: 'error', message: (name: string, where: string) =>
    `${q(name)} is already bound (at ${where}); a name is bound once` },
  shadowsDeclared: { code: 'E105', severity: 'error', message: (name: string, kind: string, where: string) =>
    `cannot bind ${q(name)}: it is declared as ${kind === 'param' ? 'a param' : 'an input'} (at ${where})` },
  usedBeforeBound: { code: 'E106', severity: 'error', message: (name: string, where: string) =>
    `${q(name)} is used before it is bound (at ${where})` },
  undeclared: { code: 'E107', severity: 'error', message: (name: string, hint: string) =>
    `${q(name)} is not declared: with a param line, every variable must be declared as param or input${hint}` },
  reserved: { code: 'E108', severity: 'error', message: (name: string) => `${q(name)} is reserved and cannot be used as a name` },
  emptyProgram: { code: 'E109', severity: 'error', message: () =>
    `the program has no output: write an expression (the last statement is the output)` },
  declaredAfterUse: { code: 'E110', severity: 'error', message: (name: string, where: string) =>
    `${q(name)} is used before its declaration (at ${where}); declare it before its first use` },
  bareExpression: { code: 'E111', severity: 'error', message: () =>
    `a bare expression may only be the last statement; bind it to a name (name = ...) or remove it` },
  notAFunction: { code: 'E112', severity: 'error', message: (name: string) => `${q(name)} is not a function` },
  functionAsValue: { code: 'E113', severity: 'error', message: (name: string) => `${q(name)} is a function; call it, e.g. ${name}(x)` },
  lastIsDeclaration: { code: 'E114', severity: 'error', message: () =>
    `the last statement must give the output (an expression or a binding), not a declaration` },
  declaredTwice: { code: 'E115', severity: 'error', message: (name: string, where: string) => `${q(name)} is already declared (at ${where})` },
  shapeError: { code: 'E301', severity: 'error', message: (message: string) => message },
  axisError: { code: 'E307', severity: 'error', message: (message: string) => message },
  indexError: { code: 'E308', severity: 'error', message: (message: string) => message },
  argumentError: { code: 'E309', severity: 'error', message: (message: string) => message },
  stackError: { code: 'E310', severity: 'error', message: (message: string) => message },
  shapedOutput: { code: 'E302', severity: 'error', message: (shape: string) =>
    `the output has shape ${shape}, but only a scalar can be differentiated: reduce it with sum(...) or mean(...), or index it` },
  badDimension: { code: 'E303', severity: 'error', message: (text: string) =>
    `a dimension is a positive integer or a dimension name, not ${q(text)}` },
  paramDimensionName: { code: 'E304', severity: 'error', message: (name: string) =>
    `a param's shape has literal sizes only: ${q(name)} is a dimension name (only inputs may have them)` },
  dimensionAlsoVariable: { code: 'E305', severity: 'error', message: (name: string, where: string) =>
    `${q(name)} is a dimension name and a variable (at ${where}); dimension names live in their own namespace: rename one of them` },
  dimensionAsValue: { code: 'E306', severity: 'error', message: (name: string) =>
    `${q(name)} is a dimension name, not a value: dimension names cannot be used in expressions` },
  unusedBinding: { code: 'W201', severity: 'warning', message: (name: string) =>
    `${q(name)} is bound but never used by the output; it is not evaluated` },
  implicitParamNearMiss: { code: 'W202', severity: 'warning', message: (name: string, near: string) =>
    `${q(name)} is not bound or declared, so it becomes a parameter; did you mean ${q(near)}?` },
});

export const diagnostic = diagnosticFactory(PARSER_DIAGNOSTICS);

/** Notes attached to diagnostics (they carry no code of their own). */
export const NOTES = {
  openedHere: (opener: string) => `the '${opener}' is opened here`,
} as const;
