/**
 * An optimiser updates a flat parameter vector in place from its gradient.
 * The vectors are Float64Arrays in the program's param order, as the generated
 * `backwardFlat` reads and writes them; `stepValues` adapts one to the tape engine.
 */
export interface Optimizer {
  /** One update of `params` (in place) from `grad`, with this step's learning rate. */
  step(params: Float64Array, grad: Float64Array, lr: number): void;
  /** Forget the accumulated state (velocity, moments, step count). */
  reset(): void;
}

export type OptimizerKind = 'sgd' | 'momentum' | 'adam';

export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ['sgd', 'momentum', 'adam'];

export function isOptimizerKind(name: string): name is OptimizerKind {
  return (OPTIMIZER_KINDS as readonly string[]).includes(name);
}

/** Checks that params and grad have the size the optimiser was made for. */
export function checkSizes(size: number, params: Float64Array, grad: Float64Array): void {
  if (params.length !== size || grad.length !== size) {
    throw new RangeError(`optimizer made for ${size} params got ${params.length} params and ${grad.length} gradient entries`);
  }
}
