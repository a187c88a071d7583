import { describe, expect, it } from 'vitest';
import { programOf, rebuild, topoOrder } from './func.js';
import type { OpName } from './op-names.js';
import { Graph } from './graph.js';
import { printIR } from './text.js';

describe('hash-consed graph', () => {
  it('makes structurally equal nodes the same node', () => {
    const g = new Graph();
    const x = g.param('x', 0);
    const a = g.mul(g.call('sin', x), g.const(2));
    const b = g.mul(g.call('sin', x), g.const(2));
    expect(a).toBe(b);
    expect(g.add(a, x)).not.toBe(g.add(x, a)); // no commutativity assumed
    expect(g.const(-0)).not.toBe(g.const(0));
    expect(g.const(NaN)).toBe(g.const(NaN));
  });

  it('folds operations on constants with the op table', () => {
    const g = new Graph();
    const c = g.call('pow', g.const(2), g.add(g.const(1), g.const(2)));
    expect(c.op).toBe('const');
    expect(c.value).toBe(8);
    expect(g.call('log', g.const(-1)).value).toBeNaN();
  });

  it('rejects an arity mismatch loudly', () => {
    const g = new Graph();
    expect(() => g.make('sin', [g.const(1), g.const(2)])).toThrow(/sin takes 1/);
    expect(() => g.make('nosuchop' as OpName, [g.const(1)])).toThrow(/no op named 'nosuchop'/);
  });

  it('orders a 1,000,000-node chain without recursion', () => {
    const g = new Graph();
    let x = g.param('x', 0);
    for (let i = 0; i < 1_000_000; i++) x = g.add(x, g.const(i));
    const order = topoOrder([x]);
    expect(order.length).toBe(1_000_000 * 2 + 1);
    expect(order[order.length - 1]).toBe(x);
  });

  it('prints the IR with constants inline and outputs named', () => {
    const g = new Graph();
    const x = g.param('x', 0);
    const y = g.input('y', 0);
    const value = g.mul(g.call('sin', x), y);
    const text = printIR(programOf(g, [x], [y], value, [g.mul(g.call('cos', x), y)]));
    expect(text).toBe(
      'fn (params: x; inputs: y) {\n  %0: f64 = param x\n  %1: f64 = input y\n  %2: f64 = sin %0\n  %3: f64 = mul %2 %1\n' +
      '  %4: f64 = cos %0\n  %5: f64 = mul %4 %1\n  value = %3\n  d/dx = %5\n}\n');
  });

  it('rebuild drops what the outputs do not reach and keeps every declared leaf', () => {
    const g = new Graph();
    const x = g.param('x', 0);
    const unused = g.param('u', 1);
    g.call('exp', x); // unreachable
    const fn = rebuild(programOf(g, [x, unused], [], g.call('sin', x)), new Graph());
    expect(fn.params.map((p) => p.name)).toEqual(['x', 'u']);
    expect(fn.graph.size).toBe(3);
  });
});
