/**
 * TensorFlow.js as a competitor: `tf.valueAndGrads` on the pure-JavaScript
 * CPU backend, on scalar tensors. Each call makes the param and input scalars
 * from the arrays (the point changes from call to call in real use), runs the
 * program's steps as tf ops, and reads the value and gradient back as numbers,
 * all inside `tf.tidy`. Constants are made once. tfjs computes in float32.
 */
import { register } from 'node:module';
import type { GradientFn } from '../gradient.js';
import { resolve as resolveTfjs } from '../tfjs-hook.js';
import type { StepProgram } from '../steps.js';

export type Tf = typeof import('@tensorflow/tfjs-core');
type Scalar = import('@tensorflow/tfjs-core').Scalar;
type Tensor = import('@tensorflow/tfjs-core').Tensor;

let loaded: Promise<Tf> | undefined;

/** Loads tfjs-core, its CPU backend and its gradients once; selects the CPU backend. */
export function loadTfjs(): Promise<Tf> {
  loaded ??= (async () => {
    // The hook as a data: URL of its own source, so that it loads from dist and from the
    // TypeScript sources under vitest alike (Node's loader cannot load a .ts hook file).
    register(`data:text/javascript,${encodeURIComponent(`export ${resolveTfjs.toString()}`)}`);
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    await tf.setBackend('cpu');
    // The CPU backend's first tensor prints advice to install tfjs-node (a native binary, not wanted here).
    const warn = console.warn;
    console.warn = () => {};
    tf.scalar(0).dispose();
    console.warn = warn;
    return tf;
  })();
  return loaded;
}

function tfOps(tf: Tf): Map<string, (a: Tensor, b: Tensor, exponent?: number) => Tensor> {
  const unary = (f: (a: Tensor) => Tensor) => (a: Tensor) => f(a);
  return new Map<string, (a: Tensor, b: Tensor, exponent?: number) => Tensor>([
    ['+', (a, b) => tf.add(a, b)],
    ['-', (a, b) => tf.sub(a, b)],
    ['*', (a, b) => tf.mul(a, b)],
    ['/', (a, b) => tf.div(a, b)],
    // a^2 as tf.square, as a tfjs user would write it.
    ['^', (a, b, exponent) => (exponent === 2 ? tf.square(a) : tf.pow(a, b))],
    ['min', (a, b) => tf.minimum(a, b)],
    ['max', (a, b) => tf.maximum(a, b)],
    ['neg', unary(tf.neg)],
    ['sin', unary(tf.sin)],
    ['cos', unary(tf.cos)],
    ['tan', unary(tf.tan)],
    ['asin', unary(tf.asin)],
    ['acos', unary(tf.acos)],
    ['atan', unary(tf.atan)],
    ['sinh', unary(tf.sinh)],
    ['cosh', unary(tf.cosh)],
    ['tanh', unary(tf.tanh)],
    ['exp', unary(tf.exp)],
    ['log', unary(tf.log)],
    ['log1p', unary(tf.log1p)],
    ['sqrt', unary(tf.sqrt)],
    ['abs', unary(tf.abs)],
    ['sigmoid', unary(tf.sigmoid)],
    ['relu', unary(tf.relu)],
    ['softplus', unary(tf.softplus)],
  ]);
}

/** Steps the output depends on (steps are in evaluation order, so one backward sweep). */
function reachable(program: StepProgram): boolean[] {
  const live = program.steps.map(() => false);
  live[program.output] = true;
  for (let i = program.steps.length - 1; i >= 0; i--) {
    const step = program.steps[i]!;
    if (live[i] && step.kind === 'apply') for (const a of step.args) live[a] = true;
  }
  return live;
}

export type TfjsGradient = { gradient: GradientFn } | { unsupported: string };

export function tfjsGradient(tf: Tf, program: StepProgram): TfjsGradient {
  const ops = tfOps(tf);
  const missing = program.steps.find((s) => s.kind === 'apply' && !ops.has(s.fn));
  if (missing && missing.kind === 'apply') return { unsupported: `no tfjs op for '${missing.fn}'` };
  const live = reachable(program);
  const constants = new Map<number, Scalar>();
  program.steps.forEach((s, i) => {
    if (s.kind === 'const' && live[i]) constants.set(i, tf.scalar(s.value));
  });
  // tfjs rejects a parameter the output does not depend on: differentiate only the used ones.
  const used = program.steps.flatMap((s, i) => (s.kind === 'param' && live[i] ? [s.index] : []));
  const slotOf = new Map(used.map((index, slot) => [index, slot]));
  let inputs: Float64Array = new Float64Array(0);
  const f = (...params: Tensor[]): Scalar => {
    const regs: Tensor[] = new Array<Tensor>(program.steps.length);
    program.steps.forEach((step, i) => {
      if (!live[i]) return;
      if (step.kind === 'param') regs[i] = params[slotOf.get(step.index)!]!;
      else if (step.kind === 'input') regs[i] = tf.scalar(inputs[step.index]!);
      else if (step.kind === 'const') regs[i] = constants.get(i)!;
      else {
        const [a, b] = step.args as [number, number?];
        const second = b === undefined ? undefined : program.steps[b];
        const exponent = second?.kind === 'const' ? second.value : undefined;
        regs[i] = ops.get(step.fn)!(regs[a]!, b === undefined ? regs[a]! : regs[b]!, exponent);
      }
    });
    return regs[program.output] as Scalar;
  };
  const valueAndGrads = tf.valueAndGrads(f);
  const gradient: GradientFn = (p, x, grad) =>
    tf.tidy(() => {
      inputs = x;
      const { value, grads } = valueAndGrads(used.map((index) => tf.scalar(p[index]!)));
      grad.fill(0);
      used.forEach((index, slot) => (grad[index] = grads[slot]!.dataSync()[0]!));
      return value.dataSync()[0]!;
    });
  return { gradient };
}
