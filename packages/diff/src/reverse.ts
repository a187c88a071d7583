/**
 * Reverse-mode symbolic differentiation over the DAG. Walks the nodes in
 * reverse topological order, asks each op's vjp rule (from the op table) for
 * its arguments' cotangents, and accumulates them with the graph's own `add`.
 * Zero cotangents are symbolic (absent) and never materialised. The gradient
 * nodes live in the same graph as the forward nodes, so they share every
 * common subexpression with it. No recursion: deep graphs are fine.
 */
import { opNamed, topoOrder, type IRFunction, type Node, type OpDef } from '@autodiff/ir';

/**
 * `rules` looks up each op's vjp; tests pass a doctored copy of the op table
 * to show that a wrong rule is caught by the cross-checks.
 */
export function differentiate(fn: IRFunction, rules: (op: string) => OpDef = opNamed): IRFunction {
  const g = fn.graph;
  const order = topoOrder([fn.value]);
  // Per-node state in arrays indexed by node id (ids of existing nodes are < g.size).
  const size = g.size;

  // Only nodes that depend on a parameter carry a gradient.
  const needsGrad = new Uint8Array(size);
  for (const p of fn.params) needsGrad[p.id] = 1;
  for (const node of order) {
    if (node.args.some((a) => needsGrad[a.id] === 1)) needsGrad[node.id] = 1;
  }

  const adjoint: (Node | undefined)[] = new Array(size);
  if (needsGrad[fn.value.id] === 1) adjoint[fn.value.id] = g.const(1);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const cotangent = adjoint[node.id];
    if (!cotangent || node.args.length === 0) continue;
    const contributions = rules(node.op).vjp(g, node.args, node, cotangent);
    for (let k = 0; k < node.args.length; k++) {
      const arg = node.args[k]!;
      const c = contributions[k];
      if (!c || needsGrad[arg.id] !== 1) continue;
      const previous = adjoint[arg.id];
      adjoint[arg.id] = previous ? g.add(previous, c) : c;
    }
  }

  return { ...fn, grads: fn.params.map((p) => adjoint[p.id] ?? g.const(0)) };
}
