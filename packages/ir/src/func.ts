import { Graph } from './graph.js';
import type { Node } from './node.js';

/**
 * A differentiable function in IR: its leaves in declaration order, its output
 * value, and (after differentiation) one gradient node per parameter.
 */
export interface IRFunction {
  readonly graph: Graph;
  readonly params: readonly Node[];
  readonly inputs: readonly Node[];
  readonly value: Node;
  readonly grads?: readonly Node[];
}

export function outputsOf(fn: IRFunction): Node[] {
  return [fn.value, ...(fn.grads ?? [])];
}

/**
 * Nodes reachable from `roots`, each after its arguments (post-order DFS with
 * an explicit stack: deep graphs must not overflow the call stack).
 * Deterministic: arguments are visited left to right.
 */
export function topoOrder(roots: readonly Node[]): Node[] {
  const order: Node[] = [];
  const done = new Set<Node>();
  const stack: { node: Node; next: number }[] = [];
  for (const root of roots) {
    if (done.has(root)) continue;
    stack.push({ node: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.node.args.length) {
        const child = top.node.args[top.next++]!;
        if (!done.has(child)) stack.push({ node: child, next: 0 });
      } else {
        stack.pop();
        if (!done.has(top.node)) {
          done.add(top.node);
          order.push(top.node);
        }
      }
    }
  }
  return order;
}

/**
 * Copy `fn` into `target` node by node (in topological order), so that the
 * target graph's rewriter sees every node. Unreachable nodes are dropped.
 */
export function rebuild(fn: IRFunction, target: Graph): IRFunction {
  const map = new Map<Node, Node>();
  const params = fn.params.map((p) => target.param(p.name!, p.index!));
  const inputs = fn.inputs.map((x) => target.input(x.name!, x.index!));
  fn.params.forEach((p, i) => map.set(p, params[i]!));
  fn.inputs.forEach((x, i) => map.set(x, inputs[i]!));
  for (const node of topoOrder(outputsOf(fn))) {
    if (map.has(node)) continue;
    const copy = node.op === 'const'
      ? target.const(node.value!)
      : target.make(node.op, ...node.args.map((a) => map.get(a)!));
    map.set(node, copy);
  }
  return {
    graph: target,
    params,
    inputs,
    value: map.get(fn.value)!,
    ...(fn.grads ? { grads: fn.grads.map((n) => map.get(n)!) } : {}),
  };
}
