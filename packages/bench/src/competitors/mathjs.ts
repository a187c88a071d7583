/**
 * mathjs as a competitor: the program inlined into one expression, one
 * symbolic `derivative` per parameter (made once, timed separately as setup),
 * then per call `compile().evaluate` of the value and of every partial.
 *
 * `derivative` runs with `simplify: false`. Its default simplification is far
 * too slow to use here: about 2 s per partial already for the 10-dimensional
 * Rosenbrock, and minutes for the 100-dimensional one.
 */
import { derivative, isParenthesisNode, parse, type EvalFunction, type MathNode } from 'mathjs';
import type { GradientFn } from '../gradient.js';
import type { StepProgram } from '../steps.js';

/** mathjs spellings of the language's functions (it has no sigmoid or softplus; these forms are exact for moderate arguments). */
const PRINT = new Map<string, (a: string, b?: string) => string>([
  ['+', (a, b) => `${a} + ${b}`],
  ['-', (a, b) => `${a} - ${b}`],
  ['*', (a, b) => `${a} * ${b}`],
  ['/', (a, b) => `${a} / ${b}`],
  ['^', (a, b) => `${a} ^ ${b}`],
  ['neg', (a) => `-${a}`],
  ['sigmoid', (a) => `1 / (1 + exp(-${a}))`],
  ['softplus', (a) => `log(1 + exp(${a}))`],
  ['log1p', (a) => `log(1 + ${a})`],
  ...['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'exp', 'log', 'sqrt', 'abs'].map(
    (f) => [f, (a: string) => `${f}(${a})`] as [string, (a: string) => string],
  ),
]);

/** Longest inlined expression we hand to mathjs; a program whose bindings share heavily inlines to exponential size. */
export const MAX_EXPRESSION_CHARS = 1_000_000;

export type Inlined = { expression: string } | { unsupported: string };

/** The program as one mathjs expression (bindings substituted, every operation parenthesized). */
export function inlineExpression(program: StepProgram): Inlined {
  // Sizes first: building the strings of an exponential inlining would never finish.
  const sizes: number[] = [];
  for (const step of program.steps) {
    if (step.kind !== 'apply') sizes.push(24);
    else sizes.push(step.args.reduce((total, a) => total + sizes[a]!, 32));
  }
  const size = sizes[program.output]!;
  if (size > MAX_EXPRESSION_CHARS)
    return { unsupported: `inlined expression would be about ${size.toExponential(1)} characters (bindings shared too often)` };
  const text: string[] = [];
  for (const step of program.steps) {
    if (step.kind === 'param') text.push(program.params[step.index]!);
    else if (step.kind === 'input') text.push(program.inputs[step.index]!);
    else if (step.kind === 'const') text.push(step.value < 0 ? `(${step.value})` : String(step.value));
    else {
      const print = PRINT.get(step.fn);
      if (!print) return { unsupported: `mathjs's derivative has no rule for '${step.fn}'` };
      text.push(`(${print(text[step.args[0]!]!, step.args[1] === undefined ? undefined : text[step.args[1]]!)})`);
    }
  }
  return { expression: text[program.output]! };
}

export interface MathjsGradient {
  gradient: GradientFn;
  /** Milliseconds to parse, differentiate (once per parameter) and compile. */
  setupMs: number;
  /** Total characters of the printed derivatives. */
  derivativeChars: number;
}

/** The expression tree without the parentheses we printed (mathjs keeps them as nodes). */
export function parseExpression(expression: string): MathNode {
  return parse(expression).transform((node) => (isParenthesisNode(node) ? node.content : node));
}

export function mathjsGradient(program: StepProgram, expression: string): MathjsGradient {
  const start = performance.now();
  const node = parseExpression(expression);
  const value = node.compile();
  const derivatives = program.params.map((name) => derivative(node, name, { simplify: false }));
  const partials: EvalFunction[] = derivatives.map((d) => d.compile());
  const setupMs = performance.now() - start;
  const derivativeChars = derivatives.reduce((total, d) => total + d.toString().length, 0);
  const scope = new Map<string, number>();
  const { params, inputs } = program;
  const gradient: GradientFn = (p, x, grad) => {
    for (let i = 0; i < params.length; i++) scope.set(params[i]!, p[i]!);
    for (let i = 0; i < inputs.length; i++) scope.set(inputs[i]!, x[i]!);
    for (let i = 0; i < partials.length; i++) grad[i] = partials[i]!.evaluate(scope) as number;
    return value.evaluate(scope) as number;
  };
  return { gradient, setupMs, derivativeChars };
}
