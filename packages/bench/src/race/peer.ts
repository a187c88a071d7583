/**
 * The performance race's contract: every peer (our generated code, hand-written
 * loops, TensorFlow.js, jax-js) trains the same model from the same params on
 * the same data, one step at a time, and is timed side by side with the others.
 */

/** The models of the race. Each peer implements both kinds. */
export type RaceModel =
  | {
      /**
       * An MLP on X [n, widths[0]]: relu hidden layers h = relu(h @ W + b), then
       * score = h @ W_last + b_last. With a last width of 1 (hinge, logistic) the
       * last weight is a vector [w] and its bias a scalar, so score is [n].
       * hinge: mean(relu(1 - y * score)), y in {-1, 1};
       * logistic: mean(softplus(-y * score)), y in {-1, 1};
       * cross-entropy: -mean(sum(onehot(y, C) * log_softmax(score), axis=1)), y a class index.
       * Plus l2 * (the sum of every weight's squares, not the biases'), when l2 > 0.
       */
      kind: 'mlp';
      widths: readonly number[];
      loss: 'hinge' | 'logistic' | 'cross-entropy';
      l2: number;
    }
  | {
      /**
       * One self-attention head over X [t, d], fitted to Y [t, d]:
       * Q = X Wq, K = X Wk, V = X Wv, A = softmax(Q K^T / sqrt(d), axis=1),
       * loss = mean((A V - Y)^2).
       */
      kind: 'attention';
      t: number;
      d: number;
    };

export interface RaceTensor {
  name: string;
  shape: readonly number[];
  /** Row-major. */
  values: Float64Array;
}

export interface RaceWorkload {
  id: string;
  title: string;
  model: RaceModel;
  /** Our program's source for the model (raceSource): it fixes the names and their order. */
  source: string;
  /** Initial params, in the source's declaration order. */
  params: readonly RaceTensor[];
  /** The data, in the source's input order (X, then y or Y). Class labels are whole numbers. */
  inputs: readonly RaceTensor[];
  /** Plain SGD: p -= lr * grad. */
  lr: number;
}

/** A peer's training run on one workload, holding its own copy of the params. */
export interface PeerRun {
  /**
   * One step: the loss and its gradient at the current params, then the SGD
   * update. Returns the loss before the update, read back as a number (so the
   * step's work is done when it returns or resolves).
   */
  step(): number | Promise<number>;
  /** Frees what the peer holds (tensors, wasm memory). */
  dispose(): void;
}

export interface Peer {
  /** As the table shows it: 'ours', 'hand blocked', 'tfjs-wasm', 'jax-js f64'... */
  name: string;
  precision: 'f32' | 'f64';
  /**
   * A looser agreement than its precision's, with the reason, for a peer whose
   * library computes some ops at a lower precision (the report shows both).
   */
  tolerance?: { relative: number; why: string };
  /** Sets up a run (loads the library, compiles, jit-traces); undefined when the peer cannot run this workload. */
  start(workload: RaceWorkload): Promise<PeerRun | undefined>;
}

/**
 * Our source for a race model. Params: W1, b1, W2, b2, ... for an MLP (the last
 * pair w<L>: [h], b<L> scalar when the last width is 1); Wq, Wk, Wv for attention.
 * Inputs: X: [n, in], y: [n] for an MLP; X: [t, d], Y: [t, d] for attention.
 */
export function raceSource(model: RaceModel): string {
  if (model.kind === 'attention') {
    const { d } = model;
    return [
      `param Wq: [${d}, ${d}], Wk: [${d}, ${d}], Wv: [${d}, ${d}]`,
      `input X: [t, ${d}], Y: [t, ${d}]`,
      'Q = X @ Wq',
      'K = X @ Wk',
      'V = X @ Wv',
      `A = softmax(Q @ transpose(K) / ${Math.sqrt(d)}, axis=1)`,
      'loss = mean((A @ V - Y)^2)',
      '',
    ].join('\n');
  }
  const { widths, loss, l2 } = model;
  const layers = widths.length - 1;
  const scalarOut = widths[layers] === 1;
  const params: string[] = [];
  const lines: string[] = [];
  const weights: string[] = [];
  let h = 'X';
  for (let i = 1; i <= layers; i++) {
    const last = i === layers;
    const [w, b] = last && scalarOut ? [`w${i}`, `b${i}`] : [`W${i}`, `b${i}`];
    params.push(last && scalarOut ? `${w}: [${widths[i - 1]}], ${b}` : `${w}: [${widths[i - 1]}, ${widths[i]}], ${b}: [${widths[i]}]`);
    weights.push(w);
    if (last) lines.push(`score = ${h} @ ${w} + ${b}`);
    else {
      lines.push(`h${i} = relu(${h} @ ${w} + ${b})`);
      h = `h${i}`;
    }
  }
  const data =
    loss === 'hinge' ? 'mean(relu(1 - y * score))'
      : loss === 'logistic' ? 'mean(softplus(-y * score))'
        : `-mean(sum(onehot(y, ${widths[layers]}) * log_softmax(score, axis=1), axis=1))`;
  const penalty = l2 > 0 ? ` + ${l2} * (${weights.map((w) => `sum(${w}^2)`).join(' + ')})` : '';
  return [`param ${params.join(', ')}`, `input X: [n, ${widths[0]}], y: [n]`, ...lines, `loss = ${data}${penalty}`, ''].join('\n');
}
