/**
 * The TextMate grammar for `.ad` files (editors/autodiff.tmLanguage.json): valid JSON with
 * the expected scopes, function names and keyword arguments equal to the op table's source
 * forms, and sample lines tokenized as an editor would (a small TextMate tokenizer: `match`
 * and single-line `begin`/`end` rules, captures, includes; the grammar's regular expressions
 * are kept to what JavaScript and Oniguruma read alike).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOURCE_FUNCTIONS } from '@autodiff/ir';
import { CONSTANTS, isReserved } from '@autodiff/parser';
import { describe, expect, it } from 'vitest';
import { REPO } from './cli.js';

interface Rule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  include?: string;
  patterns?: Rule[];
  captures?: Record<string, { name: string }>;
  beginCaptures?: Record<string, { name: string }>;
  endCaptures?: Record<string, { name: string }>;
}

interface Grammar {
  scopeName: string;
  fileTypes: string[];
  patterns: Rule[];
  repository: Record<string, Rule>;
}

const EDITORS = join(REPO, 'editors');
const grammar = JSON.parse(readFileSync(join(EDITORS, 'autodiff.tmLanguage.json'), 'utf8')) as Grammar;
const UPDATE = 'run `pnpm build && node editors/update-grammar.mjs`';

/** The names in a `\b(a|b|c)\b...` pattern. */
function alternatives(match: string): string[] {
  return /^\\b\(([^)]*)\)/.exec(match)![1]!.split('|');
}

/** The rules a list of patterns stands for, includes resolved (a rule that only groups patterns is replaced by them). */
function expand(patterns: readonly Rule[]): Rule[] {
  return patterns.flatMap((p) => {
    const rule = p.include === '$self' ? { patterns: grammar.patterns } : p.include ? grammar.repository[p.include.slice(1)]! : p;
    return rule.match === undefined && rule.begin === undefined ? expand(rule.patterns ?? []) : [rule];
  });
}

const regexes = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let r = regexes.get(source);
  if (!r) regexes.set(source, (r = new RegExp(source, 'gd')));
  return r;
}

function search(source: string, text: string, at: number): RegExpExecArray | null {
  const r = regex(source);
  r.lastIndex = at;
  return r.exec(text);
}

/** Each token of one line with its innermost scope, white space left out. */
function tokenize(line: string): [string, string][] {
  const out: [string, string][] = [];
  const emit = (from: number, to: number, scopes: readonly string[]) => {
    const text = line.slice(from, to);
    if (text.trim() !== '') out.push([text.trim(), scopes.at(-1)!]);
  };
  /** A match's text, its capture groups scoped (`$1` in a name is the first group's text). */
  const emitMatch = (m: RegExpExecArray, scopes: string[], captures: Rule['captures']) => {
    const start = m.index;
    const end = start + m[0].length;
    const sub = (name: string) => name.replace(/\$(\d)/g, (_, i: string) => m[Number(i)] ?? '');
    if (captures?.['0']) return emit(start, end, [...scopes, sub(captures['0'].name)]);
    let at = start;
    const groups = Object.entries(captures ?? {}).map(([i, c]) => ({ span: m.indices![Number(i)], name: sub(c.name) }))
      .filter((g): g is { span: [number, number]; name: string } => g.span !== undefined).sort((a, b) => a.span[0] - b.span[0]);
    for (const g of groups) {
      emit(at, g.span[0], scopes);
      emit(g.span[0], g.span[1], [...scopes, g.name]);
      at = g.span[1];
    }
    emit(at, end, scopes);
  };
  const stack: { patterns: Rule[]; scopes: string[]; end?: Rule }[] = [{ patterns: expand(grammar.patterns), scopes: [grammar.scopeName] }];
  let pos = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const top = stack.at(-1)!;
    let best: { m: RegExpExecArray; rule: Rule } | undefined;
    for (const rule of top.patterns) {
      const m = search(rule.match ?? rule.begin!, line, pos);
      if (m && (!best || m.index < best.m.index)) best = { m, rule };
    }
    const endMatch = top.end ? search(top.end.end!, line, pos) : null;
    if (endMatch && (!best || endMatch.index <= best.m.index)) {
      emit(pos, endMatch.index, top.scopes);
      emitMatch(endMatch, top.scopes, top.end!.endCaptures);
      pos = endMatch.index + endMatch[0].length;
      stack.pop();
      continue;
    }
    if (!best || (best.m[0].length === 0 && best.rule.match !== undefined)) {
      emit(pos, line.length, top.scopes);
      return out;
    }
    const { m, rule } = best;
    emit(pos, m.index, top.scopes);
    const scopes = rule.name ? [...top.scopes, rule.name] : top.scopes;
    if (rule.match !== undefined) emitMatch(m, scopes, rule.captures);
    else {
      emitMatch(m, scopes, rule.beginCaptures);
      stack.push({ patterns: expand(rule.patterns ?? []), scopes, end: rule });
    }
    pos = m.index + m[0].length;
  }
  throw new Error(`the tokenizer made no progress on ${JSON.stringify(line)}`);
}

describe('the TextMate grammar for .ad files', () => {
  it('is valid JSON for source.autodiff, every regular expression of it readable', () => {
    expect(grammar.scopeName).toBe('source.autodiff');
    expect(grammar.fileTypes).toEqual(['ad']);
    const walk = (rule: Rule): void => {
      for (const key of ['match', 'begin', 'end'] as const) if (rule[key] !== undefined) expect(() => new RegExp(rule[key]!)).not.toThrow();
      for (const p of rule.patterns ?? []) walk(p);
      if (rule.include?.startsWith('#')) expect(grammar.repository, rule.include).toHaveProperty(rule.include.slice(1));
    };
    grammar.patterns.forEach(walk);
    Object.values(grammar.repository).forEach(walk);
    const names = JSON.stringify(grammar).match(/"name": ?"[^"]+"/g)!.map((n) => n.split('"')[3]!).filter((n) => n.includes('.'));
    for (const n of names) expect(n).toMatch(/\.autodiff$/);
  });

  it("lists exactly the op table's source functions and keyword arguments (else " + UPDATE + ')', () => {
    expect(alternatives(grammar.repository.function!.match!), UPDATE).toEqual([...SOURCE_FUNCTIONS.keys()].sort());
    const keywords = [...new Set([...SOURCE_FUNCTIONS.values()].flatMap((forms) => forms.flatMap((f) => f.keywords)))].sort();
    expect(alternatives(grammar.repository.keywordArgument!.match!), UPDATE).toEqual(keywords);
    for (const name of SOURCE_FUNCTIONS.keys()) expect(tokenize(`y = ${name}(x)`)[2]).toEqual([name, 'support.function.autodiff']);
  });

  it("knows the parser's reserved words", () => {
    for (const word of ['param', 'input', 'true', 'false', ...CONSTANTS.keys()]) {
      expect(isReserved(word)).toBe(true);
      expect(tokenize(`${word} x`)[0]![1], word).toMatch(/^(keyword|constant)\./);
    }
  });

  it('scopes declarations, shapes and dimension names, bindings, calls, keyword arguments, numbers and comments', () => {
    expect(tokenize('param W: [2, 16], b: [16]  # weights')).toEqual([
      ['param', 'keyword.declaration.param.autodiff'], ['W', 'variable.other.declaration.autodiff'], [':', 'punctuation.separator.colon.autodiff'],
      ['[', 'punctuation.section.brackets.begin.autodiff'], ['2', 'constant.numeric.autodiff'], [',', 'punctuation.separator.comma.autodiff'],
      ['16', 'constant.numeric.autodiff'], [']', 'punctuation.section.brackets.end.autodiff'], [',', 'punctuation.separator.comma.autodiff'],
      ['b', 'variable.other.declaration.autodiff'], [':', 'punctuation.separator.colon.autodiff'], ['[', 'punctuation.section.brackets.begin.autodiff'],
      ['16', 'constant.numeric.autodiff'], [']', 'punctuation.section.brackets.end.autodiff'], ['# weights', 'comment.line.number-sign.autodiff'],
    ]);
    expect(tokenize('input X: [n, 2], y')).toContainEqual(['n', 'entity.name.type.dimension.autodiff']);
    expect(tokenize('input X: [n, 2], y').at(-1)).toEqual(['y', 'variable.other.declaration.autodiff']);
    expect(tokenize('h = tanh(X @ W + b)')).toEqual([
      ['h', 'entity.name.variable.binding.autodiff'], ['=', 'keyword.operator.assignment.autodiff'], ['tanh', 'support.function.autodiff'],
      ['(', 'punctuation.section.parens.autodiff'], ['X', 'variable.other.autodiff'], ['@', 'keyword.operator.matmul.autodiff'],
      ['W', 'variable.other.autodiff'], ['+', 'keyword.operator.arithmetic.autodiff'], ['b', 'variable.other.autodiff'],
      [')', 'punctuation.section.parens.autodiff'],
    ]);
    expect(tokenize('loss = mean(sum(h**2, axis=-1, keepdims=true)) * pi; z = 2.5e-3 * loss')).toEqual([
      ['loss', 'entity.name.variable.binding.autodiff'], ['=', 'keyword.operator.assignment.autodiff'], ['mean', 'support.function.autodiff'],
      ['(', 'punctuation.section.parens.autodiff'], ['sum', 'support.function.autodiff'], ['(', 'punctuation.section.parens.autodiff'],
      ['h', 'variable.other.autodiff'], ['**', 'keyword.operator.arithmetic.autodiff'], ['2', 'constant.numeric.autodiff'],
      [',', 'punctuation.separator.comma.autodiff'], ['axis', 'variable.parameter.keyword.autodiff'], ['=', 'keyword.operator.assignment.autodiff'],
      ['-', 'keyword.operator.arithmetic.autodiff'], ['1', 'constant.numeric.autodiff'], [',', 'punctuation.separator.comma.autodiff'],
      ['keepdims', 'variable.parameter.keyword.autodiff'], ['=', 'keyword.operator.assignment.autodiff'], ['true', 'constant.language.boolean.autodiff'],
      [')', 'punctuation.section.parens.autodiff'], [')', 'punctuation.section.parens.autodiff'], ['*', 'keyword.operator.arithmetic.autodiff'],
      ['pi', 'constant.language.pi.autodiff'], [';', 'punctuation.terminator.statement.autodiff'], ['z', 'entity.name.variable.binding.autodiff'],
      ['=', 'keyword.operator.assignment.autodiff'], ['2.5e-3', 'constant.numeric.autodiff'], ['*', 'keyword.operator.arithmetic.autodiff'],
      ['loss', 'variable.other.autodiff'],
    ]);
    // A function's name only before '(' (with space between, too); a name that starts like one is a variable.
    expect(tokenize('sin (x) + sinx + x2 + A[:, 0:2]')).toEqual([
      ['sin', 'support.function.autodiff'], ['(', 'punctuation.section.parens.autodiff'], ['x', 'variable.other.autodiff'],
      [')', 'punctuation.section.parens.autodiff'], ['+', 'keyword.operator.arithmetic.autodiff'], ['sinx', 'variable.other.autodiff'],
      ['+', 'keyword.operator.arithmetic.autodiff'], ['x2', 'variable.other.autodiff'], ['+', 'keyword.operator.arithmetic.autodiff'],
      ['A', 'variable.other.autodiff'], ['[', 'punctuation.section.brackets.autodiff'], [':', 'punctuation.separator.colon.autodiff'],
      [',', 'punctuation.separator.comma.autodiff'], ['0', 'constant.numeric.autodiff'], [':', 'punctuation.separator.colon.autodiff'],
      ['2', 'constant.numeric.autodiff'], [']', 'punctuation.section.brackets.autodiff'],
    ]);
    // What the lexer rejects is marked; a comment may hold anything.
    expect(tokenize('y = x \u2212 1 # \u2212 is fine here')).toContainEqual(['\u2212', 'invalid.illegal.autodiff']);
    expect(tokenize('y = x \u2212 1 # \u2212 is fine here').at(-1)).toEqual(['# \u2212 is fine here', 'comment.line.number-sign.autodiff']);
  });

  it("every example's lines have no illegal token", () => {
    for (const file of ['neuron.txt', 'moons.txt', 'softmax.txt', 'attention.txt', 'digits.txt']) {
      for (const line of readFileSync(join(REPO, 'examples', file), 'utf8').split(/\r\n|\n|\r/)) {
        expect(tokenize(line).filter(([, scope]) => scope.startsWith('invalid')), `${file}: ${line}`).toEqual([]);
      }
    }
  });

  it('comes with a VS Code extension manifest that points at it', () => {
    const manifest = JSON.parse(readFileSync(join(EDITORS, 'package.json'), 'utf8')) as {
      contributes: { languages: { id: string; extensions: string[]; configuration: string }[]; grammars: { language: string; scopeName: string; path: string }[] };
    };
    const [language] = manifest.contributes.languages;
    const [entry] = manifest.contributes.grammars;
    expect(language).toMatchObject({ id: 'autodiff', extensions: ['.ad'] });
    expect(entry).toEqual({ language: 'autodiff', scopeName: grammar.scopeName, path: './autodiff.tmLanguage.json' });
    const config = JSON.parse(readFileSync(join(EDITORS, language!.configuration), 'utf8')) as { comments: { lineComment: string } };
    expect(config.comments.lineComment).toBe('#');
  });
});
