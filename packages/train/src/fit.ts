/**
 * The training loop: initialise the params, then repeatedly take a batch of
 * rows, compute the mean of the program's output over it and that mean's
 * gradient, and let the optimiser update the params.
 */
import {
  createOptimizer,
  createSchedule,
  initialParams,
  initialTensorParams,
  seededRandom,
  shuffleInPlace,
  type InitSpec,
  type Optimizer,
  type OptimizerKind,
  type Schedule,
  type ScheduleKind,
} from '@autodiff/runtime';
import { BatchSampler } from './batches.js';
import type { Dataset } from './dataset.js';
import type { Model } from './model.js';

export interface FitOptions {
  /** An optimiser by name (with default hyper-parameters) or an instance. Default 'adam'. */
  optimizer?: OptimizerKind | Optimizer;
  /** Learning rate (the schedule's starting rate). Default 0.01. */
  lr?: number;
  /** How the rate changes over the run, by name or as a function of the step (from 0). Default 'constant'. */
  schedule?: ScheduleKind | Schedule;
  /** Number of updates. Default 1000. */
  steps?: number;
  /** Rows per batch; undefined (the default) or at least the number of rows means the full dataset. */
  batch?: number;
  /** Seeds the initialisation and the shuffling of batches. Default 0. */
  seed?: number;
  /**
   * Random initialisation, when `params` is not given. Default uniform on
   * [-0.5, 0.5); for a model with `tensorParamShapes` (a tensor program), glorot
   * for matrices and 0 for vectors and scalars.
   */
  init?: InitSpec;
  /**
   * Stop as soon as the loss over all the data is below this (before
   * updating). With mini-batches it is computed whenever a batch's loss is
   * below `until`: a lucky batch does not stop the run, and once the data's
   * loss is below it, some batch of the next epoch is too.
   */
  until?: number;
  /** Starting params, in param order (copied); otherwise they are drawn from `init`. */
  params?: Float64Array;
  /**
   * Held-out rows (the same columns). `until` then judges their loss instead
   * of the training loss, at the start of every epoch (every step with full batches).
   */
  valid?: Dataset;
  /**
   * Weight decay: for 'adam', decoupled as AdamW (p -= lr * decay * p before
   * the update); for 'sgd' and 'momentum', added to the gradient (decay * p),
   * as PyTorch's weight_decay. Every param decays. Default 0.
   */
  weightDecay?: number;
  /** Called after every step; return false to stop. */
  onStep?: (info: StepInfo) => boolean | void;
}

export const FIT_DEFAULTS = {
  optimizer: 'adam',
  lr: 0.01,
  schedule: 'constant',
  steps: 1000,
  seed: 0,
  init: { kind: 'uniform', scale: 0.5 },
} as const satisfies FitOptions;

export interface StepInfo {
  /** This step's number, from 1. */
  step: number;
  /** Mean output over the batch, at the params before this step's update. */
  loss: number;
  /** The learning rate of this step. */
  lr: number;
  /** Rows in the batch. */
  rows: number;
  /** Whether the params were updated (false on the step that stops the run). */
  updated: boolean;
  /** The mean output over all rows at the same params, when this step computed it (for `until`). */
  dataLoss?: number;
  /** The loss over the held-out rows at the same params, when this step computed it (for `until`). */
  validLoss?: number;
}

/**
 * Why a run ended: it took `steps` updates; the loss fell below `until`;
 * `onStep` asked to stop; or the loss or gradient stopped being finite.
 */
export type StopReason = 'steps' | 'until' | 'stopped' | 'diverged';

export interface FitResult {
  /** The trained params, in param order. */
  params: Float64Array;
  /** Updates applied. */
  steps: number;
  /** Mean output over every row of the dataset at the trained params. */
  loss: number;
  /** The same over the held-out rows, when there are any. */
  validLoss?: number;
  stopped: StopReason;
}

/**
 * One training run that advances a step at a time (the playground steps it
 * between animation frames; `fit` runs it to the end). The inner loop
 * allocates nothing: every buffer is made once here.
 */
export class Trainer {
  /** The current params, in param order; updated in place. */
  readonly params: Float64Array;
  /** Set once the run has ended. */
  stopped: StopReason | undefined;
  /** Updates applied so far. */
  updates = 0;
  private readonly optimizer: Optimizer;
  private readonly schedule: Schedule;
  private readonly steps: number;
  private readonly until: number;
  private readonly batches: BatchSampler;
  private readonly gradient: Float64Array;
  private readonly rowGradient: Float64Array;
  private readonly row: Float64Array;
  private readonly batch: Float64Array;
  private readonly valid: Dataset | undefined;

  constructor(readonly model: Model, readonly data: Dataset, options: FitOptions = {}) {
    checkData(model, data);
    const size = model.paramSize ?? model.paramNames.length;
    const lr = options.lr ?? FIT_DEFAULTS.lr;
    this.steps = options.steps ?? FIT_DEFAULTS.steps;
    if (!(lr > 0 && Number.isFinite(lr))) throw new RangeError(`lr must be a positive number, not ${lr}`);
    if (!(Number.isInteger(this.steps) && this.steps >= 0)) throw new RangeError(`steps must be an integer >= 0, not ${this.steps}`);
    if (options.batch !== undefined && !(Number.isInteger(options.batch) && options.batch >= 1)) {
      throw new RangeError(`batch must be an integer >= 1, not ${options.batch}`);
    }
    const seed = options.seed ?? FIT_DEFAULTS.seed;
    if (options.params !== undefined && options.params.length !== size) {
      throw new RangeError(`params has ${options.params.length} values, the program has ${size} params`);
    }
    // Two streams from one seed, so starting from saved params does not change the batch order.
    const random = seededRandom(seed);
    this.params = options.params ? Float64Array.from(options.params)
      : model.tensorParamShapes ? initialTensorParams(model.tensorParamShapes, options.init, random)
        : initialParams(size, options.init ?? FIT_DEFAULTS.init, random);
    this.batches = new BatchSampler(data.rows, options.batch, seededRandom((seed ^ 0x9e3779b9) >>> 0));
    const optimizer = options.optimizer ?? FIT_DEFAULTS.optimizer;
    const weightDecay = options.weightDecay ?? 0;
    if (!(weightDecay >= 0 && Number.isFinite(weightDecay))) throw new RangeError(`weightDecay must be a number >= 0, not ${weightDecay}`);
    this.optimizer = typeof optimizer === 'string' ? createOptimizer(optimizer, size, { weightDecay }) : optimizer;
    if (options.valid) checkData(model, options.valid);
    this.valid = options.valid;
    const schedule = options.schedule ?? FIT_DEFAULTS.schedule;
    this.schedule = typeof schedule === 'string' ? createSchedule(schedule, lr, this.steps) : schedule;
    this.until = options.until ?? -Infinity;
    this.gradient = new Float64Array(size);
    this.rowGradient = new Float64Array(size);
    this.row = new Float64Array(data.columns.length);
    // A batch program takes the batch at once: room for every row.
    this.batch = new Float64Array(model.batchInputSizes ? Math.max(data.values.length, options.valid?.values.length ?? 0) : 0);
    if (this.steps === 0) this.stopped = 'steps';
  }

  /** Runs one step: the batch loss and gradient, then an update unless the run stops here. */
  step(): StepInfo {
    if (this.stopped !== undefined) throw new Error(`the run has ended (${this.stopped})`);
    this.batches.next();
    const { start, end } = this.batches;
    const loss = this.batchLossAndGradient(start, end);
    const lr = this.schedule(this.updates);
    const info: StepInfo = { step: this.updates + 1, loss, lr, rows: end - start, updated: false };
    if (!Number.isFinite(loss) || !this.gradient.every(Number.isFinite)) this.stopped = 'diverged';
    else if (this.valid ? start === 0 && this.validLossBelowUntil(info) : loss < this.until && this.dataLossBelowUntil(info, end - start)) {
      this.stopped = 'until';
    }
    else {
      this.optimizer.step(this.params, this.gradient, lr);
      this.updates++;
      info.updated = true;
      if (this.updates >= this.steps) this.stopped = 'steps';
    }
    return info;
  }

  /** Whether the loss over all rows is below `until` (the batch's own loss when it holds every row). */
  private dataLossBelowUntil(info: StepInfo, rows: number): boolean {
    if (rows === this.data.rows) return true;
    info.dataLoss = this.loss();
    return info.dataLoss < this.until;
  }

  /** Whether the held-out loss is below `until` (computed only when there is an `until`). */
  private validLossBelowUntil(info: StepInfo): boolean {
    if (this.until === -Infinity) return false;
    info.validLoss = this.loss(this.valid);
    return info.validLoss < this.until;
  }

  /** Ends the run early (as `onStep` returning false does). */
  stop(): void {
    this.stopped ??= 'stopped';
  }

  /**
   * Mean output over every row of `data` (default: the training rows) at the
   * current params; a batch program's output over all its rows at once.
   */
  loss(data: Dataset = this.data): number {
    if (this.model.batchInputSizes) {
      const all = Uint32Array.from({ length: data.rows }, (_, i) => i);
      return this.model.forwardFlat(this.params, gatherBatch(this.model.batchInputSizes, data, all, 0, all.length, this.batch), all.length);
    }
    let sum = 0;
    for (let r = 0; r < data.rows; r++) sum += this.model.forwardFlat(this.params, this.loadRow(r, data));
    return sum / data.rows;
  }

  /** The loss over the held-out rows, if there are any. */
  validLoss(): number | undefined {
    return this.valid ? this.loss(this.valid) : undefined;
  }

  result(): FitResult {
    const validLoss = this.validLoss();
    return {
      params: Float64Array.from(this.params), steps: this.updates, loss: this.loss(), stopped: this.stopped ?? 'stopped',
      ...(validLoss === undefined ? {} : { validLoss }),
    };
  }

  /** Mean output over the batch `order[start..end)`, its gradient left in `this.gradient`. */
  private batchLossAndGradient(start: number, end: number): number {
    const { gradient, rowGradient, params, model } = this;
    const order = this.batches.order;
    if (model.batchInputSizes) return model.backwardFlat(params, this.gather(order, start, end), gradient, end - start);
    gradient.fill(0);
    let loss = 0;
    for (let k = start; k < end; k++) {
      loss += model.backwardFlat(params, this.loadRow(order[k]!), rowGradient);
      for (let i = 0; i < gradient.length; i++) gradient[i]! += rowGradient[i]!;
    }
    const count = end - start;
    for (let i = 0; i < gradient.length; i++) gradient[i]! /= count;
    return loss / count;
  }

  /** The rows `order[start..end)` of the training data, as a batch program takes them. */
  private gather(order: Uint32Array, start: number, end: number): Float64Array {
    return gatherBatch(this.model.batchInputSizes!, this.data, order, start, end, this.batch);
  }

  /** Copies row `r` of `data` into the reused input buffer. */
  private loadRow(r: number, data: Dataset = this.data): Float64Array {
    const { row } = this;
    const offset = r * row.length;
    for (let c = 0; c < row.length; c++) row[c] = data.values[offset + c]!;
    return row;
  }
}

/**
 * The rows `order[start..end)` of `data` as a batch program takes them, in
 * `into` (from its start): each input's elements for every row of the batch,
 * the inputs one after another. `sizes` are each input's elements per row.
 */
export function gatherBatch(
  sizes: readonly number[], data: Dataset, order: Uint32Array, start: number, end: number, into: Float64Array,
): Float64Array {
  const width = data.columns.length;
  let at = 0;
  let column = 0;
  for (const size of sizes) {
    for (let k = start; k < end; k++) {
      const from = order[k]! * width + column;
      for (let e = 0; e < size; e++) into[at++] = data.values[from + e]!;
    }
    column += size;
  }
  // The flat functions read only the batch's own elements (their layout follows the batch size).
  return into;
}

/**
 * Splits off `fraction` of the rows, drawn at random, as held-out rows; the
 * rest keep their order. Each part keeps at least one row.
 */
export function splitDataset(data: Dataset, fraction: number, random: () => number): { train: Dataset; valid: Dataset } {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`the held-out fraction must be between 0 and 1, not ${fraction}`);
  const held = Math.round(fraction * data.rows);
  if (held < 1 || held > data.rows - 1) throw new RangeError(`${fraction} of ${data.rows} rows leaves no rows to ${held < 1 ? 'hold out' : 'train on'}`);
  const order = Uint32Array.from({ length: data.rows }, (_, i) => i);
  shuffleInPlace(order, random);
  const isHeld = new Uint8Array(data.rows);
  for (let k = 0; k < held; k++) isHeld[order[k]!] = 1;
  const part = (keep: number): Dataset => {
    const rows: number[] = [];
    for (let r = 0; r < data.rows; r++) if (isHeld[r] === keep) rows.push(r);
    const width = data.columns.length;
    const values = new Float64Array(rows.length * width);
    rows.forEach((r, k) => values.set(data.values.subarray(r * width, (r + 1) * width), k * width));
    return { columns: data.columns, rows: rows.length, values };
  };
  return { train: part(0), valid: part(1) };
}

/**
 * Trains `model` on `data`: minimises the mean of the model's output over the
 * rows, by gradient descent on the params. See `FitOptions` for the defaults.
 */
export function fit(model: Model, data: Dataset, options: FitOptions = {}): FitResult {
  const trainer = new Trainer(model, data, options);
  while (trainer.stopped === undefined) {
    const info = trainer.step();
    if (options.onStep?.(info) === false) trainer.stop();
  }
  return trainer.result();
}

function checkData(model: Model, data: Dataset): void {
  const columns = model.inputColumns ?? model.inputNames;
  const same = data.columns.length === columns.length && data.columns.every((c, i) => c === columns[i]);
  if (!same) throw new RangeError(`the dataset's columns (${data.columns.join(', ')}) must be the program's inputs in order (${columns.join(', ')})`);
  if (data.rows < 1) throw new RangeError('the dataset has no rows');
  if (data.values.length !== data.rows * data.columns.length) throw new RangeError('the dataset has the wrong number of values');
}
