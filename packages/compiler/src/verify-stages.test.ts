/** The IR verifier after every pass, on every example and every v2 reference program. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printIR, verifyProgram } from '@autodiff/ir';
import { describe, expect, it } from 'vitest';
import { compileSource } from './compile.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const examples = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(REPO, 'examples', f), 'utf8'));
const tensorCases = (JSON.parse(readFileSync(join(REPO, '../shared/reference/tensor-cases.json'), 'utf8')) as { source: string }[]).map((c) => c.source);

describe('the IR verifier', () => {
  it('accepts the IR after lowering and after every pass', () => {
    for (const source of [...examples, ...tensorCases]) {
      const { stages, diagnostics } = compileSource(source);
      expect(stages, diagnostics.map((d) => d.message).join('; ')).toBeDefined();
      for (const s of stages!) expect(() => verifyProgram(s.ir, s.pass)).not.toThrow();
    }
  });

  it('prints tensor types and attributes', () => {
    const { ir } = compileSource('param W: [2, 3]\ninput X: [n, 2]\nsum(X @ W, axis=0) @ [1, 2, 3, 4][1:]\n');
    expect(ir).toBeDefined();
    const text = printIR(ir!);
    expect(text).toContain('%1: f64[n,2] = input X');
    expect(text).toMatch(/f64\[n,3\] = matmul %1 %0/);
    expect(text).toMatch(/f64\[3\] = sum %\d+ \{axes=\[0\], keepdims=false\}/);
    expect(text).toMatch(/f64\[3\] = index %\d+ \{entries=\[\{start:1,end:4\}\]\}/);
  });

  it('fails loudly on a node whose type its shape rule does not give', async () => {
    const { Graph, programOf } = await import('@autodiff/ir');
    const g = new Graph();
    const x = g.param('x', 0, [3]);
    const s = g.make('sum', [x], { axes: [0], keepdims: false });
    // A hand-made program whose value is a tensor: the verifier names the node.
    expect(() => verifyProgram(programOf(g, [x], [], x), 'test')).toThrow(/not a scalar/);
    expect(() => verifyProgram(programOf(g, [x], [], s), 'test')).not.toThrow();
  });
});
