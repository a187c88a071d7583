/** Test support: how an application of a table op is written in source. */
import { OP_LIST, type OpDef, type Sampler } from '@autodiff/ir';

/** An elementwise op: it has a fixed arity, a scalar eval and a test domain. */
export type ElementwiseOp = OpDef & { arity: number; eval: (...args: number[]) => number; domain: Sampler };

/**
 * Every elementwise op a source program can write, straight from the table
 * (a new op joins automatically). Structural ops have their own tests.
 */
export const SOURCE_OPS = OP_LIST.filter((op) => op.syntax !== 'internal' && op.kind === 'elementwise') as ElementwiseOp[];

/** The table's operators as source writes them; `form` picks a spelling where there are several. */
const OPERATORS: Record<string, (args: readonly string[], form: number) => string> = {
  add: ([a, b]) => `${a} + ${b}`,
  sub: ([a, b]) => `${a} - ${b}`,
  mul: ([a, b]) => `${a} * ${b}`,
  div: ([a, b]) => `${a} / ${b}`,
  neg: ([a], form) => (form % 2 === 0 ? `-${a}` : `+-${a}`),
};

/** `pow` is a function that is also written `^` and `**`. */
const POW_FORMS = [
  (a: string, b: string) => `pow(${a}, ${b})`,
  (a: string, b: string) => `${a} ^ ${b}`,
  (a: string, b: string) => `${a} ** ${b}`,
];

/** Source for `op` applied to already parenthesised operands. */
export function applyOp(op: string, args: readonly string[], form = 0): string {
  const operator = OPERATORS[op];
  if (operator) return operator(args, form);
  if (op === 'pow') return POW_FORMS[form % POW_FORMS.length]!(args[0]!, args[1]!);
  const def = SOURCE_OPS.find((o) => o.name === op);
  if (!def) throw new Error(`no source op '${op}'`);
  if (def.syntax !== 'function') throw new Error(`op '${op}' is an operator this test does not know how to write`);
  return `${op}(${args.join(', ')})`;
}
