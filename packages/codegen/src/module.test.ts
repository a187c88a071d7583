/** The module printer on inputs the front end rarely makes: very many params, and hostile text in its header. */
import { Graph, programOf, type Node } from '@autodiff/ir';
import { describe, expect, it } from 'vitest';
import { commentText, generateModule } from './module.js';

describe('generateModule', () => {
  it('prints a program of 150,000 params (no line list is spread into one call)', () => {
    const g = new Graph();
    const params = Array.from({ length: 150_000 }, (_, i) => g.param(`w${i}`, i));
    let sum: Node = params[0]!;
    for (let i = 1; i < params.length; i++) sum = g.add(sum, params[i]!);
    const module = generateModule(programOf(g, params, [], sum, params.map(() => g.const(1))), { language: 'js', sourceName: 'wide.txt' });
    expect(module).toContain('a[149999] = numberIn(v, "w149999", "param");');
  });

  it('escapes every character outside printable ASCII in comment text, and breaks up */', () => {
    expect(commentText('a\rb\u2028c\u2029d\ne*/f\\g \u{1f600}\t')).toBe('a\\u{d}b\\u{2028}c\\u{2029}d\\u{a}e*\\/f\\\\g \\u{1f600}\\u{9}');
  });

  it('refuses to emit a name that is not an identifier', () => {
    const g = new Graph();
    const p = g.param('a\nb', 0);
    expect(() => generateModule(programOf(g, [p], [], p, [g.const(1)]), { language: 'ts', sourceName: 'x' }))
      .toThrow(/refusing to emit a name that is not an identifier/);
  });
});
