import { Adam } from './adam.js';
import type { Optimizer, OptimizerKind } from './optimizer.js';
import { Momentum, SGD } from './sgd.js';

/** An optimiser by name, with its default hyper-parameters, for `size` params. */
export function createOptimizer(kind: OptimizerKind, size: number): Optimizer {
  switch (kind) {
    case 'sgd':
      return new SGD(size);
    case 'momentum':
      return new Momentum(size);
    case 'adam':
      return new Adam(size);
  }
}
