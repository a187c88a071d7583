/**
 * Syntax highlighting for the expression language (spec/language.md) and, for
 * the generated-code view, a small TypeScript tokenizer. Both are stream
 * tokenizers: a line at a time, no grammar to keep in sync with the parser.
 */
import { HighlightStyle, StreamLanguage, syntaxHighlighting, type StringStream } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { SOURCE_FUNCTIONS } from '@autodiff/ir';

const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** After `param` or `input`, the names on the line are declarations. */
interface ExprState {
  declaring: boolean;
}

export const expressionLanguage = StreamLanguage.define<ExprState>({
  name: 'autodiff',
  startState: () => ({ declaring: false }),
  token(stream: StringStream, state: ExprState) {
    if (stream.sol()) state.declaring = false;
    if (stream.eatSpace()) return null;
    if (stream.match('#')) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match(NUMBER)) return 'number';
    const name = stream.match(NAME) as RegExpMatchArray | null;
    if (name) {
      const word = name[0];
      if (word === 'param' || word === 'input') {
        state.declaring = true;
        return 'keyword';
      }
      if (word === 'pi') return 'atom';
      if (state.declaring) return 'declaration';
      if (SOURCE_FUNCTIONS.has(word) && stream.match(/^\s*\(/, false)) return 'function';
      // `name =` (not `==`) binds a name.
      if (stream.match(/^\s*=(?!=)/, false)) return 'binding';
      return 'variableName';
    }
    if (stream.match('**') || stream.match(/^[-+*/^=]/)) return 'operator';
    if (stream.match(/^[(),;]/)) return 'punctuation';
    stream.next();
    return 'invalid';
  },
  tokenTable: {
    declaration: tags.definition(tags.variableName),
    binding: tags.definition(tags.propertyName),
    function: tags.function(tags.variableName),
  },
  languageData: { commentTokens: { line: '#' } },
});

const KEYWORDS = new Set(['export', 'const', 'let', 'function', 'return', 'interface', 'as', 'new', 'type', 'readonly',
  'if', 'else', 'for', 'of', 'in', 'true', 'false', 'null', 'undefined', 'number']);

/** Enough TypeScript for generated modules: comments, strings, numbers, keywords, names. */
export const typescriptLanguage = StreamLanguage.define<{ inComment: boolean }>({
  name: 'typescript',
  startState: () => ({ inComment: false }),
  token(stream, state) {
    if (state.inComment) {
      if (stream.skipTo('*/')) {
        stream.match('*/');
        state.inComment = false;
      } else stream.skipToEnd();
      return 'comment';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('//')) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match('/*')) {
      state.inComment = true;
      return 'comment';
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"/)) return 'string';
    if (stream.match(NUMBER)) return 'number';
    const name = stream.match(NAME) as RegExpMatchArray | null;
    if (name) {
      if (KEYWORDS.has(name[0])) return 'keyword';
      if (stream.match(/^\s*\(/, false)) return 'function';
      return 'variableName';
    }
    stream.next();
    return null;
  },
  tokenTable: { function: tags.function(tags.variableName) },
});

export const highlightStyle = syntaxHighlighting(HighlightStyle.define([
  { tag: tags.comment, color: '#6a737d', fontStyle: 'italic' },
  { tag: tags.keyword, color: '#b3186d', fontWeight: '600' },
  { tag: tags.number, color: '#0b7a75' },
  { tag: tags.atom, color: '#0b7a75', fontWeight: '600' },
  { tag: tags.string, color: '#0b7a75' },
  { tag: tags.operator, color: '#8a4b00' },
  { tag: tags.definition(tags.variableName), color: '#1f5fbf', fontWeight: '600' },
  { tag: tags.definition(tags.propertyName), color: '#6b3fb5', fontWeight: '600' },
  { tag: tags.function(tags.variableName), color: '#a04000' },
  { tag: tags.invalid, color: '#d00000', textDecoration: 'underline' },
]));
