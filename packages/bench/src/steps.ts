/**
 * A checked program as a flat list of steps, in evaluation order, each naming
 * its operands by step index. The competitors (tape engine, TensorFlow.js,
 * mathjs) all start from this list, so they compute exactly the program's
 * function, with the sharing its bindings express, and no competitor walks
 * the AST inside a timed call.
 */
import { foldExpr, type CheckedProgram, type Expr } from '@autodiff/parser';

export type Step =
  | { readonly kind: 'param'; readonly index: number }
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'const'; readonly value: number }
  /** `fn`: '+', '-', '*', '/', '^', 'neg', or a function of the language ('pow' becomes '^'). */
  | { readonly kind: 'apply'; readonly fn: string; readonly args: readonly number[] };

export interface StepProgram {
  readonly params: readonly string[];
  readonly inputs: readonly string[];
  readonly steps: readonly Step[];
  /** The step whose value is the program's output. */
  readonly output: number;
}

export function toSteps(checked: CheckedProgram): StepProgram {
  const steps: Step[] = [];
  const env = new Map<string, number>();
  const push = (s: Step) => steps.push(s) - 1;
  checked.params.forEach((p, index) => env.set(p.name, push({ kind: 'param', index })));
  checked.inputs.forEach((x, index) => env.set(x.name, push({ kind: 'input', index })));
  const lower = (e: Expr) =>
    foldExpr<number>(e, (node, args) => {
      switch (node.kind) {
        case 'number':
          return push({ kind: 'const', value: node.value });
        case 'name': {
          const at = env.get(node.name);
          if (at !== undefined) return at;
          if (node.name === 'pi') return push({ kind: 'const', value: Math.PI });
          throw new Error(`toSteps: unknown name '${node.name}'`);
        }
        case 'unary':
          return node.op === '+' ? args[0]! : push({ kind: 'apply', fn: 'neg', args });
        case 'binary':
          return push({ kind: 'apply', fn: node.op, args });
        case 'call':
          return push({ kind: 'apply', fn: node.callee === 'pow' ? '^' : node.callee, args });
        case 'index':
        case 'stack':
          throw new Error(`toSteps: ${node.kind} is a tensor operation; this benchmark's programs are scalar`);
      }
    });
  const needed = neededBindings(checked);
  for (const [name, expr] of checked.bindings) if (needed.has(name)) env.set(name, lower(expr));
  return { params: checked.params.map((p) => p.name), inputs: checked.inputs.map((x) => x.name), steps, output: lower(checked.output) };
}

/** Names of the bindings the output uses. Bindings only refer to earlier ones, so one backward sweep finds them all. */
function neededBindings(checked: CheckedProgram): Set<string> {
  const needed = new Set<string>();
  const mark = (e: Expr) =>
    foldExpr<void>(e, (node) => {
      if (node.kind === 'name' && checked.bindings.has(node.name)) needed.add(node.name);
    });
  mark(checked.output);
  for (const [name, expr] of [...checked.bindings].reverse()) if (needed.has(name)) mark(expr);
  return needed;
}

/** Number of operations (steps that apply a function or operator). */
export const operationCount = (program: StepProgram) => program.steps.filter((s) => s.kind === 'apply').length;

const ARITHMETIC = new Set(['+', '-', '*', '/', '^', 'neg']);

/** Number of operations that are calls of named functions (sin, tanh, sigmoid, ...): each costs a Math call in any engine. */
export const functionCallCount = (program: StepProgram) =>
  program.steps.filter((s) => s.kind === 'apply' && !ARITHMETIC.has(s.fn)).length;
