/** The graph with shapes: broadcasting made explicit, attributes in the identity, folding, the verifier. */
import { describe, expect, it } from 'vitest';
import { programOf } from './func.js';
import { Graph } from './graph.js';
import type { Node } from './node.js';
import { simplifier } from './simplify.js';
import { printIR } from './text.js';
import { verifyProgram } from './verify.js';

describe('tensor nodes', () => {
  it('broadcasts elementwise arguments explicitly: every argument has the result shape', () => {
    const g = new Graph();
    const X = g.input('X', 0, ['n', 16]);
    const b = g.param('b', 0, [16]);
    const sum = g.add(X, b);
    expect(sum.shape).toEqual(['n', 16]);
    expect(sum.args[0]).toBe(X);
    expect(sum.args[1]!.op).toBe('broadcast');
    expect(sum.args[1]!.attrs).toEqual({ shape: ['n', 16] });
    expect(sum.args[1]!.args[0]).toBe(b);
  });

  it('a constant broadcasts to a constant of the shape (no node), and folds', () => {
    const g = new Graph();
    const v = g.param('v', 0, [3]);
    const twice = g.mul(g.const(2), v);
    expect(twice.args[0]!.op).toBe('const');
    expect(twice.args[0]!.shape).toEqual([3]);
    expect(g.add(g.const(1, [3]), g.const(2)).value).toBe(3);
    expect(g.make('count', [], { dims: [2, 3] }).value).toBe(6);
    expect(g.make('count', [], { dims: ['n', 3] }).op).toBe('count');
  });

  it('attributes are part of a node: sum over axis 0 and over axis 1 are two nodes', () => {
    const g = new Graph();
    const A = g.param('A', 0, [2, 3]);
    const s0 = g.make('sum', [A], { axes: [0], keepdims: false });
    const s1 = g.make('sum', [A], { axes: [1], keepdims: false });
    expect(s0).not.toBe(s1);
    expect(s0.shape).toEqual([3]);
    expect(s1.shape).toEqual([2]);
    expect(g.make('sum', [A], { axes: [0], keepdims: false })).toBe(s0);
    expect(g.make('sum', [A], { axes: [0], keepdims: true }).shape).toEqual([1, 3]);
  });

  it('x * 1 simplifies only where the 1 does not broadcast x', () => {
    const g = new Graph(simplifier);
    const a = g.param('a', 0);
    const v = g.param('v', 1, [3]);
    expect(g.mul(v, g.const(1))).toBe(v);
    const scaled = g.mul(a, g.const(1, [3])); // a scalar times a vector of ones: a vector
    expect(scaled.shape).toEqual([3]);
    expect(scaled.op).toBe('broadcast');
    expect(scaled.args[0]).toBe(a);
  });

  it('a shape error in a builder is an internal error naming the op', () => {
    const g = new Graph();
    expect(() => g.add(g.param('u', 0, [2]), g.param('v', 1, [3]))).toThrow(/internal: add: cannot broadcast \[2\] with \[3\]/);
    expect(() => g.matmul(g.param('A', 2, [2, 3]), g.param('B', 3, [2, 3]))).toThrow(/internal: matmul: inner dimensions/);
  });

  it('prints types, and the verifier accepts what the graph makes', () => {
    const g = new Graph();
    const W = g.param('W', 0, [2, 16]);
    const X = g.input('X', 0, ['n', 2]);
    const value = g.make('sum', [g.matmul(X, W)], { axes: [0, 1], keepdims: false });
    const p = programOf(g, [W], [X], value);
    expect(printIR(p)).toContain('%2: f64[n,16] = matmul %1 %0');
    expect(() => verifyProgram(p)).not.toThrow();
  });

  it('the verifier names a node whose elementwise argument is not broadcast, or whose type is wrong', () => {
    const g = new Graph();
    const u = g.param('u', 0, [3]);
    const a = g.param('a', 1);
    const fake = (op: string, args: Node[], shape: (number | string)[]): Node => ({ id: 99, op: op as Node['op'], args, shape, attrs: {} });
    const unbroadcast = fake('add', [u, a], [3]);
    const sum = (x: Node) => g.make('sum', [x], { axes: [0], keepdims: false });
    expect(() => verifyProgram(programOf(g, [u, a], [], sum(unbroadcast)), 'test')).toThrow(/test: node %99 \(add\): an elementwise argument has shape \[\]/);
    expect(() => verifyProgram(programOf(g, [u, a], [], sum(fake('exp', [u], [4]))), 'test')).toThrow(/has type \[4\], its shape rule gives \[3\]/);
    expect(() => verifyProgram(programOf(g, [u, a], [], fake('nosuch', [], [])), 'test')).toThrow(/not an op of the table/);
  });
});
