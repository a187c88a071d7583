/**
 * Test support: random well-formed programs for property tests. Params
 * p0.., inputs x0.., bindings b0.. that later statements refer to (so one
 * subexpression is shared by several uses), nested calls of every op of the
 * table, and constants.
 */
import fc from 'fast-check';
import { applyOp, SOURCE_OPS } from './op-source.js';

/** A tree whose variable references are resolved (modulo the names in scope) only when printed. */
type Tree =
  | { kind: 'ref'; index: number }
  | { kind: 'const'; text: string }
  | { kind: 'op'; op: string; form: number; args: Tree[] };

const CONSTANTS = ['0.5', '2', '3', '1.5', '0.25', '1e-1', '2.5E+0', 'pi', '.75'];

const treeArb = fc.letrec<{ tree: Tree; op: Tree }>((tie) => ({
  tree: fc.oneof(
    { maxDepth: 5, depthIdentifier: 'tree', withCrossShrink: true },
    { arbitrary: fc.nat().map((index): Tree => ({ kind: 'ref', index })), weight: 3 },
    { arbitrary: fc.constantFrom(...CONSTANTS).map((text): Tree => ({ kind: 'const', text })), weight: 1 },
    { arbitrary: tie('op'), weight: 5 },
  ),
  op: fc.record({
    kind: fc.constant('op' as const),
    op: fc.constantFrom(...SOURCE_OPS.map((o) => o.name)),
    form: fc.nat(2),
    args: fc.array(tie('tree'), { minLength: 2, maxLength: 2 }),
  }),
})).tree;

/** Source text for `tree`; records the ops it writes in `used`. */
function print(tree: Tree, scope: readonly string[], used: Set<string>): string {
  // Trees are at most maxDepth levels deep, so recursion is fine here.
  switch (tree.kind) {
    case 'ref': return scope[tree.index % scope.length]!;
    case 'const': return tree.text;
    case 'op': {
      used.add(tree.op);
      const arity = SOURCE_OPS.find((o) => o.name === tree.op)!.arity;
      return applyOp(tree.op, tree.args.slice(0, arity).map((a) => `(${print(a, scope, used)})`), tree.form);
    }
  }
}

export interface RandomProgram {
  source: string;
  /** The table's ops the program writes (the output may not use all of them). */
  ops: Set<string>;
}

export const programArb: fc.Arbitrary<RandomProgram> = fc.record({
  params: fc.integer({ min: 1, max: 3 }),
  inputs: fc.integer({ min: 0, max: 2 }),
  bindings: fc.array(treeArb, { maxLength: 6 }),
  output: treeArb,
}).map(({ params, inputs, bindings, output }) => {
  const paramNames = Array.from({ length: params }, (_, i) => `p${i}`);
  const inputNames = Array.from({ length: inputs }, (_, i) => `x${i}`);
  const scope = [...paramNames, ...inputNames];
  const ops = new Set<string>();
  const lines = [`param ${paramNames.join(', ')}`];
  if (inputs > 0) lines.push(`input ${inputNames.join(', ')}`);
  bindings.forEach((tree, i) => {
    lines.push(`b${i} = ${print(tree, scope, ops)}`);
    scope.push(`b${i}`);
  });
  lines.push(print(output, scope, ops));
  return { source: lines.join('\n') + '\n', ops };
});
