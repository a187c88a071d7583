/**
 * The tape engine (@autodiff/runtime) as a competitor, two ways:
 * - `tapeGradient`: builds `Value` nodes directly from the program's steps
 *   (the engine's own cost: allocation, closures, topological sort);
 * - `interpretGradient`: the runtime's `interpret`, which also walks the AST.
 * Both count the whole forward and backward pass per call.
 */
import type { CheckedProgram } from '@autodiff/parser';
import { BINARY_OPERATIONS, interpret, UNARY_OPERATIONS, Value } from '@autodiff/runtime';
import type { GradientFn } from '../gradient.js';
import type { StepProgram } from '../steps.js';

type Operand = Value | number;
const asValue = (v: Operand) => (v instanceof Value ? v : new Value(v));

// The interpreter's own tables (by operator or function name), plus negation.
const BINARY = BINARY_OPERATIONS;
const UNARY = new Map<string, (a: Value) => Value>([...UNARY_OPERATIONS, ['neg', (a) => a.neg()]]);

/** One closure per step, made once, so a timed call does no lookups. */
type Run = (regs: Operand[], p: Float64Array, x: Float64Array, leaves: Value[]) => Operand;

export function tapeGradient(program: StepProgram): GradientFn {
  const runs: Run[] = program.steps.map((step): Run => {
    switch (step.kind) {
      case 'param':
        return (_, p, __, leaves) => (leaves[step.index] = new Value(p[step.index]!));
      case 'input':
        return (_, __, x) => new Value(x[step.index]!);
      case 'const':
        return () => step.value;
      case 'apply': {
        const [a, b] = step.args as [number, number?];
        const binary = BINARY.get(step.fn);
        if (binary && b !== undefined) return (regs) => binary(asValue(regs[a]!), regs[b]!);
        const unary = UNARY.get(step.fn);
        if (unary) return (regs) => unary(asValue(regs[a]!));
        throw new Error(`tape: no operation '${step.fn}'`);
      }
    }
  });
  const n = program.params.length;
  return (p, x, grad) => {
    const regs: Operand[] = new Array<Operand>(runs.length);
    const leaves: Value[] = new Array<Value>(n);
    for (let i = 0; i < runs.length; i++) regs[i] = runs[i]!(regs, p, x, leaves);
    const root = asValue(regs[program.output]!);
    root.backward();
    for (let i = 0; i < n; i++) grad[i] = leaves[i]?.grad ?? 0;
    return root.data;
  };
}

export function interpretGradient(checked: CheckedProgram): GradientFn {
  const params = checked.params.map((q) => q.name);
  const inputs = checked.inputs.map((q) => q.name);
  return (p, x, grad) => {
    const values = new Map<string, number>();
    params.forEach((name, i) => values.set(name, p[i]!));
    inputs.forEach((name, i) => values.set(name, x[i]!));
    const result = interpret(checked, values);
    params.forEach((name, i) => (grad[i] = result.gradient.get(name)!));
    return result.value;
  };
}
