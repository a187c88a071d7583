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
    this.optimizer = typeof optimizer === 'string' ? createOptimizer(optimizer, size) : optimizer;
    const schedule = options.schedule ?? FIT_DEFAULTS.schedule;
    this.schedule = typeof schedule === 'string' ? createSchedule(schedule, lr, this.steps) : schedule;
    this.until = options.until ?? -Infinity;
    this.gradient = new Float64Array(size);
    this.rowGradient = new Float64Array(size);
    this.row = new Float64Array(data.columns.length);
    // A batch program takes the batch at once: room for every row.
    this.batch = new Float64Array(model.batchInputSizes ? data.values.length : 0);
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
    else if (loss < this.until && this.dataLossBelowUntil(info, end - start)) this.stopped = 'until';
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

  /** Ends the run early (as `onStep` returning false does). */
  stop(): void {
    this.stopped ??= 'stopped';
  }

  /** Mean output over every row at the current params (a batch program's output over all rows). */
  loss(): number {
    if (this.model.batchInputSizes) {
      const all = Uint32Array.from({ length: this.data.rows }, (_, i) => i);
      return this.model.forwardFlat(this.params, this.gather(all, 0, all.length), all.length);
    }
    let sum = 0;
    for (let r = 0; r < this.data.rows; r++) sum += this.model.forwardFlat(this.params, this.loadRow(r));
    return sum / this.data.rows;
  }

  result(): FitResult {
    return { params: Float64Array.from(this.params), steps: this.updates, loss: this.loss(), stopped: this.stopped ?? 'stopped' };
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

  /**
   * The rows `order[start..end)` as a batch program takes them: each input's
   * elements for every row of the batch, the inputs one after another.
   */
  private gather(order: Uint32Array, start: number, end: number): Float64Array {
    const { batch, data } = this;
    const sizes = this.model.batchInputSizes!;
    const width = data.columns.length;
    let at = 0;
    let column = 0;
    for (const size of sizes) {
      for (let k = start; k < end; k++) {
        const from = order[k]! * width + column;
        for (let e = 0; e < size; e++) batch[at++] = data.values[from + e]!;
      }
      column += size;
    }
    // The flat functions read only the batch's own elements (their layout follows the batch size).
    return batch;
  }

  /** Copies row `r` into the reused input buffer. */
  private loadRow(r: number): Float64Array {
    const { row, data } = this;
    const offset = r * row.length;
    for (let c = 0; c < row.length; c++) row[c] = data.values[offset + c]!;
    return row;
  }
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
