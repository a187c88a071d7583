import { Adam } from './adam.js';
import type { Optimizer, OptimizerKind } from './optimizer.js';
import { Momentum, SGD } from './sgd.js';

/**
 * An optimiser by name, with its default hyper-parameters, for `size` params.
 * `weightDecay` is L2 added to the gradient for sgd and momentum, and
 * decoupled (AdamW) for adam, as in PyTorch.
 */
export function createOptimizer(kind: OptimizerKind, size: number, options: { weightDecay?: number } = {}): Optimizer {
  switch (kind) {
    case 'sgd':
      return new SGD(size, options);
    case 'momentum':
      return new Momentum(size, options);
    case 'adam':
      return new Adam(size, options);
  }
}
