/** Reverse mode as a program transform: outputs appended, applied again, and a wrong rule caught loudly. */
import { Graph, opNamed, programOf, topoOrder, verifyProgram, type Node, type OpDef } from '@autodiff/ir';
import { describe, expect, it } from 'vitest';
import { vjp } from './reverse.js';

describe('vjp', () => {
  it('appends one gradient output per param, of its shape, and keeps the program verifiable', () => {
    const g = new Graph();
    const W = g.param('W', 0, [2, 3]);
    const c = g.param('c', 1);
    const X = g.input('X', 0, ['n', 2]);
    const value = g.make('sum', [g.mul(g.matmul(X, W), c)], { axes: [0, 1], keepdims: false });
    const p = vjp(programOf(g, [W, c], [X], value));
    expect(p.outputs.map((o) => o.name)).toEqual(['value', 'd/dW', 'd/dc']);
    expect(p.outputs[1]!.node.shape).toEqual([2, 3]);
    expect(p.outputs[2]!.node.shape).toEqual([]);
    expect(() => verifyProgram(p, 'vjp')).not.toThrow();
  });

  it('an unused tensor param gets a zero of its shape', () => {
    const g = new Graph();
    const u = g.param('u', 0, [4]);
    const a = g.param('a', 1);
    const p = vjp(programOf(g, [u, a], [], g.mul(a, a)));
    expect(p.outputs[1]!.node).toMatchObject({ op: 'const', value: 0, shape: [4] });
  });

  it('refuses a value that is not a scalar', () => {
    const g = new Graph();
    const u = g.param('u', 0, [4]);
    expect(() => vjp(programOf(g, [u], [], u))).toThrow(/vjp of a value of shape \[4\]/);
  });

  it("fails loudly, with the op's name, on a rule that returns the wrong number or shape of cotangents", () => {
    const g = new Graph();
    const x = g.param('x', 0, [3]);
    const value = g.make('sum', [g.call('sin', x)], { axes: [0], keepdims: false });
    const tooMany: OpDef = { ...opNamed('sin'), vjp: (b, [a], _o, h) => [b.mul(h, b.call('cos', a!)), null] };
    const wrongShape: OpDef = { ...opNamed('sum'), vjp: (_b, _a, _o, h) => [h] };
    const program = programOf(g, [x], [], value);
    expect(() => vjp(program, (op) => (op === 'sin' ? tooMany : opNamed(op)))).toThrow(/the vjp rule of 'sin' returned 2 cotangents for 1 arguments/);
    expect(() => vjp(program, (op) => (op === 'sum' ? wrongShape : opNamed(op)))).toThrow(/the vjp rule of 'sum' gave argument 0 a cotangent of shape \[\], not \[3\]/);
  });

  it('is a transform of programs: the result is a program again, which can be differentiated again', () => {
    const g = new Graph();
    const x = g.param('x', 0);
    const once = vjp(programOf(g, [x], [], g.mul(g.mul(x, x), x))); // x^3: 3x^2
    // d/dx of the gradient output: treat it as the value of a new program (6x).
    const twice = vjp(programOf(g, [x], [], once.outputs[1]!.node));
    const slope = twice.outputs[1]!.node;
    expect(() => verifyProgram(twice)).not.toThrow();
    // Evaluated at x = 2 with the table's scalar evals: 3x^2 = 12 and 6x = 12.
    const at = (n: Node) => {
      const values = new Map<Node, number>([[x, 2]]);
      for (const m of topoOrder([n])) if (!values.has(m)) values.set(m, m.op === 'const' ? m.value! : opNamed(m.op).eval!(...m.args.map((a) => values.get(a)!)));
      return values.get(n)!;
    };
    expect(at(once.outputs[1]!.node)).toBe(12);
    expect(at(slope)).toBe(12);
  });
});
