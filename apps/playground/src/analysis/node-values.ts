/**
 * Numbers for the graph's boxes: every node's value, and for forward nodes
 * the gradient of the output with respect to that node (micrograd's `grad`).
 *
 * Values come from the op table's `eval`. Gradients come from a numeric
 * reverse sweep that asks each op's vjp rule for its local derivatives in a
 * scratch graph whose operands are constants: the graph folds constants as it
 * builds, so the rule's result is a constant holding the number. (The
 * param gradients shown beside the sliders come from the generated code; the
 * sweep only labels the intermediate boxes.)
 */
import { Graph, opNamed, topoOrder, valueOf, type Program, type Node } from '@autodiff/ir';

export interface NodeNumbers {
  value: Map<Node, number>;
  /** ∂value/∂node for the forward nodes the value depends on. */
  grad: Map<Node, number>;
}

export function nodeNumbers(ir: Program, params: ArrayLike<number>, inputs: ArrayLike<number>, nodes: readonly Node[]): NodeNumbers {
  const value = new Map<Node, number>();
  ir.params.forEach((p, i) => value.set(p, params[i]!));
  ir.inputs.forEach((x, i) => value.set(x, inputs[i]!));
  for (const n of topoOrder(nodes)) {
    if (value.has(n)) continue;
    value.set(n, n.op === 'const' ? n.value! : (opNamed(n.op).eval ?? (() => NaN))(...n.args.map((a) => value.get(a)!)));
  }

  const grad = new Map<Node, number>();
  const forward = topoOrder([valueOf(ir)]);
  const scratch = new Graph();
  grad.set(valueOf(ir), 1);
  for (let i = forward.length - 1; i >= 0; i--) {
    const n = forward[i]!;
    const g = grad.get(n);
    if (g === undefined || n.args.length === 0) continue;
    const args = n.args.map((a) => scratch.const(value.get(a)!));
    const local = opNamed(n.op).vjp(scratch, args, scratch.const(value.get(n)!), scratch.const(g));
    n.args.forEach((a, k) => {
      const c = local[k];
      if (a.op === 'const' || !c) return;
      const contribution = c.op === 'const' ? c.value! : NaN;
      grad.set(a, (grad.get(a) ?? 0) + contribution);
    });
  }
  return { value, grad };
}
