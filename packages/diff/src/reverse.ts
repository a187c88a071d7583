/**
 * Reverse mode as a program transform: `vjp(program)` appends to the program
 * the gradient of its value (its first output, a scalar) with respect to each
 * param. It walks the nodes in reverse topological order, asks each op's vjp
 * rule (from the op table) for its arguments' cotangents, and accumulates them
 * with the graph's own `add`. Zero cotangents are symbolic (absent) and never
 * materialised. The gradient nodes live in the same graph as the forward
 * nodes, so they share every common subexpression with it. No recursion: deep
 * graphs are fine. The result is a program again, so it can be transformed again.
 */
import { gradientName, opNamed, topoOrder, valueOf, type Node, type OpDef, type Program } from '@autodiff/ir';
import { formatShape, sameShape } from '@autodiff/ir';

/**
 * `rules` looks up each op's vjp; tests pass a doctored copy of the op table
 * to show that a wrong rule is caught by the cross-checks.
 */
export function vjp(program: Program, rules: (op: string) => OpDef = opNamed, wrt: readonly Node[] = program.params): Program {
  const g = program.graph;
  const value = valueOf(program);
  if (value.shape.length !== 0) throw new Error(`internal: vjp of a value of shape ${formatShape(value.shape)}, not a scalar`);
  const order = topoOrder([value]);
  // Per-node state in arrays indexed by node id (ids of existing nodes are < g.size).
  const size = g.size;

  // Only nodes that depend on a differentiated leaf carry a gradient.
  const needsGrad = new Uint8Array(size);
  for (const p of wrt) needsGrad[p.id] = 1;
  for (const node of order) {
    if (node.args.some((a) => needsGrad[a.id] === 1)) needsGrad[node.id] = 1;
  }

  const adjoint: (Node | undefined)[] = new Array(size);
  if (needsGrad[value.id] === 1) adjoint[value.id] = g.const(1);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const cotangent = adjoint[node.id];
    if (!cotangent || node.args.length === 0) continue;
    const contributions = rules(node.op).vjp(g, node.args, node, cotangent);
    if (contributions.length !== node.args.length) {
      throw new Error(`internal: the vjp rule of '${node.op}' returned ${contributions.length} cotangents for ${node.args.length} arguments`);
    }
    for (let k = 0; k < node.args.length; k++) {
      const arg = node.args[k]!;
      const c = contributions[k];
      if (!c || needsGrad[arg.id] !== 1) continue;
      if (!sameShape(c.shape, arg.shape)) {
        throw new Error(`internal: the vjp rule of '${node.op}' gave argument ${k} a cotangent of shape ${formatShape(c.shape)}, not ${formatShape(arg.shape)}`);
      }
      const previous = adjoint[arg.id];
      adjoint[arg.id] = previous ? g.add(previous, c) : c;
    }
  }

  const grads = wrt.map((p) => ({ name: gradientName(p.name!), node: adjoint[p.id] ?? g.const(0, p.shape) }));
  return { ...program, outputs: [...program.outputs, ...grads] };
}
