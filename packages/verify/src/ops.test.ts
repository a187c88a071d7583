/**
 * One row per op of the table: each op a source program can write, at many
 * points drawn from its own domain sampler, through the compiled code, the
 * tape engine (whose derivatives are written by hand, apart from the table)
 * and central differences. The table's `eval` is checked against both too.
 */
import { compileSource } from '@autodiff/compiler';
import { describe, expect, it } from 'vitest';
import { checkGradient, ENGINE_TOLERANCE, relativeError, seededRandom } from './index.js';
import { applyOp, SOURCE_OPS } from './testing/op-source.js';

const POINTS = 200;
const NAMES = ['a', 'b'];

describe.each(SOURCE_OPS.map((op) => [op.name, op] as const))('op %s', (name, op) => {
  const params = NAMES.slice(0, op.arity);
  // Every spelling: pow also as ^ and **, neg also as +-a.
  const forms = name === 'pow' ? [0, 1, 2] : name === 'neg' ? [0, 1] : [0];

  it.each(forms)(`compiled, tape and finite differences agree at ${POINTS} points of its domain (form %i)`, (form) => {
    const source = `param ${params.join(', ')}\n${applyOp(name, params, form)}\n`;
    const compilation = compileSource(source);
    expect(compilation.diagnostics).toEqual([]);
    const random = seededRandom(0x5eed + form);
    const failures: string[] = [];
    for (let i = 0; i < POINTS; i++) {
      const args = op.domain(random);
      const point = new Map(params.map((p, k) => [p, args[k]!]));
      const check = checkGradient(compilation, point);
      const expected = op.eval(...args);
      const at = `${name}(${args.join(', ')})`;
      if (relativeError(check.value.compiled, expected, 1e-3) > ENGINE_TOLERANCE) failures.push(`${at}: compiled value ${check.value.compiled} != eval ${expected}`);
      if (relativeError(check.value.tape, expected, 1e-3) > ENGINE_TOLERANCE) failures.push(`${at}: tape value ${check.value.tape} != eval ${expected}`);
      for (const p of check.params) {
        if (!p.ok) failures.push(`${at}: d/d${p.name} compiled ${p.compiled}, tape ${p.tape}, finite differences ${p.finiteDifference}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('the op table', () => {
  it('has an op for every function and operator the language names', () => {
    const functions = 'sin cos tan asin acos atan sinh cosh tanh exp log log1p sqrt abs sigmoid relu softplus gelu pow min max';
    const names = new Set<string>(SOURCE_OPS.map((o) => o.name));
    for (const f of [...functions.split(' '), 'add', 'sub', 'mul', 'div', 'neg']) expect(names.has(f), f).toBe(true);
  });
});
