import type { Graph } from './graph.js';
import type { Node } from './node.js';
import type { OpName } from './op-names.js';

/** A named result of a program: its value, or a gradient (`d/dW`). */
export interface Output {
  readonly name: string;
  readonly node: Node;
}

/**
 * A program in IR: its leaves in declaration order and a list of outputs.
 * Lowering gives one output, the value; reverse mode (`vjp`) is a transform
 * that appends one gradient output per parameter, and can be applied again.
 */
export interface Program {
  readonly graph: Graph;
  readonly params: readonly Node[];
  readonly inputs: readonly Node[];
  readonly outputs: readonly Output[];
}

/** The name of the output holding the gradient with respect to a param. */
export const gradientName = (param: string) => `d/d${param}`;

/** The name of the output holding an exported binding's value (`compile --export NAME`). */
export const exportName = (binding: string) => `export ${binding}`;

/** The exported bindings' outputs, by binding name, in the order they were asked for. */
export function exportsOf(p: Program): { binding: string; node: Node }[] {
  const prefix = exportName('');
  return p.outputs.filter((o) => o.name.startsWith(prefix)).map((o) => ({ binding: o.name.slice(prefix.length), node: o.node }));
}

export function outputsOf(p: Program): Node[] {
  return p.outputs.map((o) => o.node);
}

/** The program's first output: the value it computes. */
export function valueOf(p: Program): Node {
  const first = p.outputs[0];
  if (!first) throw new Error('internal: a program without outputs');
  return first.node;
}

/** The gradient outputs, one per param in order, if the program has them all. */
export function gradsOf(p: Program): Node[] | undefined {
  const byName = new Map(p.outputs.map((o) => [o.name, o.node]));
  const grads = p.params.map((x) => byName.get(gradientName(x.name!)));
  return grads.every((g) => g !== undefined) ? (grads as Node[]) : undefined;
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
export function rebuild(fn: Program, target: Graph): Program {
  const map = new Map<Node, Node>();
  const params = fn.params.map((p) => target.param(p.name!, p.index!, p.shape));
  const inputs = fn.inputs.map((x) => target.input(x.name!, x.index!, x.shape));
  fn.params.forEach((p, i) => map.set(p, params[i]!));
  fn.inputs.forEach((x, i) => map.set(x, inputs[i]!));
  for (const node of topoOrder(outputsOf(fn))) {
    if (map.has(node)) continue;
    const copy = node.op === 'const'
      ? target.const(node.value!, node.shape)
      : target.make(node.op as OpName, node.args.map((a) => map.get(a)!), node.attrs);
    map.set(node, copy);
  }
  return { graph: target, params, inputs, outputs: fn.outputs.map((o) => ({ name: o.name, node: map.get(o.node)! })) };
}

/** A program from its value and, optionally, one gradient per param (tests and tools build them by hand). */
export function programOf(graph: Graph, params: readonly Node[], inputs: readonly Node[], value: Node, grads?: readonly Node[]): Program {
  const outputs: Output[] = [{ name: 'value', node: value }];
  grads?.forEach((g, i) => outputs.push({ name: gradientName(params[i]!.name!), node: g }));
  return { graph, params, inputs, outputs };
}
