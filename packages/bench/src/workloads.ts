/** The gradient workloads of the benchmark: a program and the point where it is timed. */
import type { GradientFn } from './gradient.js';
import { logisticGradient, rosenbrockGradient, xorGradient } from './hand.js';
import { logisticLoss, recurrence, rosenbrock, sharedProgram, xorNetwork } from './programs.js';
import { seededRandom, uniform } from './random.js';

export interface Workload {
  id: string;
  title: string;
  source: string;
  params: Float64Array;
  inputs: Float64Array;
  /** A hand-written gradient, where one is easy to write. */
  hand?: GradientFn;
}

const values = (n: number, f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));

export function workloads(): Workload[] {
  const random = seededRandom(2024);
  // The classic starting point (-1.2, 1, -1.2, 1, ...).
  const rosenbrockStart = (n: number) => values(n, (i) => (i % 2 === 0 ? -1.2 : 1));
  return [
    { id: 'rosenbrock-2', title: 'Rosenbrock, 2 dimensions', source: rosenbrock(2), params: rosenbrockStart(2), inputs: new Float64Array(0), hand: rosenbrockGradient },
    { id: 'rosenbrock-100', title: 'Rosenbrock, 100 dimensions', source: rosenbrock(100), params: rosenbrockStart(100), inputs: new Float64Array(0), hand: rosenbrockGradient },
    {
      id: 'logistic-30',
      title: 'logistic-regression loss, 30 features',
      source: logisticLoss(30),
      params: values(31, () => uniform(random, -0.5, 0.5)),
      inputs: values(31, (i) => (i === 30 ? 1 : uniform(random, -1, 1))),
      hand: logisticGradient,
    },
    {
      id: 'xor-2-4-1',
      title: '2-4-1 XOR network, one example',
      source: xorNetwork(),
      params: values(17, () => uniform(random, -1, 1)),
      inputs: Float64Array.of(1, 0, 1),
      hand: xorGradient,
    },
    { id: 'random-1000', title: 'random program, ~1,000 nodes, shared subexpressions', source: sharedProgram(1000, 7), params: values(8, () => uniform(random, -1, 1)), inputs: new Float64Array(0) },
    {
      id: 'random-arith-1000',
      title: 'random program, ~1,000 nodes, shared subexpressions, mostly arithmetic',
      source: sharedProgram(1000, 7, 'arithmetic'),
      params: values(8, () => uniform(random, -1, 1)),
      inputs: new Float64Array(0),
    },
    { id: 'recurrence-30', title: 'y = sin(x + y), 30 iterations', source: recurrence(30), params: Float64Array.of(0.5, 0.3), inputs: new Float64Array(0) },
  ];
}
