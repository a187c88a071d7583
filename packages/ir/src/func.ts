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
  // Marks indexed by node id, and a stack as two parallel arrays: no per-node
  // objects, which matters for graphs of a million nodes.
  let done = new Uint8Array(1024);
  const isDone = (n: Node) => n.id < done.length && done[n.id] === 1;
  const markDone = (n: Node) => {
    if (n.id >= done.length) {
      const grown = new Uint8Array(Math.max(done.length * 2, n.id + 1));
      grown.set(done);
      done = grown;
    }
    done[n.id] = 1;
  };
  const stackNodes: Node[] = [];
  const stackNext: number[] = [];
  for (const root of roots) {
    if (isDone(root)) continue;
    stackNodes.push(root);
    stackNext.push(0);
    while (stackNodes.length > 0) {
      const top = stackNodes.length - 1;
      const node = stackNodes[top]!;
      const next = stackNext[top]!;
      if (next < node.args.length) {
        stackNext[top] = next + 1;
        const child = node.args[next]!;
        if (!isDone(child)) {
          stackNodes.push(child);
          stackNext.push(0);
        }
      } else {
        stackNodes.pop();
        stackNext.pop();
        if (!isDone(node)) {
          markDone(node);
          order.push(node);
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
