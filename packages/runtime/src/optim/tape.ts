import type { Value } from '../value.js';
import type { Optimizer } from './optimizer.js';

/**
 * One optimiser step on tape-engine leaves: reads each leaf's `data` and
 * `grad` (set by `backward()`) into Float64Arrays, steps, writes `data` back.
 * Later operations on the leaves then see the new values.
 */
export function stepValues(optimizer: Optimizer, leaves: readonly Value[], lr: number): void {
  const params = Float64Array.from(leaves, (v) => v.data);
  const grad = Float64Array.from(leaves, (v) => v.grad);
  optimizer.step(params, grad, lr);
  leaves.forEach((v, i) => {
    v.data = params[i]!;
  });
}
