/** Tokens of the language, grouped by precedence class with token categories. */
import { LINE_END } from '@autodiff/diagnostics';
import { createToken, Lexer, type TokenType } from 'chevrotain';

// A line ends at \n, \r\n or a lone \r (LINE_END), as in every position the
// diagnostics give. U+FEFF is white space, as in JavaScript (a BOM).
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\uFEFF]+/, group: Lexer.SKIPPED });
/** A comment runs to the end of the line; any other character may be in it. */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n\r]*/, group: Lexer.SKIPPED });
export const Newline = createToken({ name: 'Newline', pattern: new RegExp(LINE_END), line_breaks: true });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });

export const AdditiveOp = createToken({ name: 'AdditiveOp', pattern: Lexer.NA });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, categories: AdditiveOp });
export const Minus = createToken({ name: 'Minus', pattern: /-/, categories: AdditiveOp });

export const PowerOp = createToken({ name: 'PowerOp', pattern: Lexer.NA });
export const StarStar = createToken({ name: 'StarStar', pattern: /\*\*/, categories: PowerOp });
export const Caret = createToken({ name: 'Caret', pattern: /\^/, categories: PowerOp });

export const MultiplicativeOp = createToken({ name: 'MultiplicativeOp', pattern: Lexer.NA });
export const Star = createToken({ name: 'Star', pattern: /\*/, categories: MultiplicativeOp });
export const Slash = createToken({ name: 'Slash', pattern: /\//, categories: MultiplicativeOp });
export const At = createToken({ name: 'At', pattern: /@/, categories: MultiplicativeOp });

// Unambiguous (the digits after the point only follow a point): `\d+\.?\d*` splits a run of digits
// between its two `\d` in every way before failing, quadratic in the run's length.
const DIGITS = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
/** A number with an exponent marker but no exponent digits (`1e`, `2.5e+`), or a second point (`1.2.3`). */
export const BadNumber = createToken({
  name: 'BadNumber',
  pattern: new RegExp(String.raw`${DIGITS}[eE](?![+-]?\d)[+-]?|\d*\.\d*\.[\d.]*`),
});
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: new RegExp(String.raw`${DIGITS}(?:[eE][+-]?\d+)?`) });
export const Name = createToken({ name: 'Name', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
/** Anything else: reported as an illegal character rather than stopping the lexer. */
export const Illegal = createToken({ name: 'Illegal', pattern: /[\ud800-\udbff][\udc00-\udfff]|[^]/ });

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace, Comment, Newline, Semicolon, Comma, LParen, RParen, LBracket, RBracket, Colon, Equals,
  AdditiveOp, Plus, Minus, PowerOp, StarStar, Caret, MultiplicativeOp, Star, Slash, At,
  BadNumber, NumberLiteral, Name, Illegal,
];

/**
 * The lexer. Its validations cost start-up time on every run (like the
 * grammar's); a test builds it with them on, so a token mistake still fails.
 */
export function createLexer(validate = false): Lexer {
  return new Lexer(ALL_TOKENS, { ensureOptimizations: false, positionTracking: 'onlyOffset', skipValidations: !validate });
}

export const lexer = createLexer();
