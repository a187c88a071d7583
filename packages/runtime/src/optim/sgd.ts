import { checkSizes, type Optimizer } from './optimizer.js';

/** Plain gradient descent: p := p - lr * g. */
export class SGD implements Optimizer {
  constructor(readonly size: number) {}

  step(params: Float64Array, grad: Float64Array, lr: number): void {
    checkSizes(this.size, params, grad);
    for (let i = 0; i < params.length; i++) params[i]! -= lr * grad[i]!;
  }

  reset(): void {}
}

export interface MomentumOptions {
  /** How much of the previous velocity is kept each step (default 0.9). */
  beta?: number;
}

/**
 * Gradient descent with momentum, in PyTorch's form (dampening 0, not Nesterov):
 * v := beta * v + g; p := p - lr * v. The velocity starts at 0, so the first
 * step equals plain SGD.
 */
export class Momentum implements Optimizer {
  readonly beta: number;
  private readonly velocity: Float64Array;

  constructor(readonly size: number, options: MomentumOptions = {}) {
    this.beta = options.beta ?? 0.9;
    this.velocity = new Float64Array(size);
  }

  step(params: Float64Array, grad: Float64Array, lr: number): void {
    checkSizes(this.size, params, grad);
    const v = this.velocity;
    for (let i = 0; i < params.length; i++) {
      v[i] = this.beta * v[i]! + grad[i]!;
      params[i]! -= lr * v[i]!;
    }
  }

  reset(): void {
    this.velocity.fill(0);
  }
}
