/**
 * The grammar: one rule per precedence level, loosest first. Rules only
 * recognise structure; meaning is built by the CST visitor in ast-builder.ts.
 * Each chain (a+b+c, a^b^c, ---a) is a flat list in the CST, so only
 * parentheses make the parser recurse.
 */
import { CstParser, type IToken } from 'chevrotain';
import {
  ALL_TOKENS, AdditiveOp, Colon, Comma, Equals, LBracket, LParen, MultiplicativeOp, Name, NumberLiteral, PowerOp, RBracket, RParen,
} from './lexer.js';

/** Texts the error mapper turns into "expected ..." messages. */
export const EXPECTED = {
  name: 'a name',
  closeParen: "')'",
  closeBracket: "']'",
  dimension: 'a dimension (a size or a dimension name)',
  keywordValue: 'an integer literal or true/false (one axis per call: axis=0)',
  indexEntry: "an index: an integer literal, ':' or a slice i:j (indices are literals, not names)",
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
    this.SUBRULE(this.declared, { LABEL: 'names' });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.declared, { LABEL: 'names' });
    });
  });

  /** `W` or `W: [2, 16]` (an empty `[]` is a scalar). */
  private declared = this.RULE('declared', () => {
    this.CONSUME(Name, { LABEL: 'name', ERR_MSG: EXPECTED.name });
    this.OPTION(() => {
      this.CONSUME(Colon);
      this.CONSUME(LBracket);
      this.OPTION2(() => {
        this.SUBRULE(this.dimension, { LABEL: 'dims' });
        this.MANY(() => {
          this.CONSUME(Comma);
          this.SUBRULE2(this.dimension, { LABEL: 'dims' });
        });
      });
      this.CONSUME(RBracket, { ERR_MSG: EXPECTED.closeBracket });
    });
  });

  private dimension = this.RULE('dimension', () => {
    this.OR({
      DEF: [
        { ALT: () => this.CONSUME(NumberLiteral, { LABEL: 'size' }) },
        { ALT: () => this.CONSUME(Name, { LABEL: 'name' }) },
      ],
      ERR_MSG: EXPECTED.dimension,
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

  private indexing = this.RULE('indexing', () => {
    this.CONSUME(LBracket);
    this.SUBRULE(this.indexEntry, { LABEL: 'entries' });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.indexEntry, { LABEL: 'entries' });
    });
    this.CONSUME(RBracket, { ERR_MSG: EXPECTED.closeBracket });
  });

  /** `i`, `:`, `i:`, `:j`, `i:j`; each bound an integer literal that may carry a '-'. */
  private indexEntry = this.RULE('indexEntry', () => {
    this.OR({
      DEF: [
        {
          ALT: () => {
            this.SUBRULE(this.signedInteger, { LABEL: 'start' });
            this.OPTION(() => {
              this.CONSUME(Colon, { LABEL: 'colon' });
              this.OPTION2(() => this.SUBRULE2(this.signedInteger, { LABEL: 'end' }));
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME2(Colon, { LABEL: 'colon' });
            this.OPTION3(() => this.SUBRULE3(this.signedInteger, { LABEL: 'end' }));
          },
        },
      ],
      ERR_MSG: EXPECTED.indexEntry,
    });
  });

  private signedInteger = this.RULE('signedInteger', () => {
    this.OPTION(() => this.CONSUME(AdditiveOp, { LABEL: 'sign' }));
    this.CONSUME(NumberLiteral, { LABEL: 'number', ERR_MSG: EXPECTED.indexEntry });
  });

  /**
   * An atom and its indexing: `x[0]`, `W[1:3, -1]`, `x[0][1]` (indexing binds
   * tighter than '^'). One rule for both: every rule on the way from one '('
   * to the next costs stack, and nesting 200 deep must parse.
   */
  private atom = this.RULE('atom', () => {
    this.OR({
      DEF: [
        { ALT: () => this.CONSUME(NumberLiteral, { LABEL: 'number' }) },
        { ALT: () => this.SUBRULE(this.nameOrCall) },
        { ALT: () => this.SUBRULE(this.parenthesized) },
        { ALT: () => this.SUBRULE(this.stack) },
      ],
      ERR_MSG: EXPECTED.expression,
    });
    this.MANY(() => this.SUBRULE(this.indexing, { LABEL: 'indexings' }));
  });

  private nameOrCall = this.RULE('nameOrCall', () => {
    this.CONSUME(Name, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(LParen);
      // Positional arguments are expressions; a keyword one is a name, '=' and its value
      // (`axis=1`, `keepdims=true`): the AST builder pairs each '=' with the name before it,
      // and the order is checked later. No rule per argument: every rule on the way from
      // one '(' to the next costs stack, and nesting 200 deep must parse.
      this.OPTION2(() => {
        this.SUBRULE(this.expression, { LABEL: 'args' });
        this.OPTION3(() => {
          this.CONSUME(Equals, { LABEL: 'equals' });
          this.SUBRULE(this.keywordValue, { LABEL: 'keywordValues' });
        });
        this.MANY(() => {
          this.CONSUME(Comma);
          this.SUBRULE2(this.expression, { LABEL: 'args' });
          this.OPTION4(() => {
            this.CONSUME2(Equals, { LABEL: 'equals' });
            this.SUBRULE2(this.keywordValue, { LABEL: 'keywordValues' });
          });
        });
      });
      this.CONSUME(RParen, { ERR_MSG: EXPECTED.closeParen });
    });
  });

  private keywordValue = this.RULE('keywordValue', () => {
    this.OR({
      DEF: [
        { ALT: () => this.SUBRULE(this.signedInteger, { LABEL: 'number' }) },
        { ALT: () => this.CONSUME(Name, { LABEL: 'word' }) },
      ],
      ERR_MSG: EXPECTED.keywordValue,
    });
  });

  /** `[a, b, c]`: a stack along a new first axis. */
  private stack = this.RULE('stack', () => {
    this.CONSUME(LBracket);
    this.SUBRULE(this.expression, { LABEL: 'elements' });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.expression, { LABEL: 'elements' });
    });
    this.CONSUME(RBracket, { ERR_MSG: EXPECTED.closeBracket });
  });

  private parenthesized = this.RULE('parenthesized', () => {
    this.CONSUME(LParen);
    this.SUBRULE(this.expression, { LABEL: 'inner' });
    this.CONSUME(RParen, { ERR_MSG: EXPECTED.closeParen });
  });
}

/** One parser instance, reused (Chevrotain's recommendation: construction is costly). */
export const parser = new ExpressionParser();
