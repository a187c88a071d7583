import { checkSizes, type Optimizer } from './optimizer.js';

export interface AdamOptions {
  /** Decay of the first-moment (mean) estimate (default 0.9). */
  beta1?: number;
  /** Decay of the second-moment (uncentred variance) estimate (default 0.999). */
  beta2?: number;
  /** Added to the root of the second moment so a zero gradient gives no division by zero (default 1e-8). */
  epsilon?: number;
  /** Decoupled weight decay (AdamW, Loshchilov & Hutter 2019): p := p - lr * decay * p before each update (default 0). */
  weightDecay?: number;
}

/**
 * Adam (Kingma & Ba 2015), as PyTorch computes it:
 *   m := b1 m + (1 - b1) g;  v := b2 v + (1 - b2) g^2
 *   p := p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * where t counts the steps from 1: the bias corrections undo the moments'
 * start at 0. With a weight decay, as PyTorch's AdamW: p := p - lr * decay * p
 * first, the gradient's moments untouched by it.
 */
export class Adam implements Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(readonly size: number, options: AdamOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(params: Float64Array, grad: Float64Array, lr: number): void {
    checkSizes(this.size, params, grad);
    this.t++;
    const { beta1, beta2, epsilon, m, v } = this;
    const keep = 1 - lr * this.weightDecay;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      params[i] = keep * params[i]! - (lr * (m[i]! / correction1)) / (Math.sqrt(v[i]! / correction2) + epsilon);
    }
  }

  reset(): void {
    this.m.fill(0);
    this.v.fill(0);
    this.t = 0;
  }
}
