/** AST -> IR: a checked program becomes nodes in a graph (raw, unsimplified by default). */
import { exportName, Graph, SOURCE_FUNCTIONS, type Program, type Node } from '@autodiff/ir';
import { CONSTANTS, foldExpr, literalArguments, type CheckedProgram, type Expr, type Span } from '@autodiff/parser';

/** Where each IR node comes from in the source (for tools that point back at it). */
export interface SourceMap {
  /** Every source range that evaluates to the node: expressions, declarations, binding names. */
  spans: Map<Node, Span[]>;
  /** The name the first binding gives a node. */
  bindingNames: Map<Node, string>;
}

/**
 * `exports` names bindings whose values become outputs of their own after the
 * value (`compile --export NAME`); each must be a binding of the program.
 */
export function lower(checked: CheckedProgram, exports: readonly string[] = []): Program {
  return lowerInto(checked, new Graph(), { exports });
}

/**
 * Lower into `graph` and record the source of every node. Lowering into a
 * compilation's final graph finds the nodes the compiler made, since the
 * graph hash-conses and simplifies the same way.
 */
export function lowerWithSources(checked: CheckedProgram, graph: Graph = new Graph()): { fn: Program; sources: SourceMap } {
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
  /** Bindings to add as outputs. */
  exports?: readonly string[];
}

function lowerInto(checked: CheckedProgram, g: Graph, { note = () => {}, bound = () => {}, exports = [] }: Hooks): Program {
  const params = checked.params.map((p, i) => g.param(p.name, i, p.shape));
  const inputs = checked.inputs.map((x, i) => g.input(x.name, i, x.shape));
  const env = new Map<string, Node>();
  checked.params.forEach((p, i) => { env.set(p.name, params[i]!); note(params[i]!, p.span); });
  checked.inputs.forEach((x, i) => { env.set(x.name, inputs[i]!); note(inputs[i]!, x.span); });
  for (const [name, value] of CONSTANTS) env.set(name, g.const(value));

  /** The op and attributes the checker resolved for an operator, call or indexing. */
  const resolved = (e: Expr) => {
    const r = checked.resolved.get(e);
    if (!r) throw new Error(`internal: the checker resolved no op for a ${e.kind} expression`);
    return r;
  };
  const lowerExpr = (e: Expr): Node => {
    // Literal arguments (onehot's k, reshape's shape) are attributes, not values.
    const literal = literalArguments(e);
    return foldExpr<Node | null>(e, (node, args) => {
      if (literal.has(node)) return null;
      let result: Node;
      switch (node.kind) {
        case 'number': result = g.const(node.value); break;
        case 'name': result = env.get(node.name)!; break;
        case 'unary': result = node.op === '-' ? g.neg(args[0]!) : args[0]!; break;
        case 'binary': case 'index': {
          const { op, attrs } = resolved(node);
          result = g.make(op, args as Node[], attrs);
          break;
        }
        case 'call': {
          const { op, attrs } = resolved(node);
          const form = SOURCE_FUNCTIONS.get(node.callee)!.find((f) => f.positional === node.args.length)!;
          result = g.make(op, (args as Node[]).filter((_, k) => !form.literals?.[k]), attrs);
          break;
        }
        case 'stack': result = g.make('stack', args as Node[]); break;
      }
      note(result, node.span);
      return result;
    })!;
  };

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
  const bindings = new Set(checked.program.statements.flatMap((s) => (s.kind === 'bind' ? [s.target.name] : [])));
  const exported = exports.map((name) => {
    if (!bindings.has(name)) throw new RangeError(`internal: export '${name}' is not a binding of the program`);
    return { name: exportName(name), node: env.get(name)! };
  });
  return { graph: g, params, inputs, outputs: [{ name: 'value', node: value }, ...exported] };
}
