/** AST -> IR: a checked program becomes nodes in a graph (raw, unsimplified by default). */
import { Graph, type IRFunction, type Node } from '@autodiff/ir';
import { CONSTANTS, foldExpr, type BinaryOp, type CheckedProgram, type Expr, type Span } from '@autodiff/parser';

const BINARY_OPS: Record<BinaryOp, string> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow' };

/** Where each IR node comes from in the source (for tools that point back at it). */
export interface SourceMap {
  /** Every source range that evaluates to the node: expressions, declarations, binding names. */
  spans: Map<Node, Span[]>;
  /** The name the first binding gives a node. */
  bindingNames: Map<Node, string>;
}

export function lower(checked: CheckedProgram): IRFunction {
  return lowerInto(checked, new Graph(), {});
}

/**
 * Lower into `graph` and record the source of every node. Lowering into a
 * compilation's final graph finds the nodes the compiler made, since the
 * graph hash-conses and simplifies the same way.
 */
export function lowerWithSources(checked: CheckedProgram, graph: Graph = new Graph()): { fn: IRFunction; sources: SourceMap } {
  const spans = new Map<Node, Span[]>();
  const note = (node: Node, span: Span) => {
    const list = spans.get(node);
    if (list) list.push(span);
    else spans.set(node, [span]);
  };
  const bindingNames = new Map<Node, string>();
  const bound = (name: string, node: Node) => {
    if (!bindingNames.has(node)) bindingNames.set(node, name);
  };
  const fn = lowerInto(checked, graph, { note, bound });
  return { fn, sources: { spans, bindingNames } };
}

interface Hooks {
  /** A node and a source range that evaluates to it. */
  note?: (node: Node, span: Span) => void;
  /** A binding's name and its node. */
  bound?: (name: string, node: Node) => void;
}

function lowerInto(checked: CheckedProgram, g: Graph, { note = () => {}, bound = () => {} }: Hooks): IRFunction {

  const params = checked.params.map((p, i) => g.param(p.name, i));
  const inputs = checked.inputs.map((x, i) => g.input(x.name, i));
  const env = new Map<string, Node>();
  checked.params.forEach((p, i) => { env.set(p.name, params[i]!); note(params[i]!, p.span); });
  checked.inputs.forEach((x, i) => { env.set(x.name, inputs[i]!); note(inputs[i]!, x.span); });
  for (const [name, value] of CONSTANTS) env.set(name, g.const(value));

  const lowerExpr = (e: Expr): Node =>
    foldExpr<Node>(e, (node, args) => {
      let result: Node;
      switch (node.kind) {
        case 'number': result = g.const(node.value); break;
        case 'name': result = env.get(node.name)!; break;
        case 'unary': result = node.op === '-' ? g.neg(args[0]!) : args[0]!; break;
        case 'binary': result = g.make(BINARY_OPS[node.op], args[0]!, args[1]!); break;
        case 'call': result = g.make(node.callee, ...args); break;
      }
      note(result, node.span);
      return result;
    });

  // Bindings are single-assignment and defined before use: source order works.
  for (const s of checked.program.statements) {
    if (s.kind !== 'bind') continue;
    const node = lowerExpr(s.value);
    env.set(s.target.name, node);
    note(node, s.target.span);
    bound(s.target.name, node);
  }
  const last = checked.program.statements[checked.program.statements.length - 1];
  const value = last?.kind === 'bind' ? env.get(last.target.name)! : lowerExpr(checked.output);
  return { graph: g, params, inputs, value };
}
