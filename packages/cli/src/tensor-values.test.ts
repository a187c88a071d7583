/** v2 tensor values: `--at` lists, JSON values and files, shapes, and tensors printed as JSON. */
import { registeredCodes } from '@autodiff/diagnostics';
import { describe, expect, it } from 'vitest';
import { CLI_DIAGNOSTICS } from './diagnostics.js';
import {
  bindShapes, formatJsonTensor, jsonValueToTensor, MAX_NESTING, parseValueText, readTensorJson, splitAt,
  type DeclaredValue, type TensorLiteral, type TensorResult,
} from './tensor-values.js';

const t = (shape: number[], data: number[]): TensorLiteral => ({ shape, data: Float64Array.from(data) });

function ok(result: TensorResult): TensorLiteral {
  if (result.error !== undefined) throw new Error(`expected a value, got: ${result.error}`);
  return result.value;
}

function error(result: TensorResult): string {
  if (result.error === undefined) throw new Error(`expected an error, got shape [${result.value.shape.join(', ')}]`);
  return result.error;
}

/** The same doubles, bit for bit (so -0 is not 0, and NaN equals NaN). */
function bits(data: Float64Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
}

describe('splitAt', () => {
  it('splits at commas outside brackets only', () => {
    expect(splitAt('W=[[1,2],[3,4]],b=[0.5,-1],x=2')).toEqual([
      { name: 'W', valueText: '[[1,2],[3,4]]', offset: 0 },
      { name: 'b', valueText: '[0.5,-1]', offset: 16 },
      { name: 'x', valueText: '2', offset: 27 },
    ]);
  });

  it('trims names and values, skips empty items and a trailing comma, as v1 does', () => {
    expect(splitAt('  W = [ [1, 2] ] ,, x=1,')).toEqual([
      { name: 'W', valueText: '[ [1, 2] ]', offset: 2 },
      { name: 'x', valueText: '1', offset: 20 },
    ]);
    expect(splitAt('')).toEqual([]);
    expect(splitAt(' , ')).toEqual([]);
  });

  it('keeps an item without = (its whole text is the name) and splits only at the first =', () => {
    expect(splitAt('x,y=1=2')).toEqual([
      { name: 'x', valueText: undefined, offset: 0 },
      { name: 'y', valueText: '1=2', offset: 2 },
    ]);
  });

  it('reports an unclosed [ on its item, which takes the rest of the text', () => {
    const items = splitAt('W=[[1,2],[3,4],b=2');
    expect(items).toHaveLength(1);
    expect(items[0]!.name).toBe('W');
    expect(items[0]!.problem).toEqual({
      code: 'E214', severity: 'error', message: "--at item 'W=[[1,2],[3,4],b=2' has unbalanced brackets: a '[' is not closed",
    });
    expect(splitAt('W=[[[1')[0]!.problem!.message).toMatch(/3 '\[' are not closed/);
  });

  it('reports a ] without [ on its item and goes on with the next', () => {
    const items = splitAt('b=[1]],x=2');
    expect(items.map((i) => i.name)).toEqual(['b', 'x']);
    expect(items[0]!.problem!.message).toBe("--at item 'b=[1]]' has unbalanced brackets: a ']' has no matching '['");
    expect(items[1]!.problem).toBeUndefined();
    expect(splitAt('b=]1[')[0]!.problem!.code).toBe('E214');
  });

  it('splits a long text in linear time', () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `v${i}=[${i},${i}]`).join(',');
    const started = performance.now();
    const items = splitAt(text);
    expect(items).toHaveLength(100_000);
    expect(items[99_999]).toEqual({ name: 'v99999', valueText: '[99999,99999]', offset: text.lastIndexOf('v99999') });
    expect(performance.now() - started).toBeLessThan(3000); // generous: a shared, busy machine
  });
});

describe('parseValueText', () => {
  it('reads numbers as v1 does: signs, decimals, exponents, Infinity and NaN', () => {
    for (const [text, v] of [['2', 2], [' -1.5 ', -1.5], ['+3', 3], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['-2.5E-3', -0.0025],
      ['Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
      expect(ok(parseValueText(text))).toEqual(t([], [v]));
    }
    expect(Number.isNaN(ok(parseValueText('NaN')).data[0])).toBe(true);
    expect(Object.is(ok(parseValueText('-0')).data[0], -0)).toBe(true);
  });

  it('reads nested lists row-major, with white space anywhere between tokens', () => {
    expect(ok(parseValueText('[0.5,-1]'))).toEqual(t([2], [0.5, -1]));
    expect(ok(parseValueText('[[1,2],[3,4],[5,6]]'))).toEqual(t([3, 2], [1, 2, 3, 4, 5, 6]));
    expect(ok(parseValueText(' [ [ 1 , 2e1 ] ,\n\t[ -3E+0 , Infinity ] ] '))).toEqual(t([2, 2], [1, 20, -3, Infinity]));
    expect(ok(parseValueText('[[[1],[2]],[[3],[4]]]'))).toEqual(t([2, 2, 1], [1, 2, 3, 4]));
    expect(ok(parseValueText('[7]'))).toEqual(t([1], [7]));
    expect(ok(parseValueText('[[7]]'))).toEqual(t([1, 1], [7]));
  });

  it('says which rows of a ragged list differ', () => {
    expect(error(parseValueText('[[1,2],[3]]'))).toBe('ragged list: row 1 has 1 element, row 0 has 2');
    expect(error(parseValueText('[[1],[2,3,4]]'))).toBe('ragged list: row 1 has 3 elements, row 0 has 1');
    expect(error(parseValueText('[[[1,2],[3,4]],[[5,6],[7]]]'))).toBe('ragged list: list [1][1] has 1 element, list [0][0] has 2');
    expect(error(parseValueText('[[[1,2]],[[3,4],[5,6]]]'))).toBe('ragged list: row 1 has 2 elements, row 0 has 1');
    expect(error(parseValueText('[[1,2],3]'))).toBe('ragged list: element [1] is a number, but element [0] is a list');
    expect(error(parseValueText('[1,[2]]'))).toBe('ragged list: element [1] is a list, but element [0] is a number');
    expect(error(parseValueText('[[1,2],[3,[4]]]'))).toBe('ragged list: element [1][1] is a list, but element [0][0] is a number');
  });

  it('rejects empty lists, missing and trailing commas, and junk, saying where', () => {
    expect(error(parseValueText('[]'))).toBe('empty list (at character 2): every list needs at least one element');
    expect(error(parseValueText('[[1],[]]'))).toMatch(/^empty list \(at character 7\)/);
    expect(error(parseValueText('[1,2,]'))).toBe("trailing comma: expected a number or a list after the ',' before the ']' (at character 6)");
    expect(error(parseValueText('[1,,2]'))).toBe("expected a number or a list before the ',' (at character 4)");
    expect(error(parseValueText('[,1]'))).toMatch(/before the ','/);
    expect(error(parseValueText('[1 2]'))).toBe("expected ',' or ']' (at character 4), found '2'");
    expect(error(parseValueText('[1[2]]'))).toBe("expected ',' or ']' (at character 3), found '['");
    expect(error(parseValueText('[1,abc]'))).toBe("'abc' is not a number (at character 4)");
    expect(error(parseValueText('[0x10]'))).toBe("'0x10' is not a number (at character 2)");
    expect(error(parseValueText('[1e]'))).toMatch(/'1e' is not a number/);
    expect(error(parseValueText('[- 1]'))).toMatch(/'-' is not a number/);
    expect(error(parseValueText('[1,2]x'))).toBe("unexpected 'x' after the list (at character 6)");
    expect(error(parseValueText('[1] [2]'))).toMatch(/^unexpected '\[2\]' after the list/);
    expect(error(parseValueText('[1]]'))).toMatch(/^unexpected '\]' after the list/);
    expect(error(parseValueText('[[1,2],[3,4]'))).toBe("missing ']' at the end: the '[' at character 1 is not closed");
    expect(error(parseValueText('[[1,2'))).toBe("missing ']' at the end: the '[' at character 2 is not closed");
    expect(error(parseValueText('abc'))).toBe("'abc' is not a number");
    expect(error(parseValueText('1,2'))).toBe("'1,2' is not a number");
    expect(error(parseValueText(''))).toMatch(/^no value given/);
    expect(error(parseValueText('   '))).toMatch(/^no value given/);
  });

  it(`allows lists ${MAX_NESTING} deep and no deeper, without recursion`, () => {
    const deep = (d: number) => `${'['.repeat(d)}1${']'.repeat(d)}`;
    expect(ok(parseValueText(deep(MAX_NESTING))).shape).toEqual(new Array(MAX_NESTING).fill(1));
    expect(error(parseValueText(deep(MAX_NESTING + 1)))).toBe(`lists nest more than ${MAX_NESTING} deep`);
    const started = performance.now();
    expect(error(parseValueText('['.repeat(1_000_000)))).toBe(`lists nest more than ${MAX_NESTING} deep`);
    expect(error(parseValueText(deep(1_000_000)))).toBe(`lists nest more than ${MAX_NESTING} deep`);
    expect(performance.now() - started).toBeLessThan(3000); // generous: a shared, busy machine
  });

  it('reads a 1,000,000-element list quickly (about 0.3 s here; the bound is generous for a busy machine)', () => {
    const values = Array.from({ length: 1_000_000 }, (_, i) => (i % 7 === 0 ? -(i + 1) / 3 : i * 1e-5)); // no -0: join writes it as 0
    const text = `[${values.join(', ')}]`;
    const started = performance.now();
    const value = ok(parseValueText(text));
    expect(performance.now() - started).toBeLessThan(3000);
    expect(value.shape).toEqual([1_000_000]);
    expect(bits(value.data)).toBe(bits(Float64Array.from(values)));
    const matrix = `[${Array.from({ length: 1000 }, (_, r) => `[${Array.from({ length: 1000 }, (_, c) => r - c).join(',')}]`).join(',')}]`;
    const started2 = performance.now();
    expect(ok(parseValueText(matrix)).shape).toEqual([1000, 1000]);
    expect(performance.now() - started2).toBeLessThan(3000); // generous: a shared, busy machine
  });

  it('stops at the first ragged row of a huge list in linear time', () => {
    const text = `[${'[1,2],'.repeat(500_000)}[1]]`;
    const started = performance.now();
    expect(error(parseValueText(text))).toBe('ragged list: row 500000 has 1 element, row 0 has 2');
    expect(performance.now() - started).toBeLessThan(3000); // generous: a shared, busy machine
  });
});

describe('jsonValueToTensor', () => {
  it('reads numbers, the non-finite strings, and nested arrays', () => {
    expect(ok(jsonValueToTensor(2, 'x'))).toEqual(t([], [2]));
    expect(ok(jsonValueToTensor('-Infinity', 'x'))).toEqual(t([], [-Infinity]));
    expect(ok(jsonValueToTensor([[1, 2], [3, 4]], 'W'))).toEqual(t([2, 2], [1, 2, 3, 4]));
    expect(ok(jsonValueToTensor(JSON.parse('[[[1e-300, "Infinity"]], [[-0, 5]]]'), 'T'))).toEqual(t([2, 1, 2], [1e-300, Infinity, -0, 5]));
    expect(Number.isNaN(ok(jsonValueToTensor(['NaN'], 'v')).data[0])).toBe(true);
  });

  it('names the value and says what is wrong', () => {
    expect(error(jsonValueToTensor([[1, 2], [3]], 'W')))
      .toBe("the value of 'W' is not a number or a nested list of numbers: ragged list: row 1 has 1 element, row 0 has 2");
    const reason = (v: unknown) => error(jsonValueToTensor(v, 'W')).replace(/^the value of 'W' is not a number or a nested list of numbers: /, '');
    expect(reason([[1, 2], 3])).toBe('ragged list: element [1] is a number, but element [0] is a list');
    expect(reason([1, [2]])).toBe('ragged list: element [1] is a list, but element [0] is a number');
    expect(reason([[[1], [2]], [[3], [4, 5]]])).toBe('ragged list: list [1][1] has 2 elements, list [0][0] has 1');
    expect(reason([])).toBe('empty list at the top: every list needs at least one element');
    expect(reason([[]])).toBe('empty list at element [0]: every list needs at least one element');
    expect(reason([[1], []])).toBe('ragged list: row 1 has 0 elements, row 0 has 1');
    expect(reason('abc')).toBe('the string "abc", not a number (the only strings read as numbers are "NaN", "Infinity" and "-Infinity")');
    expect(reason([1, 'nan'])).toMatch(/^element \[1\] is the string "nan", not a number/);
    expect(reason([[1, null]])).toBe('element [0][1] is null, not a number');
    expect(reason(true)).toBe('true, not a number');
    expect(reason({ a: 1 })).toBe('an object, not a number');
    expect(reason([[1], { a: 1 }])).toBe('element [1] is an object, not a list');
    expect(reason([{ a: 1 }, [1]])).toBe('element [0] is an object, not a number');
  });

  it(`reads arrays ${MAX_NESTING} deep and no deeper, without recursion`, () => {
    const nest = (d: number) => {
      let v: unknown = 1;
      for (let i = 0; i < d; i++) v = [v];
      return v;
    };
    expect(ok(jsonValueToTensor(nest(MAX_NESTING), 'v')).shape).toHaveLength(MAX_NESTING);
    expect(error(jsonValueToTensor(nest(MAX_NESTING + 1), 'v'))).toMatch(/lists nest more than 64 deep$/);
    expect(error(jsonValueToTensor(nest(1_000_000), 'v'))).toMatch(/lists nest more than 64 deep$/);
  });

  it('reads a 1,000,000-element array quickly, and does not allocate for the shape a ragged array claims', () => {
    const big = Array.from({ length: 1_000_000 }, (_, i) => i / 7);
    // The first path says [100000, 100000] (10^10 elements); the second row is short.
    const ragged: unknown[] = [new Array(100_000).fill(0), [1], ...new Array(99_998).fill([1])];
    const started = performance.now();
    const value = ok(jsonValueToTensor(big, 'v'));
    expect(error(jsonValueToTensor(ragged, 'v'))).toMatch(/row 1 has 1 element, row 0 has 100000$/);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(bits(value.data)).toBe(bits(Float64Array.from(big)));
  });
});

describe('formatJsonTensor', () => {
  it('writes nested lists in the shape, and a scalar as a number', () => {
    expect(formatJsonTensor(t([2, 2], [0.1, 0.2, 0.3, 0.4]))).toBe('[[0.1, 0.2], [0.3, 0.4]]');
    expect(formatJsonTensor(t([2], [0.5, -1]))).toBe('[0.5, -1]');
    expect(formatJsonTensor(t([], [2]))).toBe('2');
    expect(formatJsonTensor(t([1], [2]))).toBe('[2]');
    expect(formatJsonTensor(t([1, 1, 1], [2]))).toBe('[[[2]]]');
    expect(formatJsonTensor(t([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]))).toBe('[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]');
    expect(formatJsonTensor(t([2, 1, 3], [1, 2, 3, 4, 5, 6]))).toBe('[[[1, 2, 3]], [[4, 5, 6]]]');
    expect(formatJsonTensor(t([3, 1], [1, 2, 3]))).toBe('[[1], [2], [3]]');
  });

  it('writes numbers in full, non-finite ones as strings, and -0 as -0', () => {
    expect(formatJsonTensor(t([6], [0.1 + 0.2, 1e-300, -1.5e300, NaN, Infinity, -Infinity])))
      .toBe('[0.30000000000000004, 1e-300, -1.5e+300, "NaN", "Infinity", "-Infinity"]');
    expect(formatJsonTensor(t([2], [-0, 0]))).toBe('[-0, 0]');
    expect(formatJsonTensor(t([], [NaN]))).toBe('"NaN"');
    expect(formatJsonTensor(t([], [-0]))).toBe('-0');
    expect(formatJsonTensor({ shape: [2], data: [1, 2] })).toBe('[1, 2]');
  });

  it('writes empty axes as empty lists', () => {
    expect(formatJsonTensor(t([0], []))).toBe('[]');
    expect(formatJsonTensor(t([2, 0, 3], []))).toBe('[[], []]');
  });

  it('refuses data that does not fit the shape (a bug in the caller, not bad input)', () => {
    expect(() => formatJsonTensor(t([2, 2], [1, 2, 3]))).toThrow(/internal/);
  });

  it('writes 1,000,000 elements in linear time', () => {
    const data = Float64Array.from({ length: 1_000_000 }, (_, i) => Math.sin(i));
    const started = performance.now();
    const text = formatJsonTensor({ shape: [1000, 10, 100], data });
    expect(performance.now() - started).toBeLessThan(3000); // generous: a shared, busy machine
    expect(text.startsWith(`[[[${data[0]}, ${data[1]}`)).toBe(true);
    expect(text.endsWith(`${data[999_999]}]]]`)).toBe(true);
  });

  it('round-trips through JSON.parse and jsonValueToTensor bit for bit, -0 and NaN included', () => {
    const special = [-0, 0, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE, 0.1, 1 / 3, 2 ** 53 + 2, 5e-324];
    const random = Array.from({ length: 10_000 }, (_, i) => (Math.random() - 0.5) * 10 ** ((i % 600) - 300));
    const cases: TensorLiteral[] = [
      t([], [-0]), t([], [NaN]), t([], [Math.PI]),
      t([special.length], special),
      t([11, 2], [...special, ...special]),
      t([10, 10, 100], random),
    ];
    for (const tensor of cases) {
      const back = ok(jsonValueToTensor(JSON.parse(formatJsonTensor(tensor)), 'v'));
      expect(back.shape).toEqual(tensor.shape);
      expect(bits(back.data)).toBe(bits(tensor.data));
      // and the same through the --at reader, where NaN and Infinity are written bare
      const atText = formatJsonTensor(tensor).replace(/"/g, '');
      expect(bits(ok(parseValueText(atText)).data)).toBe(bits(tensor.data));
    }
  });
});

describe('bindShapes', () => {
  const decl = (name: string, kind: 'param' | 'input', shape: (number | string)[]): DeclaredValue => ({ name, kind, shape });
  const mlp = [decl('W', 'param', [2, 16]), decl('b', 'param', [16]), decl('c', 'param', []), decl('X', 'input', ['n', 2]), decl('y', 'input', ['n'])];
  const zeros = (shape: number[]) => t(shape, new Array(shape.reduce((a, b) => a * b, 1)).fill(0));
  const given = (entries: Record<string, number[]>) => new Map(Object.entries(entries).map(([k, s]) => [k, zeros(s)]));

  it('takes the size of each dimension name from the values', () => {
    expect(bindShapes(mlp, given({ W: [2, 16], b: [16], c: [], X: [5, 2], y: [5] }))).toEqual({ dims: new Map([['n', 5]]) });
    const two = [decl('A', 'input', ['n', 'm']), decl('B', 'input', ['m', 'k', 'n'])];
    expect(bindShapes(two, given({ A: [2, 3], B: [3, 4, 2] })).dims).toEqual(new Map([['n', 2], ['m', 3], ['k', 4]]));
    expect(bindShapes([], new Map())).toEqual({ dims: new Map() });
  });

  it('leaves missing and undeclared values to the caller', () => {
    expect(bindShapes(mlp, given({ X: [5, 2], z: [7] }))).toEqual({ dims: new Map([['n', 5]]) });
    expect(bindShapes(mlp, given({ W: [2, 16] }))).toEqual({ dims: new Map() });
  });

  it('reports a wrong rank or size, naming the value, the shape expected and the shape given', () => {
    expect(bindShapes(mlp, given({ X: [5, 3] })).problems).toEqual([
      { name: 'X', code: 'E215', severity: 'error', message: "input 'X' should have shape [n, 2] (n = 5 from 'X'), got [5, 3]" },
    ]);
    const { problems } = bindShapes(mlp, given({ W: [16, 2], b: [16, 1], c: [1], X: [5], y: [5] }));
    expect(problems!.map((p) => `${p.name}: ${p.message}`)).toEqual([
      "W: param 'W' should have shape [2, 16], got [16, 2]",
      "b: param 'b' should have shape [16], got [16, 1]",
      "c: param 'c' should have shape [], got [1]",
      "X: input 'X' should have shape [n, 2], got [5]",
      // X has the wrong rank, so y is the first value to give n.
    ]);
    expect(bindShapes([decl('S', 'input', ['n', 'n'])], given({ S: [3, 4] })).problems![0]!.message)
      .toBe("input 'S' should have shape [n, n] (n = 3 from 'S'), got [3, 4]");
    expect(bindShapes([decl('x', 'input', [])], given({ x: [3] })).problems![0]!.message).toBe("input 'x' should have shape [], got [3]");
  });

  it('reports sizes that disagree on a dimension name, naming both values and both sizes', () => {
    expect(bindShapes(mlp, given({ X: [5, 2], y: [4] })).problems).toEqual([{
      name: 'y', code: 'E216', severity: 'error',
      message: "dimension 'n' is 5 in 'X' but 4 in 'y': input 'y' should have shape [n] (n = 5 from 'X'), got [4]",
    }]);
    const two = [decl('A', 'input', ['n', 'm']), decl('B', 'input', ['m', 'n']), decl('C', 'input', ['n'])];
    const { problems } = bindShapes(two, given({ A: [2, 3], B: [3, 7], C: [9] }));
    expect(problems!.map((p) => p.message)).toEqual([
      "dimension 'n' is 2 in 'A' but 7 in 'B': input 'B' should have shape [m, n] (m = 3 from 'A', n = 2 from 'A'), got [3, 7]",
      "dimension 'n' is 2 in 'A' but 9 in 'C': input 'C' should have shape [n] (n = 2 from 'A'), got [9]",
    ]);
  });

  it('reports a dimension name of size 0 (a design choice: every dimension is at least 1)', () => {
    expect(bindShapes(mlp, given({ X: [0, 2], y: [0] })).problems!.map((p) => [p.name, p.code, p.message])).toEqual([
      ['X', 'E217', "input 'X' should have shape [n, 2], got [0, 2]: dimension 'n' cannot be 0 (every dimension is at least 1)"],
      ['y', 'E217', "input 'y' should have shape [n], got [0]: dimension 'n' cannot be 0 (every dimension is at least 1)"],
    ]);
    // once n has a size, 0 is just a size that disagrees
    expect(bindShapes(mlp, given({ X: [3, 2], y: [0] })).problems![0]!.code).toBe('E216');
  });
});

describe('readTensorJson', () => {
  const names = ['W', 'b', 'c'];

  it('reads an object of numbers and nested lists, in declaration order', () => {
    const result = readTensorJson('\uFEFF{"c": 2, "W": [[1, 2], [3, 4]], "b": [0.5, "-Infinity"]}', 'param', names);
    expect(result.problems).toBeUndefined();
    expect([...result.values!]).toEqual([['W', t([2, 2], [1, 2, 3, 4])], ['b', t([2], [0.5, -Infinity])], ['c', t([], [2])]]);
  });

  it('lets values be missing unless every one is required', () => {
    expect([...readTensorJson('{"b": [1]}', 'param', names).values!.keys()]).toEqual(['b']);
    expect(readTensorJson('{\n  "b": [1]\n}', 'param', names, { requireAll: true }).problems).toEqual([
      { code: 'E222', severity: 'error', message: "no value for param 'W'", row: 1, column: 1 },
      { code: 'E222', severity: 'error', message: "no value for param 'c'", row: 1, column: 1 },
    ]);
  });

  it('reports unknown keys and bad values at their keys, in file order', () => {
    const text = '{\n  "W": [[1, 2], [3]],\n  "z": 1,\n  "b": "one",\n  "__proto__": 2\n}';
    expect(readTensorJson(text, 'param', names).problems).toEqual([
      { code: 'E221', severity: 'error', row: 2, column: 3,
        message: "the value of param 'W' is not a number or a nested list of numbers: ragged list: row 1 has 1 element, row 0 has 2" },
      { code: 'E220', severity: 'error', row: 3, column: 3, message: "'z' is not a param of the program (its params are W, b, c)" },
      { code: 'E221', severity: 'error', row: 4, column: 3,
        message: "the value of param 'b' is not a number or a nested list of numbers: the string \"one\", not a number "
          + '(the only strings read as numbers are "NaN", "Infinity" and "-Infinity")' },
      { code: 'E220', severity: 'error', row: 5, column: 3, message: "'__proto__' is not a param of the program (its params are W, b, c)" },
    ]);
    expect(readTensorJson('{"X": 1}', 'input', []).problems![0]!.message).toBe("'X' is not an input of the program (it has no inputs)");
  });

  it('reports text that is not JSON, or not an object, where it is', () => {
    const bad = readTensorJson('{\n  "W": [1 2]\n}', 'param', names).problems!;
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ code: 'E218', severity: 'error', row: 2, column: 11 });
    // an engine message without a position is reported at the start
    expect(readTensorJson('{\n  "W": [1, 2,]\n}', 'param', names).problems![0]).toMatchObject({ code: 'E218', row: 1, column: 1 });
    expect(bad[0]!.message).toMatch(/^not valid JSON: /);
    expect(readTensorJson('', 'param', names).problems![0]!.code).toBe('E218');
    for (const text of ['  [1, 2]', 'null', '3', '"W"']) {
      expect(readTensorJson(text, 'input', names).problems).toEqual([{
        code: 'E219', severity: 'error', row: 1, column: text.search(/\S/) + 1,
        message: 'expected one JSON object mapping each input name to a number or a nested list of numbers, e.g. {"W": [[1, 2], [3, 4]], "c": 0.5}',
      }]);
    }
  });

  it('shows the first 10 problems and then says more follow', () => {
    const text = JSON.stringify(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])));
    const { problems } = readTensorJson(text, 'param', names);
    expect(problems).toHaveLength(11);
    expect(problems!.at(-1)).toMatchObject({ code: 'E223', severity: 'note', message: 'more problems follow; only the first 10 are shown' });
  });

  it('reads a file of 1,000,000 elements, and one nested 100,000 deep, quickly and without a stack overflow', () => {
    const big = JSON.stringify({ W: Array.from({ length: 1000 }, (_, r) => Array.from({ length: 1000 }, (_, c) => r * 1000 + c)) });
    const deep = `{"W": ${'['.repeat(100_000)}1${']'.repeat(100_000)}}`;
    const started = performance.now();
    expect(readTensorJson(big, 'param', names).values!.get('W')!.shape).toEqual([1000, 1000]);
    expect(readTensorJson(deep, 'param', names).problems![0]!.message).toMatch(/lists nest more than 64 deep$/);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('the new rows of the diagnostics table', () => {
  it('are errors (and one note) with codes E213 to E223, each registered to the CLI', () => {
    const rows = Object.entries(CLI_DIAGNOSTICS).filter(([, r]) => /^E2(1[3-9]|2[0-3])$/.test(r.code));
    expect(rows.map(([, r]) => r.code)).toEqual(Array.from({ length: 11 }, (_, i) => `E${213 + i}`));
    for (const [kind, row] of rows) {
      expect(registeredCodes().get(row.code)).toBe(`cli.${kind}`);
      expect(row.severity).toBe(kind === 'valuesTooManyProblems' ? 'note' : 'error');
    }
  });
});
