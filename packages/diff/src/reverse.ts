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

  // Only nodes that depend on a parameter carry a gradient.
  const needsGrad = new Set<Node>(fn.params);
  for (const node of order) {
    if (node.args.some((a) => needsGrad.has(a))) needsGrad.add(node);
  }

  const adjoint = new Map<Node, Node>();
  if (needsGrad.has(fn.value)) adjoint.set(fn.value, g.const(1));
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const cotangent = adjoint.get(node);
    if (!cotangent || node.args.length === 0) continue;
    const contributions = rules(node.op).vjp(g, node.args, node, cotangent);
    node.args.forEach((arg, k) => {
      const c = contributions[k];
      if (!c || !needsGrad.has(arg)) return;
      const previous = adjoint.get(arg);
      adjoint.set(arg, previous ? g.add(previous, c) : c);
    });
  }

  return { ...fn, grads: fn.params.map((p) => adjoint.get(p) ?? g.const(0)) };
}
