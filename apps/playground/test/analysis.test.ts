/**
 * The playground's own analyses, in Node: source spans, the graph's numbers
 * and the LaTeX printer. Truth comes from outside them: the tape engine for
 * gradients, the source text for spans, KaTeX's parser for the LaTeX.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSource, loadCompiled } from '@autodiff/compiler';
import { gradsOf, outputsOf, topoOrder, valueOf } from '@autodiff/ir';
import { interpret } from '@autodiff/runtime';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { boxedNodes, graphModelOf } from '../src/analysis/graph-model.js';
import { toLatex } from '../src/analysis/latex.js';
import { nodeNumbers } from '../src/analysis/node-values.js';
import { sourceMapOf } from '../src/analysis/spans.js';

const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples');
const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.txt')).map((f) => [f, readFileSync(join(EXAMPLES, f), 'utf8')] as const);
const MORE = [
  'param x, y\nu = sin(x) * y\nv = u*u + 3*u\nv / 2',
  'param a, b\nsqrt(a*a + b*b) - log(abs(a)) + exp(-b)/(1 + a^2)',
  'param x\ny = max(x, 0.3) + min(x, -1) + relu(x) + softplus(x) + gelu(x) + sigmoid(x)\ny^-1',
  'param p, q\natan(p/q) + asin(p/3) * acos(q/4) + cosh(p) - sinh(q) + tan(p) + log1p(q*q) + pow(p, q)',
];
const programs: (readonly [string, string])[] = [...examples, ...MORE.map((s, i) => [`program ${i + 1}`, s] as const)];

function compiled(source: string) {
  const c = compileSource(source);
  if (!c.ir || !c.checked) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
  return { ir: c.ir, checked: c.checked };
}

/** A point inside every example's domain: 0.3, 0.4, ... */
const pointFor = (names: readonly unknown[]) => names.map((_, i) => 0.3 + 0.1 * i);

describe('graph numbers', () => {
  it.each(programs)('%s: the reverse sweep over the graph gives the tape engine\'s param gradients', (_, source) => {
    const { ir, checked } = compiled(source);
    const p = pointFor(checked.params);
    const x = pointFor(checked.inputs).map((v) => v + 0.05);
    const numbers = nodeNumbers(ir, p, x, boxedNodes(ir));
    const values = new Map<string, number>();
    checked.params.forEach((r, i) => values.set(r.name, p[i]!));
    checked.inputs.forEach((r, i) => values.set(r.name, x[i]!));
    const tape = interpret(checked, values);
    expect(numbers.value.get(valueOf(ir))).toBeCloseTo(tape.value, 12);
    ir.params.forEach((param, i) => {
      const expected = tape.gradient.get(checked.params[i]!.name)!;
      const got = numbers.grad.get(param) ?? 0;
      expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    });
    // Gradient nodes' values are the compiled gradient.
    const grad = new Float64Array(p.length);
    loadCompiled(ir).backwardFlat(Float64Array.from(p), Float64Array.from(x), grad);
    gradsOf(ir)!.forEach((g, i) => expect(numbers.value.get(g)).toBeCloseTo(grad[i]!, 12));
  });
});

describe('source spans', () => {
  it('maps each binding\'s node to its definition and every use of its name', () => {
    const source = 'param x, y\nu = sin(x) * y\nv = u*u + 3*u\nv / 2\n';
    const { ir, checked } = compiled(source);
    const map = sourceMapOf(checked, ir);
    const u = [...map.bindingNames].find(([, name]) => name === 'u')![0];
    const texts = map.spans.get(u)!.map((s) => source.slice(s.start, s.end)).sort();
    expect(texts).toEqual(['sin(x) * y', 'u', 'u', 'u', 'u']);
    const x = ir.params[0]!;
    expect(map.spans.get(x)!.map((s) => source.slice(s.start, s.end))).toEqual(['x', 'x']);
  });

  it('finds a source span for every forward node of the examples', () => {
    for (const [name, source] of examples) {
      const { ir, checked } = compiled(source);
      const map = sourceMapOf(checked, ir);
      const forward = topoOrder([valueOf(ir)]).filter((n) => n.op !== 'const');
      const missing = forward.filter((n) => !map.spans.has(n)).map((n) => n.op);
      expect(missing, name).toEqual([]);
    }
  });
});

describe('graph model', () => {
  it('has one box per non-constant IR node (and each param and input), edges only between boxes', () => {
    for (const [, source] of programs) {
      const { ir, checked } = compiled(source);
      const graph = graphModelOf(ir, sourceMapOf(checked, ir));
      const ids = new Set(graph.nodes.map((n) => n.id));
      expect(ids.size).toBe(graph.nodes.length);
      const reachable = topoOrder(outputsOf(ir)).filter((n) => n.op !== 'const');
      for (const n of [...reachable, ...ir.params, ...ir.inputs]) expect(ids.has(n.id)).toBe(true);
      for (const n of graph.nodes) for (const a of n.args) expect(ids.has(a)).toBe(true);
    }
  });
});

describe('LaTeX', () => {
  it.each(programs)('%s: every expression parses in KaTeX', (_, source) => {
    const { ir, checked } = compiled(source);
    const { roots, definitions } = toLatex([valueOf(ir), ...gradsOf(ir)!], { names: sourceMapOf(checked, ir).bindingNames });
    for (const tex of [...roots, ...definitions.map((d) => d.latex)]) {
      expect(() => katex.renderToString(tex, { throwOnError: true })).not.toThrow();
    }
  });

  it('prints powers, products and quotients as a textbook would', () => {
    const latex = (source: string) => {
      const { ir } = compiled(source);
      return toLatex([valueOf(ir), ...gradsOf(ir)!], { names: new Map() }).roots;
    };
    expect(latex('param x\nx^3')).toEqual(['x^{3}', '3\\,x^{2}']);
    expect(latex('param a, b\na / (a + b)')[0]).toBe('\\frac{a}{a + b}');
    expect(latex('param x, y\nexp(x) * (2*y)')[0]).toBe('\\exp\\left(x\\right) \\cdot 2\\,y');
    expect(latex('param x\n-(x + 1)^2')[0]).toBe('-\\left(x + 1\\right)^{2}');
    expect(latex('param w1, x\n(w1 - x) * (w1 + x)')[0]).toBe('\\left(w_{1} - x\\right) \\cdot \\left(w_{1} + x\\right)');
  });

  it('names a shared subexpression once instead of repeating it', () => {
    const { ir, checked } = compiled('param x, y\ns = sin(x*y + 1)\ns * s + s');
    const { roots, definitions } = toLatex([valueOf(ir), ...gradsOf(ir)!], { names: sourceMapOf(checked, ir).bindingNames });
    expect(definitions.map((d) => d.name)).toContain('s');
    expect(roots[0]).toBe('s^{2} + s');
  });
});

describe('the module the playground shows and downloads', () => {
  it('a shared program with line separators and a \\r in comments gives a module that is printable ASCII, its comments closed', async () => {
    const { hashFor, programFromHash } = await import('../src/share.js');
    const { loadProgram } = await import('../src/analysis/model.js');
    const source = 'param w\nloss = w^2 # note\u2028; globalThis.x = 1\u2029 */ `${1}`\n';
    const shared = programFromHash(hashFor(source))!;
    expect(shared).toBe(source);
    const loaded = loadProgram(compileSource(shared), shared)!;
    expect(loaded.model.typescript).toMatch(/^[\n\x20-\x7e]*$/);
    expect(loaded.model.typescript).toContain('//   loss = w^2 # note\\u{2028}; globalThis.x = 1\\u{2029} *\\/ `${1}`');
  });
});

describe('editor marks', () => {
  it('a file with 20,000 of one warning gets 50 marks and one that counts the rest', async () => {
    const { editorDiagnostics } = await import('../src/analysis/model.js');
    const source = `${Array.from({ length: 20_000 }, (_, i) => `u${i} = ${i}`).join('\n')}\nz = 1\n`;
    const marks = editorDiagnostics(compileSource(source).diagnostics, source);
    expect(marks).toHaveLength(51);
    expect(marks.at(-1)!.message).toMatch(/^\.\.\. and 19,950 more like this \('u50' is bound but never used/);
    expect(marks.at(-1)!.line).toBe(51);
  });
});
