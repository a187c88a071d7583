/** AST -> IR: a checked program becomes nodes in a (raw, unsimplified) graph. */
import { Graph, type IRFunction, type Node } from '@autodiff/ir';
import { CONSTANTS, foldExpr, type BinaryOp, type CheckedProgram, type Expr } from '@autodiff/parser';

const BINARY_OPS: Record<BinaryOp, string> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow' };

export function lower(checked: CheckedProgram): IRFunction {
  const g = new Graph();
  const params = checked.params.map((p, i) => g.param(p.name, i));
  const inputs = checked.inputs.map((x, i) => g.input(x.name, i));
  const env = new Map<string, Node>();
  params.forEach((n) => env.set(n.name!, n));
  inputs.forEach((n) => env.set(n.name!, n));
  for (const [name, value] of CONSTANTS) env.set(name, g.const(value));

  const lowerExpr = (e: Expr): Node =>
    foldExpr<Node>(e, (node, args) => {
      switch (node.kind) {
        case 'number': return g.const(node.value);
        case 'name': return env.get(node.name)!;
        case 'unary': return node.op === '-' ? g.neg(args[0]!) : args[0]!;
        case 'binary': return g.make(BINARY_OPS[node.op], args[0]!, args[1]!);
        case 'call': return g.make(node.callee, ...args);
      }
    });

  // Bindings are single-assignment and defined before use: source order works.
  for (const [name, value] of checked.bindings) env.set(name, lowerExpr(value));
  return { graph: g, params, inputs, value: lowerExpr(checked.output) };
}
