import { describe, expect, it } from 'vitest';
import { readParamsJson } from './params-json.js';

const NAMES = ['w1', 'w2', 'b'];

describe('readParamsJson', () => {
  it('reads every param, in param order, whatever the key order', () => {
    const result = readParamsJson('{"b": 0.1, "w1": 0.5, "w2": -1.2}\n', NAMES);
    expect(Array.from(result.params!)).toEqual([0.5, -1.2, 0.1]);
  });

  it('reads any name, including __proto__ and constructor, and the non-finite strings', () => {
    const text = '{"__proto__": 1, "constructor": "NaN", "new": "-Infinity"}';
    const result = readParamsJson(text, ['constructor', '__proto__', 'new']);
    expect(Array.from(result.params!)).toEqual([NaN, 1, -Infinity]);
  });

  it('names a missing param, an unknown param and a non-number value, with where they are', () => {
    const result = readParamsJson('{\n  "w1": 0.5,\n  "w3": 1,\n  "b": "x"\n}', NAMES);
    expect(result.problems!.map((p) => [p.code, p.row, p.column, p.message])).toEqual([
      ['P003', 1, 1, "no value for param 'w2'"],
      ['P004', 3, 3, "'w3' is not a param of the program (its params are w1, w2, b)"],
      ['P005', 4, 3, `the value of param 'b' is not a number (numbers, or the strings "NaN", "Infinity", "-Infinity")`],
    ]);
  });

  it('wants one object', () => {
    for (const text of ['[1, 2, 3]', '  0.5', 'null']) {
      const result = readParamsJson(text, NAMES);
      expect(result.problems!.map((p) => p.code)).toEqual(['P002']);
    }
  });

  it('points at the place where the JSON breaks', () => {
    const [p] = readParamsJson('{\n  "w1": 0.5,\n}', NAMES).problems!;
    expect([p!.code, p!.row, p!.column]).toEqual(['P001', 3, 1]);
    const [end] = readParamsJson('{"w1": 0.5', NAMES).problems!;
    expect([end!.code, end!.row, end!.column]).toEqual(['P001', 1, 11]);
  });
});
