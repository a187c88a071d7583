/**
 * Source text -> AST. The token stream is cut into statements first (a newline
 * inside parentheses does not end one), and each statement is parsed on its
 * own: that is the error recovery, so every broken statement in a file gets
 * its own diagnostic.
 */
import type { IToken, IRecognitionException } from 'chevrotain';
import type { Program, Span, Statement } from './ast.js';
import { buildStatement } from './ast-builder.js';
import { bySpan, diagnostic, NOTES, quoted, type Diagnostic } from './diagnostics.js';
import { EXPECTED, parser } from './grammar.js';
import { BadNumber, Comma, Equals, Illegal, LBracket, LParen, lexer, Name, Newline, NumberLiteral, RBracket, RParen, Semicolon } from './lexer.js';

/**
 * Deepest parenthesis nesting accepted. The parser recurses per level, so a
 * limit turns 100,000 '(' into a clear error instead of a stack overflow.
 */
export const MAX_NESTING = 200;

/**
 * The largest program read, in characters and in tokens. Compile time and
 * memory grow linearly with the size of a program, and these keep the largest
 * one in seconds and well inside a JavaScript string's limit for the module.
 */
export const MAX_SOURCE_LENGTH = 8 * 1024 * 1024;
export const MAX_TOKENS = 2_000_000;

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

interface RawStatement {
  tokens: IToken[];
  /** The newline or ';' that ended it; undefined at end of input. */
  terminator: IToken | undefined;
  broken: boolean;
}

// The lexer tracks start offsets only (less memory per token); a token's end follows from its text.
const span = (t: IToken) => ({ start: t.startOffset, end: t.startOffset + t.image.length });

function describe(t: IToken | undefined, terminator: IToken | undefined): string {
  if (!t || t.tokenType.name === 'EOF') {
    if (!terminator) return 'end of input';
    return terminator.tokenType === Newline ? 'end of line' : "';'";
  }
  return quoted(t.image);
}

/** Tokens that end an operand, and tokens that begin one without continuing the line before. */
const ENDS_OPERAND = new Set([Name, NumberLiteral, RParen, RBracket]);
const BEGINS_OPERAND = new Set([Name, NumberLiteral]);

/**
 * Inside an open bracket, a line after a newline begins a new statement when it
 * plainly does: `name =` (unless it continues a call's argument list,
 * `sum(A,\n axis=1)`: the line before ends in ',' or '('), a declaration, or
 * an operand right after a line that ended in one (`param W: [2, 3` then
 * `sum(W)`: two operands in a row cannot be one statement).
 */
function startsStatement(all: IToken[], i: number): boolean {
  const [first, second] = [all[i], all[i + 1]];
  if (!first) return false;
  let before = i - 1;
  while (before >= 0 && all[before]!.tokenType === Newline) before--;
  const previous = all[before]?.tokenType;
  if (previous !== undefined && ENDS_OPERAND.has(previous) && BEGINS_OPERAND.has(first.tokenType)) return true;
  if (first.tokenType !== Name || !second) return false;
  if (second.tokenType === Equals && (previous === Comma || previous === LParen)) return false;
  if (second.tokenType === Equals) return true;
  return (first.image === 'param' || first.image === 'input') && second.tokenType === Name;
}

/** Cut tokens into statements; report lexical and parenthesis errors on the way. */
function splitStatements(all: IToken[], source: string, diagnostics: Diagnostic[]): RawStatement[] {
  const statements: RawStatement[] = [];
  let current: RawStatement = { tokens: [], terminator: undefined, broken: false };
  let open: IToken[] = [];
  let reportedDepth = false;
  /** `next`: the first token of the statement a newline ends this one before, if any. */
  const finish = (terminator: IToken | undefined, next?: IToken) => {
    const innermost = open[open.length - 1];
    if (innermost) {
      // Reported where the ')' is missing, with a note at the '(' (spec, Errors).
      const [at, found]: [Span, string] = next
        ? [span(next), 'this new statement']
        : terminator?.tokenType === Semicolon
          ? [span(terminator), "';'"]
          : [{ start: source.length, end: source.length }, 'the end of input'];
      const [opener, closer] = innermost.tokenType === LBracket ? ['[', ']'] : ['(', ')'];
      diagnostics.push({ ...diagnostic('unclosedParen', at, found, opener, closer), notes: [{ message: NOTES.openedHere(opener), span: span(innermost) }] });
      current.broken = true;
    }
    current.terminator = terminator;
    if (current.tokens.length > 0) statements.push(current);
    current = { tokens: [], terminator: undefined, broken: false };
    open = [];
    reportedDepth = false;
  };
  for (let i = 0; i < all.length; i++) {
    const t = all[i]!;
    if (t.tokenType === Newline) {
      // Inside parentheses a newline continues the statement, unless the next
      // line plainly starts a new one (`name =` or a declaration): then a '('
      // was left open, and the statements after it still get checked.
      if (open.length === 0) finish(t);
      else if (startsStatement(all, i + 1)) finish(t, all[i + 1]);
      continue;
    }
    if (t.tokenType === Semicolon) {
      finish(t);
      continue;
    }
    if (t.tokenType === Illegal) {
      // One diagnostic for a run of adjacent illegal characters.
      let end = i;
      while (all[end + 1]?.tokenType === Illegal && all[end + 1]!.startOffset === span(all[end]!).end) end++;
      const text = all.slice(i, end + 1).map((x) => x.image).join('');
      diagnostics.push(diagnostic('illegalCharacter', { start: t.startOffset, end: span(all[end]!).end }, text));
      current.broken = true;
      i = end;
      continue;
    }
    if (t.tokenType === BadNumber) {
      diagnostics.push(diagnostic('badNumber', span(t), t.image));
      current.broken = true;
    } else if (t.tokenType === LParen || t.tokenType === LBracket) {
      open.push(t);
      if (open.length > MAX_NESTING && !reportedDepth) {
        diagnostics.push(diagnostic('tooDeep', span(t), MAX_NESTING));
        current.broken = true;
        reportedDepth = true;
      }
    } else if (t.tokenType === RParen || t.tokenType === RBracket) {
      const [opener, closer] = t.tokenType === RBracket ? ['[', ']'] : ['(', ')'];
      const innermost = open[open.length - 1];
      if (innermost === undefined) {
        diagnostics.push(diagnostic('strayParen', span(t), opener, closer));
        current.broken = true;
      } else if ((innermost.tokenType === LBracket) !== (t.tokenType === RBracket)) {
        const expected = innermost.tokenType === LBracket ? ']' : ')';
        diagnostics.push({
          ...diagnostic('unexpected', span(t), quoted(expected), quoted(t.image)),
          notes: [{ message: NOTES.openedHere(innermost.image), span: span(innermost) }],
        });
        current.broken = true;
        open.pop();
      } else {
        open.pop();
      }
    }
    current.tokens.push(t);
  }
  finish(undefined);
  return statements;
}

function syntaxError(e: IRecognitionException, raw: RawStatement, source: string): Diagnostic {
  const token = e.token.tokenType.name === 'EOF' ? undefined : e.token;
  const at = token ? span(token) : raw.terminator ? span(raw.terminator) : { start: source.length, end: source.length };
  const found = describe(token, raw.terminator);
  // The token before the fault (the last one when the fault is the end).
  const index = token ? raw.tokens.indexOf(token) : raw.tokens.length;
  const previous = index > 0 ? raw.tokens[index - 1] : undefined;
  const hasPrevious = previous !== undefined;
  // `2a`, `(a)(b)`, `2(a)`: a product written without its '*', anywhere in a statement.
  const juxtaposed = hasPrevious && token && (previous.tokenType === NumberLiteral || previous.tokenType === RParen || previous.tokenType === RBracket)
    && (token.tokenType === Name || token.tokenType === LParen || token.tokenType === NumberLiteral);
  if (juxtaposed) return diagnostic('unexpected', at, `an operator (write ${quoted(`${previous.image}*${token.image}`)} for a product)`, found);
  if (e.message.includes(EXPECTED.expression)) {
    return hasPrevious
      ? diagnostic('missingOperand', at, quoted(previous.image), found)
      : diagnostic('unexpected', at, EXPECTED.expression, found);
  }
  if (e.name === 'NotAllInputParsedException') return diagnostic('unexpected', at, 'an operator or the end of the statement', found);
  // A rule's own message, or an alternative's (Chevrotain writes it as "Expecting: ...\nbut found: ...").
  const alternative = /^Expecting: (.*)\nbut found/.exec(e.message)?.[1];
  const expected = Object.values(EXPECTED).find((text) => e.message === text || alternative === text) ?? 'something else';
  return diagnostic('unexpected', at, expected, found);
}

export function parse(source: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const statements: Statement[] = [];
  if (source.length > MAX_SOURCE_LENGTH) {
    const at = { start: MAX_SOURCE_LENGTH, end: MAX_SOURCE_LENGTH };
    return { program: { statements }, diagnostics: [diagnostic('sourceTooLong', at, source.length, MAX_SOURCE_LENGTH)] };
  }
  const { tokens } = lexer.tokenize(source);
  if (tokens.length > MAX_TOKENS) {
    return { program: { statements }, diagnostics: [diagnostic('tooManyTokens', span(tokens[MAX_TOKENS]!), MAX_TOKENS)] };
  }
  for (const raw of splitStatements(tokens, source, diagnostics)) {
    if (raw.broken) continue;
    parser.input = raw.tokens;
    const cst = parser.statement();
    const [error] = parser.errors;
    if (error) {
      diagnostics.push(syntaxError(error, raw, source));
      continue;
    }
    statements.push(buildStatement(cst));
  }
  return { program: { statements }, diagnostics: bySpan(diagnostics) };
}
