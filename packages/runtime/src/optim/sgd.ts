import { checkSizes, type Optimizer } from './optimizer.js';

export interface SGDOptions {
  /** L2 weight decay as PyTorch's `weight_decay`: `decay * p` is added to the gradient (default 0). */
  weightDecay?: number;
}

/** Plain gradient descent: p := p - lr * (g + decay * p). */
export class SGD implements Optimizer {
  readonly weightDecay: number;

  constructor(readonly size: number, options: SGDOptions = {}) {
    this.weightDecay = options.weightDecay ?? 0;
  }

  step(params: Float64Array, grad: Float64Array, lr: number): void {
    checkSizes(this.size, params, grad);
    const decay = this.weightDecay;
    for (let i = 0; i < params.length; i++) params[i]! -= lr * (grad[i]! + decay * params[i]!);
  }

  reset(): void {}
}

export interface MomentumOptions extends SGDOptions {
  /** How much of the previous velocity is kept each step (default 0.9). */
  beta?: number;
}

/**
 * Gradient descent with momentum, in PyTorch's form (dampening 0, not Nesterov):
 * v := beta * v + (g + decay * p); p := p - lr * v. The velocity starts at 0,
 * so the first step equals plain SGD.
 */
export class Momentum implements Optimizer {
  readonly beta: number;
  readonly weightDecay: number;
  private readonly velocity: Float64Array;

  constructor(readonly size: number, options: MomentumOptions = {}) {
    this.beta = options.beta ?? 0.9;
    this.weightDecay = options.weightDecay ?? 0;
    this.velocity = new Float64Array(size);
  }

  step(params: Float64Array, grad: Float64Array, lr: number): void {
    checkSizes(this.size, params, grad);
    const { velocity: v, weightDecay: decay } = this;
    for (let i = 0; i < params.length; i++) {
      v[i] = this.beta * v[i]! + grad[i]! + decay * params[i]!;
      params[i]! -= lr * v[i]!;
    }
  }

  reset(): void {
    this.velocity.fill(0);
  }
}
