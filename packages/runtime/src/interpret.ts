import { foldExpr, type CheckedProgram, type Expr } from '@autodiff/parser';
import { Value } from './value.js';

export interface InterpretResult {
  value: number;
  /** One entry per parameter, in the program's parameter order (0 for unused ones). */
  gradient: Map<string, number>;
  /** The output node of the tape, for inspection. */
  root: Value;
}

/**
 * A sub-expression's result: a tape node, or a plain number when it involves
 * no variable at all (constants never enter the tape and get no gradient).
 */
type Result = Value | number;

/** The one-argument functions of the language, each a method of the same name on `Value` and `Tensor`. */
export const UNARY_FUNCTIONS = [
  'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'exp', 'log', 'log1p', 'sqrt', 'abs',
  'sigmoid', 'relu', 'softplus', 'gelu',
] as const;

// Maps, not object literals: a callee such as 'constructor' must not hit Object.prototype.
export const UNARY_OPERATIONS: ReadonlyMap<string, (x: Value) => Value> = new Map(
  UNARY_FUNCTIONS.map((name) => [name, (x: Value) => x[name]()] as const),
);

/** Binary operators and the two-argument functions (`^` and `pow` are the same). */
export const BINARY_OPERATIONS: ReadonlyMap<string, (a: Value, b: Result) => Value> = new Map<string, (a: Value, b: Result) => Value>([
  ['+', (a, b) => a.add(b)],
  ['-', (a, b) => a.sub(b)],
  ['*', (a, b) => a.mul(b)],
  ['/', (a, b) => a.div(b)],
  ['^', (a, b) => a.pow(b)],
  ['pow', (a, b) => a.pow(b)],
  ['min', (a, b) => a.min(b)],
  ['max', (a, b) => a.max(b)],
]);

/**
 * Runs a checked program on the tape and backpropagates from its output.
 * `values` must give every param and input. Only the bindings the output
 * depends on are evaluated (the spec: an unused binding never runs).
 */
export function interpret(checked: CheckedProgram, values: ReadonlyMap<string, number>): InterpretResult {
  const env = new Map<string, Result>();
  const params: [string, Value][] = [];
  for (const p of checked.params) {
    const leaf = new Value(lookupValue(values, p.name), p.name);
    params.push([p.name, leaf]);
    env.set(p.name, leaf);
  }
  for (const i of checked.inputs) env.set(i.name, new Value(lookupValue(values, i.name), i.name));

  // Bindings are defined before use, so source order is a valid evaluation
  // order: no recursion through long chains of bindings.
  const needed = neededBindings(checked);
  for (const [name, expr] of checked.bindings) {
    if (!needed.has(name)) continue;
    const r = evaluate(expr, env);
    if (r instanceof Value && r.label === '') r.label = name;
    env.set(name, r);
  }

  const out = evaluate(checked.output, env);
  const root = out instanceof Value ? out : new Value(out);
  root.backward();
  const gradient = new Map<string, number>();
  for (const [name, leaf] of params) gradient.set(name, leaf.grad);
  return { value: root.data, gradient, root };
}

function lookupValue(values: ReadonlyMap<string, number>, name: string): number {
  const v = values.get(name);
  if (v === undefined) throw new Error(`interpret: no value given for '${name}'`);
  return v;
}

/** The bindings that the output uses, directly or through other bindings (an iterative worklist). */
export function neededBindings(checked: CheckedProgram): Set<string> {
  const needed = new Set<string>();
  const work: Expr[] = [checked.output];
  while (work.length > 0) {
    foldExpr<void>(work.pop()!, (e) => {
      if (e.kind !== 'name' || needed.has(e.name)) return;
      const bound = checked.bindings.get(e.name);
      if (bound !== undefined) {
        needed.add(e.name);
        work.push(bound);
      }
    });
  }
  return needed;
}

function evaluate(expr: Expr, env: ReadonlyMap<string, Result>): Result {
  return foldExpr<Result>(expr, (e, args) => {
    switch (e.kind) {
      case 'number':
        return e.value;
      case 'name': {
        const r = env.get(e.name);
        if (r !== undefined) return r;
        if (e.name === 'pi') return Math.PI;
        throw new Error(`interpret: unknown name '${e.name}'`);
      }
      case 'unary':
        return e.op === '+' ? args[0]! : apply(args[0]!, (x) => x.neg());
      case 'binary':
        return applyBinary(e.op, args[0]!, args[1]!);
      case 'call': {
        const unary = UNARY_OPERATIONS.get(e.callee);
        if (unary && args.length === 1) return apply(args[0]!, unary);
        if (BINARY_OPERATIONS.has(e.callee) && args.length === 2) return applyBinary(e.callee, args[0]!, args[1]!);
        throw new Error(`interpret: unknown function '${e.callee}' with ${args.length} argument(s)`);
      }
      case 'index':
      case 'stack':
        throw new Error(`interpret: ${e.kind} is a tensor operation: use interpretTensor`);
    }
  });
}

/** Applies a one-operand op; on a constant it runs on a throwaway leaf so the numerics are identical. */
function apply(x: Result, f: (x: Value) => Value): Result {
  return x instanceof Value ? f(x) : f(new Value(x)).data;
}

function applyBinary(op: string, a: Result, b: Result): Result {
  const f = BINARY_OPERATIONS.get(op)!;
  if (a instanceof Value) return f(a, b);
  if (b instanceof Value) return f(new Value(a), b); // constant on the left: a leaf whose grad nobody reads
  return f(new Value(a), b).data;
}
