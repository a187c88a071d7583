/**
 * Source programs for the benchmark, written as text in the project's language
 * by small generators (a 100-dimensional Rosenbrock is easier to generate than to type).
 */
import { seededRandom } from './random.js';

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);
const names = (prefix: string, n: number) => range(n).map((i) => `${prefix}${i}`);

/** sum_{i<n} 100*(x_{i+1} - x_i^2)^2 + (1 - x_i)^2, params x1..xn. */
export function rosenbrock(n: number): string {
  const terms = range(n - 1).map((i) => `100*(x${i + 1} - x${i}^2)^2 + (1 - x${i})^2`);
  return [`# Rosenbrock in ${n} dimensions`, `param ${names('x', n).join(', ')}`, terms.join(' + ')].join('\n') + '\n';
}

/** Logistic-regression loss of one example, in the stable form softplus(z) - y*z. */
export function logisticLoss(features: number): string {
  const dot = range(features).map((i) => `w${i}*x${i}`).join(' + ');
  return [
    `# logistic regression, ${features} features, one example`,
    `param ${names('w', features).join(', ')}, b`,
    `input ${names('x', features).join(', ')}, y`,
    `z = ${dot} + b`,
    'loss = softplus(z) - y*z',
  ].join('\n') + '\n';
}

/** The 2-4-1 XOR network: tanh hidden layer, sigmoid output, squared error on one example. */
export function xorNetwork(): string {
  const hidden = range(4);
  return [
    '# 2-4-1 network (tanh hidden, sigmoid output), squared error on one example',
    `param ${hidden.map((j) => `w${j}1, w${j}2`).join(', ')}, ${names('b', 4).join(', ')}, ${names('v', 4).join(', ')}, c`,
    'input x1, x2, y',
    ...hidden.map((j) => `h${j} = tanh(w${j}1*x1 + w${j}2*x2 + b${j})`),
    `o = sigmoid(${hidden.map((j) => `v${j}*h${j}`).join(' + ')} + c)`,
    'loss = (o - y)^2',
  ].join('\n') + '\n';
}

/** y_k = sin(x + y_{k-1}) for k = 1..n: symbolic differentiation's classic expression swell. */
export function recurrence(n: number): string {
  return ['# y = sin(x + y), iterated', 'param x, y0', ...range(n).map((k) => `y${k} = sin(x + y${k - 1})`)].join('\n') + '\n';
}

/** A chain h_k = tanh(w*h_{k-1} + b) about `nodes` IR nodes deep (3 ops per link). */
export function deepChain(nodes: number): string {
  const links = Math.max(1, Math.round(nodes / 3));
  const lines = ['# deep chain', 'param w, b', 'input x', 'h1 = tanh(w*x + b)'];
  for (const k of range(links - 1, 2)) lines.push(`h${k} = tanh(w*h${k - 1} + b)`);
  return lines.join('\n') + '\n';
}

/** One wide sum p1*p2 + p2*p3 + ... of about `nodes` IR nodes (a param, a product and a sum per term). */
export function wideSum(nodes: number): string {
  const k = Math.max(2, Math.round(nodes / 3));
  const terms = range(k).map((i) => `p${i}*p${(i % k) + 1}`);
  return ['# wide sum', `param ${names('p', k).join(', ')}`, terms.join(' + ')].join('\n') + '\n';
}

type Form = (a: string, b: string) => [text: string, operations: number];
const FORMS: Record<'calls' | 'arithmetic', Form[]> = {
  calls: [
    (a, b) => [`tanh(${a} + ${b})`, 2],
    (a, b) => [`sin(${a} - ${b})`, 2],
    (a, b) => [`${a}*${b}`, 1],
    (a, b) => [`cos(${a}*${b})`, 2],
    (a, b) => [`sigmoid(${a} - ${b})`, 2],
  ],
  arithmetic: [
    (a, b) => [`${a}*${b}`, 1],
    (a, b) => [`(${a} + ${b})*0.5`, 2],
    (a, b) => [`(${a} - ${b})*0.5`, 2],
    (a, b) => [`(${a}*${b} + ${a})*0.5`, 3],
    (a, b) => [`tanh(${a} + ${b})`, 2],
  ],
};

/**
 * A random program of about `ops` operations over 8 params where bindings reuse
 * earlier bindings at random (many shared subexpressions). Every binding is
 * reached: the output sums the bindings nothing else uses. Values stay in a
 * moderate range: every sum or difference goes through a bounded function.
 * `mix` 'calls': four of five forms call sin, cos, tanh or sigmoid;
 * 'arithmetic': one form in five calls tanh, the others multiply and average (all stay in [-1, 1]).
 */
export function sharedProgram(ops: number, seed = 1, mix: 'calls' | 'arithmetic' = 'calls'): string {
  const random = seededRandom(seed);
  const pool = names('p', 8);
  const unused = new Set<string>();
  const lines = ['# random program with shared subexpressions', `param ${pool.join(', ')}`];
  const pick = () => {
    // Half the time one of the newest values (depth), else any earlier one (sharing).
    const from = random() < 0.5 ? Math.max(0, pool.length - 4) : 0;
    return pool[from + Math.floor(random() * (pool.length - from))]!;
  };
  const forms = FORMS[mix];
  let count = 0; // operations in the bindings; the final sum adds unused.size - 1
  for (let k = 1; count + Math.max(0, unused.size - 1) < ops; k++) {
    const a = pick();
    const b = pick();
    const [text, cost] = forms[Math.floor(random() * forms.length)]!(a, b);
    unused.delete(a);
    unused.delete(b);
    const name = `v${k}`;
    lines.push(`${name} = ${text}`);
    pool.push(name);
    unused.add(name);
    count += cost;
  }
  lines.push(`out = ${[...unused].join(' + ')}`);
  return lines.join('\n') + '\n';
}
