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
import { nestedListText, parseNestedList } from '../src/analysis/layout.js';
import { loadProgram } from '../src/analysis/model.js';
import { dimSizes, flatten, unflatten, withDefaults } from '../src/values.js';
import { evaluate } from '../src/worker/evaluate.js';
import { Predictor } from '../src/worker/metrics.js';
import { batchModel, datasetOfRows, inputValuesOf, rowsOfCsv } from '../src/worker/rows.js';
import { Trainer } from '@autodiff/train';

const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples');
const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.txt')).map((f) => [f, readFileSync(join(EXAMPLES, f), 'utf8')] as const);
const MORE = [
  'param x, y\nu = sin(x) * y\nv = u*u + 3*u\nv / 2',
  'param a, b\nsqrt(a*a + b*b) - log(abs(a)) + exp(-b)/(1 + a^2)',
  'param x\ny = max(x, 0.3) + min(x, -1) + relu(x) + softplus(x) + gelu(x) + sigmoid(x)\ny^-1',
  'param p, q\natan(p/q) + asin(p/3) * acos(q/4) + cosh(p) - sinh(q) + tan(p) + log1p(q*q) + pow(p, q)',
];
/** Tensor programs (the spec's v2 and the issue's), besides the tensor examples. */
const TENSOR = [
  'param W: [4, 3], b: [3]; input X: [n, 4], y: [n]; -mean(sum(onehot(y, 3) * log_softmax(X @ W + b), axis=1))',
  'param z: [4]; input w: [4]; sum(softmax(z) * w)',
  'param W1: [2, 3]\nsum(W1[0]) + sum(W1[1][0:2]) + max(W1) + sum(W1^2)',
  'param A: [2, 3], v: [3], c\ninput R: [k, 3]\nB = reshape(A, [3, 2])\nsum(transpose(B) @ v) + mean(R @ v) * c + sum([v, v][1]) + logsumexp(A, axis=1)[0] + max(v, 0.5)[2] + min(A, axis=0, keepdims=true)[0, 1]',
];
const programs: (readonly [string, string])[] = [
  ...examples, ...MORE.map((s, i) => [`program ${i + 1}`, s] as const), ...TENSOR.map((s, i) => [`tensor program ${i + 1}`, s] as const),
];
/** Programs whose every value is a scalar (v1), and those with tensors. */
const isScalar = (source: string) => topoOrder(outputsOf(compiled(source).ir)).every((n) => n.shape.length === 0);
const scalarPrograms = programs.filter(([, s]) => isScalar(s));
const tensorPrograms = programs.filter(([, s]) => !isScalar(s));

function compiled(source: string) {
  const c = compileSource(source);
  if (!c.ir || !c.checked) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
  return { ir: c.ir, checked: c.checked };
}

/** A point inside every example's domain: 0.3, 0.4, ... */
const pointFor = (names: readonly unknown[]) => names.map((_, i) => 0.3 + 0.1 * i);

describe('graph numbers', () => {
  it('the programs include the tensor examples and the issue\'s tensor programs', () => {
    expect(tensorPrograms.map(([name]) => name)).toEqual(expect.arrayContaining(['moons.txt', 'softmax.txt', 'tensor program 1', 'tensor program 2']));
    expect(scalarPrograms.map(([name]) => name)).toEqual(expect.arrayContaining(['neuron.txt', 'xor.txt', 'program 3']));
  });

  it.each(scalarPrograms)('%s: the reverse sweep over the graph gives the tape engine\'s param gradients', (_, source) => {
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

describe('tensor programs', () => {
  /** The program as the worker loads it, its values as the page first gives them, and the evaluation of those. */
  function evaluated(source: string, dims = new Map<string, number>()) {
    const loaded = loadProgram(compileSource(source), source)!;
    const values = withDefaults(new Map(), dims, loaded.model);
    const sizes = dimSizes(loaded.model, dims);
    const dimList = loaded.model.dimNames.map((d) => sizes.get(d)!);
    const evaluation = evaluate(loaded, flatten(loaded.model.paramNames, values), flatten(loaded.model.inputNames, values), dimList);
    return { loaded, values, sizes, evaluation };
  }

  it.each(tensorPrograms)('%s: the values and gradient shown are the compiled module\'s backward (its named API), and the witnesses agree', (_, source) => {
    const { loaded, values, sizes, evaluation } = evaluated(source);
    const { model, compiled } = loaded;
    expect(model.tensor).toBe(true);
    expect(model.paramShapes).toEqual(compiled.paramShapes);
    expect(model.inputShapes).toEqual(compiled.inputShapes);
    expect(model.dimNames).toEqual(compiled.dimNames);
    expect(model.initialParams).toHaveLength(compiled.paramSize!);
    expect(evaluation.error).toBeUndefined();
    // The named API, which infers the dimension sizes from the arrays' lengths.
    const named = (names: readonly string[]) => Object.fromEntries(names.map((n) => {
      const v = values.get(n)!;
      return [n, typeof v === 'number' ? v : Float64Array.from(v)];
    }));
    const expected = compiled.backward(named(model.paramNames), named(model.inputNames));
    expect(Math.abs(evaluation.value - expected.value)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected.value)));
    const shown = unflatten(model.paramNames, model.paramShapes, evaluation.gradient, sizes);
    for (const name of model.paramNames) {
      const want = expected.grad[name]!;
      const got = shown.get(name)!;
      const wantList = typeof want === 'number' ? [want] : [...want];
      const gotList = typeof got === 'number' ? [got] : [...got];
      expect(gotList).toHaveLength(wantList.length);
      gotList.forEach((g, i) => expect(Math.abs(g - wantList[i]!), `${name}[${i}]`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(wantList[i]!))));
    }
    expect(evaluation.agreement).toMatchObject({ ok: true });
  });

  it.each(tensorPrograms)('%s: one box per IR node, each with its type; numbers only for scalars, no throw', (_, source) => {
    const { loaded, evaluation } = evaluated(source);
    const { ir } = loaded;
    const graph = graphModelOf(ir, sourceMapOf(loaded.checked, ir));
    const byId = new Map(topoOrder(outputsOf(ir)).map((n) => [n.id, n]));
    for (const n of [...ir.params, ...ir.inputs]) byId.set(n.id, n);
    expect(graph.nodes.map((n) => n.id).sort((a, b) => a - b)).toEqual(boxedNodes(ir).map((n) => n.id).sort((a, b) => a - b));
    for (const box of graph.nodes) {
      const node = byId.get(box.id)!;
      expect(box.type).toBe(node.shape.length === 0 ? 'f64' : `f64[${node.shape.join(',')}]`);
      expect(box.tensor).toBe(node.shape.length > 0);
      // Tensor boxes get no number; the output's value is the compiled one.
      if (node.shape.length > 0) expect(evaluation.nodes[box.id]?.value).toBeUndefined();
    }
    expect(evaluation.nodes[valueOf(ir).id]?.value).toBe(evaluation.value);
    const numbers = nodeNumbers(ir, evaluation.params, evaluation.inputs, boxedNodes(ir));
    expect(numbers.grad.size).toBe(0);
    for (const n of numbers.value.keys()) expect(n.shape).toEqual([]);
  });

  it('labels boxes of structural ops with their op and attributes', () => {
    const source = 'param W: [4, 3], b: [3]\ninput X: [n, 4], y: [n]\nlogits = X @ W + b\n-mean(sum(onehot(y, 3) * log_softmax(logits), axis=1)) + sum(W[0, 1:3])';
    const { ir, checked } = compiled(source);
    const labels = graphModelOf(ir, sourceMapOf(checked, ir)).nodes.map((n) => `${n.label} ${n.type}`);
    expect(labels).toEqual(expect.arrayContaining([
      'X @ W f64[n,3]', 'onehot(y, 3) f64[n,3]', 'sum(·, axis=1) f64[n]', 'W[0, 1:3] f64[2]', 'count(n) f64',
      'logsumexp(logits, axis=1, keepdims=true) f64[n,1]',
    ]));
  });

  it('draws labels for onehot below its number of classes, other inputs in [-1, 1], params as fit starts them', () => {
    const { values, loaded } = evaluated(TENSOR[0]!, new Map([['n', 50]]));
    const y = values.get('y') as number[];
    expect(y).toHaveLength(50);
    expect(y.every((v) => Number.isInteger(v) && v >= 0 && v < 3)).toBe(true);
    expect(new Set(y).size).toBe(3);
    const x = values.get('X') as number[];
    expect(x).toHaveLength(200);
    expect(x.every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(flatten(loaded.model.paramNames, values)).toEqual(loaded.model.initialParams);
    // A new size redraws the inputs of that size and keeps the rest.
    const next = withDefaults(values, new Map([['n', 7]]), loaded.model);
    expect(next.get('X')).toHaveLength(28);
    expect(next.get('W')).toBe(values.get('W'));
  });

  it('reports a label outside onehot\'s range as the generated code\'s error, not a crash', () => {
    const loaded = loadProgram(compileSource(TENSOR[0]!), TENSOR[0]!)!;
    const values = withDefaults(new Map([['y', [0, 1, 3]]]), new Map(), loaded.model);
    const evaluation = evaluate(loaded, flatten(loaded.model.paramNames, values), flatten(loaded.model.inputNames, values), [3]);
    expect(evaluation.error).toMatch(/onehot: input 'y'\[2\] is 3, not an integer in \[0, 3\)/);
    expect(evaluation.value).toBeNaN();
  });
});

describe('values and the flat layout', () => {
  it('reads and writes nested lists of a shape', () => {
    expect(parseNestedList('[[1, 2, 3], [4, 5, 6e-1]]', [2, 3])).toEqual({ values: [1, 2, 3, 4, 5, 0.6] });
    expect(parseNestedList('[NaN, -Infinity]', [2])).toEqual({ values: [NaN, -Infinity] });
    expect(parseNestedList('[[1, 2], [3]]', [2, 2])).toEqual({ error: '[1] has 1 entries, axis 1 has size 2' });
    expect(parseNestedList('[1, 2', [2])).toEqual({ error: 'not a nested list of numbers' });
    expect(parseNestedList('[1, "a"]', [2])).toEqual({ error: '[1] is not a number' });
    expect(nestedListText([1, 2, 3, 4, 5, 6], [2, 3])).toBe('[[1, 2, 3],\n [4, 5, 6]]');
    expect(nestedListText([1, NaN], [2])).toBe('[1, NaN]');
    const shape = [2, 3, 2];
    const flat = Array.from({ length: 12 }, (_, i) => i / 7);
    expect(parseNestedList(nestedListText(flat, shape), shape)).toEqual({ values: flat });
  });

  it('flattens params and inputs in declaration order, row-major, as the module\'s flat API takes them', () => {
    const values = new Map<string, number | number[]>([['W', [1, 2, 3, 4, 5, 6]], ['b', 7], ['X', [8, 9]]]);
    expect(flatten(['W', 'b', 'X'], values)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const back = unflatten(['W', 'b', 'X'], [[2, 3], [], ['n']], [1, 2, 3, 4, 5, 6, 7, 8, 9], new Map([['n', 2]]));
    expect([...back]).toEqual([...values]);
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

  it('writes min and max\'s gradients as Iverson brackets, with no internal helper name (tieShare)', () => {
    const latex = (source: string) => {
      const { ir, checked } = compiled(source);
      const { roots, definitions } = toLatex([valueOf(ir), ...gradsOf(ir)!], { names: sourceMapOf(checked, ir).bindingNames });
      return [...roots, ...definitions.map((d) => d.latex)];
    };
    // The share of the cotangent: all of it to the larger side, half each on a tie.
    expect(latex('param x, y\nmax(x, y) * 2')).toEqual([
      '\\max\\left(x, y\\right) \\cdot 2',
      '2\\left(\\left[y < x\\right] + \\tfrac{1}{2}\\left[y = x\\right]\\right)',
      '2\\left(\\left[x < y\\right] + \\tfrac{1}{2}\\left[x = y\\right]\\right)',
    ]);
    for (const source of [MORE[2]!, 'param x, y\nmin(x, y) - max(x^2, 1)', TENSOR[2]!, 'param v: [3]\nmax(v) + sum(max(v, 0.5)) + sum(relu(v))']) {
      const text = latex(source).join('\n');
      for (const helper of ['tieShare', 'gate', 'unlessZero', 'zeroBaseMask', 'isEqual']) expect(text, source).not.toContain(helper);
      expect(text, source).toMatch(/\\left\[.* (\\le|>|=) .*\\right\]/);
    }
  });

  it('every op\'s form is the op table\'s own: the playground keeps no table of its own', () => {
    const text = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../src/analysis/latex.ts'), 'utf8');
    expect(text).not.toMatch(/TEMPLATES|\bstep\b|tieShare/);
    expect(text).toContain('OPS[op as keyof typeof OPS].latex');
  });

  it('writes tensor ops as math: products, transposes, reductions, indexing (a subscripted name indexed stays valid)', () => {
    const latex = (source: string) => {
      const { ir, checked } = compiled(source);
      return toLatex([valueOf(ir), ...gradsOf(ir)!], { names: sourceMapOf(checked, ir).bindingNames });
    };
    const regression = latex(TENSOR[0]!);
    // -mean(sum(onehot(y, 3) * log_softmax(X @ W + b), axis=1)), log_softmax expanded as the compiler does.
    expect(regression.roots[0]).toBe('-\\frac{\\sum\\left(\\sum_{1}\\left(\\operatorname{onehot}_{3}\\left(y\\right) \\odot t_{1}\\right)\\right)}{\\left|\\mathit{n}\\right|}');
    expect(regression.definitions[0]).toEqual({ name: 't_{1}', latex: 'X\\,W + b - \\operatorname{logsumexp}_{1}\\left(X\\,W + b\\right)' });
    expect(regression.roots[1]).toMatch(/^X\^\{\\top\}\\,/);
    const indexed = latex(TENSOR[2]!).roots[0]!;
    expect(indexed).toContain('{W_{1}}_{0,:}');
    expect(indexed).toContain('{{W_{1}}_{1,:}}_{0{:}2}');
    expect(() => katex.renderToString(indexed, { throwOnError: true })).not.toThrow();
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

describe('batch programs: rows, and a classifier\'s predictions', () => {
  const load = (name: string) => {
    const source = readFileSync(join(EXAMPLES, name), 'utf8');
    return loadProgram(compileSource(source), source)!;
  };

  it('finds the rows, the prediction binding and the labels of the bundled classifiers', () => {
    expect(load('moons.txt').model.batch).toEqual({
      dim: 'n', rowSizes: [2, 1], columns: ['X[0]', 'X[1]', 'y'],
      task: { binding: 'score', label: 'y', features: 'X', featureShape: [2], kind: 'sign', classes: 2 },
    });
    expect(load('digits.txt').model.batch?.task).toEqual({ binding: 'logits', label: 'y', features: 'X', featureShape: [64], kind: 'argmax', classes: 10 });
    expect(load('softmax.txt').model.batch?.task?.binding).toBe('logits');
    // Targets that are not labels: rows to train on, but no accuracy.
    const attention = load('attention.txt').model.batch;
    expect(attention?.dim).toBe('t');
    expect(attention?.task).toBeUndefined();
    expect(load('neuron.txt').model.batch).toBeUndefined();
  });

  it('reads a CSV into the flat layout and back into the Trainer\'s rows', () => {
    const { batch } = load('moons.txt').model;
    const text = 'y,X[1],X[0]\n1,0.5,0.25\n-1,2,3\n';
    const rows = rowsOfCsv(text, batch!, 'mine.csv');
    expect(rows.rows).toBe(2);
    expect([...rows.inputs]).toEqual([0.25, 0.5, 3, 2, 1, -1]); // X row-major, then y
    expect([...datasetOfRows(batch!, rows).values]).toEqual([0.25, 0.5, 1, 3, 2, -1]);
    expect(inputValuesOf(['X', 'y'], batch!, rows)).toEqual(new Map([['X', [0.25, 0.5, 3, 2]], ['y', [1, -1]]]));
    expect(() => rowsOfCsv('X[0],y\n1,2\n', batch!, 'short.csv')).toThrow(/short\.csv/);
  });

  it('two moons trained as `autodiff fit` trains it (its defaults) classifies every training point right', () => {
    const program = load('moons.txt');
    const batch = program.model.batch!;
    const rows = rowsOfCsv(readFileSync(join(EXAMPLES, 'data/moons.csv'), 'utf8'), batch, 'moons.csv');
    const trainer = new Trainer(batchModel(program, batch), datasetOfRows(batch, rows), { params: Float64Array.from(program.model.initialParams) });
    const predictor = new Predictor(program, batch, batch.task!);
    const before = predictor.accuracy(trainer.params, rows);
    while (trainer.stopped === undefined) trainer.step();
    expect(before).toBeLessThan(1);
    expect(predictor.accuracy(trainer.params, rows)).toBe(1);
    const metrics = predictor.metrics(trainer.params, trainer.updates, rows, undefined);
    expect(metrics.boundary?.scores.length).toBe(64 * 64);
    expect(metrics.images).toBeUndefined();
  });
});
