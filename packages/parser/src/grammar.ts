/**
 * The grammar: one rule per precedence level, loosest first. Rules only
 * recognise structure; meaning is built by the CST visitor in ast-builder.ts.
 * Each chain (a+b+c, a^b^c, ---a) is a flat list in the CST, so only
 * parentheses make the parser recurse.
 */
import { CstParser, type IToken } from 'chevrotain';
import {
  ALL_TOKENS, AdditiveOp, Comma, Equals, LParen, MultiplicativeOp, Name, NumberLiteral, PowerOp, RParen,
} from './lexer.js';

/** Texts the error mapper turns into "expected ..." messages. */
export const EXPECTED = {
  name: 'a name',
  closeParen: "')'",
  expression: 'an expression',
} as const;

const isKeyword = (t: IToken) => t.tokenType === Name && (t.image === 'param' || t.image === 'input');

export class ExpressionParser extends CstParser {
  /**
   * Chevrotain's grammar validations cost start-up time on every run; a test
   * builds the parser with `validate` on, so a grammar mistake still fails.
   */
  constructor(validate = false) {
    super(ALL_TOKENS, { nodeLocationTracking: 'none', recoveryEnabled: false, maxLookahead: 3, skipValidations: !validate });
    this.performSelfAnalysis();
  }

  /** One statement: the token list given to the parser holds exactly one. */
  public statement = this.RULE('statement', () => {
    this.OR([
      // `param a, b` (but `param = 1` is a binding of a reserved word, reported later)
      { GATE: () => isKeyword(this.LA(1)) && this.LA(2).tokenType !== Equals, ALT: () => this.SUBRULE(this.declaration) },
      { GATE: () => this.LA(2).tokenType === Equals, ALT: () => this.SUBRULE(this.binding) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
  });

  private declaration = this.RULE('declaration', () => {
    this.CONSUME(Name, { LABEL: 'keyword' });
    this.CONSUME2(Name, { LABEL: 'names', ERR_MSG: EXPECTED.name });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME3(Name, { LABEL: 'names', ERR_MSG: EXPECTED.name });
    });
  });

  private binding = this.RULE('binding', () => {
    this.CONSUME(Name, { LABEL: 'target' });
    this.CONSUME(Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  public expression = this.RULE('expression', () => {
    this.SUBRULE(this.multiplicative, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(AdditiveOp, { LABEL: 'operators' });
      this.SUBRULE2(this.multiplicative, { LABEL: 'operands' });
    });
  });

  private multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(MultiplicativeOp, { LABEL: 'operators' });
      this.SUBRULE2(this.unary, { LABEL: 'operands' });
    });
  });

  /** Signs bind looser than power: -x^2 is -(x^2). */
  private unary = this.RULE('unary', () => {
    this.MANY(() => this.CONSUME(AdditiveOp, { LABEL: 'signs' }));
    this.SUBRULE(this.power, { LABEL: 'operand' });
  });

  /** a ^ b ^ c, right-associative; each exponent may carry signs: x^-y^2 is x^(-(y^2)). */
  private power = this.RULE('power', () => {
    this.SUBRULE(this.atom, { LABEL: 'base' });
    this.MANY(() => {
      this.SUBRULE(this.exponent, { LABEL: 'exponents' });
    });
  });

  private exponent = this.RULE('exponent', () => {
    this.CONSUME(PowerOp, { LABEL: 'operator' });
    this.MANY(() => this.CONSUME(AdditiveOp, { LABEL: 'signs' }));
    this.SUBRULE(this.atom, { LABEL: 'operand' });
  });

  private atom = this.RULE('atom', () => {
    this.OR({
      DEF: [
        { ALT: () => this.CONSUME(NumberLiteral, { LABEL: 'number' }) },
        { ALT: () => this.SUBRULE(this.nameOrCall) },
        { ALT: () => this.SUBRULE(this.parenthesized) },
      ],
      ERR_MSG: EXPECTED.expression,
    });
  });

  private nameOrCall = this.RULE('nameOrCall', () => {
    this.CONSUME(Name, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.OPTION2(() => {
        this.SUBRULE(this.expression, { LABEL: 'args' });
        this.MANY(() => {
          this.CONSUME(Comma);
          this.SUBRULE2(this.expression, { LABEL: 'args' });
        });
      });
      this.CONSUME(RParen, { ERR_MSG: EXPECTED.closeParen });
    });
  });

  private parenthesized = this.RULE('parenthesized', () => {
    this.CONSUME(LParen);
    this.SUBRULE(this.expression, { LABEL: 'inner' });
    this.CONSUME(RParen, { ERR_MSG: EXPECTED.closeParen });
  });
}

/** One parser instance, reused (Chevrotain's recommendation: construction is costly). */
export const parser = new ExpressionParser();
