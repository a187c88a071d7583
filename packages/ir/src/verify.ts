/**
 * The IR verifier: every node reachable from a program's outputs has an op
 * of the table, the right number of arguments, attributes its shape rule
 * accepts and the type that rule gives; elementwise arguments have their
 * result's shape (broadcasting is explicit). Tests run it after every pass.
 */
import { outputsOf, topoOrder, type Program } from './func.js';
import type { Node } from './node.js';
import { isShapeError, opNamed } from './ops.js';
import { formatShape, sameShape } from './shape.js';

export class VerifyError extends Error {
  override name = 'VerifyError';
}

export function verifyProgram(p: Program, pass = 'ir'): void {
  const fail = (n: Node, why: string) => {
    throw new VerifyError(`${pass}: node %${n.id} (${n.op}): ${why}`);
  };
  p.params.forEach((x, i) => { if (x.op !== 'param' || x.index !== i) fail(x, `param ${i} is not a param leaf with index ${i}`); });
  p.inputs.forEach((x, i) => { if (x.op !== 'input' || x.index !== i) fail(x, `input ${i} is not an input leaf with index ${i}`); });
  const names = new Set<string>();
  for (const o of p.outputs) {
    if (names.has(o.name)) throw new VerifyError(`${pass}: two outputs are named '${o.name}'`);
    names.add(o.name);
  }
  const first = p.outputs[0];
  if (first && first.node.shape.length !== 0) fail(first.node, `the value is not a scalar: ${formatShape(first.node.shape)}`);
  for (const n of topoOrder(outputsOf(p))) {
    if (n.op === 'const') {
      if (typeof n.value !== 'number' || n.args.length !== 0) fail(n, 'a constant needs a number and no arguments');
      continue;
    }
    if (n.op === 'param' || n.op === 'input') {
      if (n.args.length !== 0) fail(n, 'a leaf has no arguments');
      continue;
    }
    let def;
    try {
      def = opNamed(n.op);
    } catch {
      fail(n, 'not an op of the table');
    }
    if (def!.arity !== 'variadic' && n.args.length !== def!.arity) fail(n, `takes ${def!.arity} arguments, has ${n.args.length}`);
    if (def!.expand) fail(n, 'this op is expanded at lowering and must not remain in the IR');
    const shape = def!.shape(n.args.map((a) => a.shape), n.attrs);
    if (isShapeError(shape)) fail(n, shape.error);
    else if (!sameShape(shape, n.shape)) fail(n, `has type ${formatShape(n.shape)}, its shape rule gives ${formatShape(shape)}`);
    if (def!.kind === 'elementwise') {
      for (const a of n.args) if (!sameShape(a.shape, n.shape)) fail(n, `an elementwise argument has shape ${formatShape(a.shape)}, not ${formatShape(n.shape)}: broadcast it explicitly`);
    }
  }
}
