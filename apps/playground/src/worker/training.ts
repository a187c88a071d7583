/**
 * A training run in the worker: @autodiff/train's `Trainer`, stepped in short
 * chunks with a setTimeout between them, so a stop request is seen within a
 * few milliseconds and the page gets a steady stream of losses to plot; a
 * classifier's metrics (accuracy, decision boundary) every METRICS_MS.
 */
import { datasetFromRows, noData, readCsv, Trainer, type Dataset, type Model } from '@autodiff/train';
import { isOptimizerKind } from '@autodiff/runtime';
import type { LoadedProgram } from '../analysis/model.js';
import type { Predictor } from './metrics.js';
import type { Metrics, Reply, Rows, TrainData, TrainSettings } from './protocol.js';
import { batchModel, datasetOfRows } from './rows.js';

/** Milliseconds of work between two looks at the message queue. */
const CHUNK_MS = 20;
/** Milliseconds between two reports of the metrics (the boundary is redrawn with each). */
const METRICS_MS = 120;

export class TrainingRun {
  private readonly trainer: Trainer;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private finished = false;
  private readonly started = performance.now();
  private lastMetrics = -Infinity;
  private readonly rows: { train: Rows; test?: Rows } | undefined;
  /** The held-out rows as a dataset, for their loss. */
  private readonly testData: Dataset | undefined;
  private readonly pace: number | undefined;

  constructor(
    private readonly id: number,
    program: LoadedProgram,
    params: number[],
    settings: TrainSettings,
    private readonly send: (reply: Reply) => void,
    private readonly predictor: Predictor | undefined,
  ) {
    if (!isOptimizerKind(settings.optimizer)) throw new Error(`unknown optimizer '${settings.optimizer}'`);
    const { model, data } = trainingModel(program, settings.data);
    this.pace = settings.pace;
    if (settings.data.kind === 'rows') {
      this.rows = settings.data;
      if (settings.data.test && program.model.batch) this.testData = datasetOfRows(program.model.batch, settings.data.test);
    }
    this.trainer = new Trainer(model, data, {
      optimizer: settings.optimizer,
      lr: settings.learningRate,
      steps: settings.steps,
      params: Float64Array.from(params),
      ...(settings.batch !== undefined ? { batch: settings.batch } : {}),
    });
  }

  start(): void {
    this.timer = setTimeout(() => this.chunk(), 0);
  }

  stop(): void {
    if (this.finished) return;
    clearTimeout(this.timer);
    this.trainer.stop();
    this.finish();
  }

  private chunk(): void {
    const deadline = performance.now() + CHUNK_MS;
    const losses: { step: number; loss: number }[] = [];
    // The params before the first step: the boundary the run starts from.
    const metrics = this.lastMetrics === -Infinity ? this.metrics() : undefined;
    // With a pace, only the steps its clock allows so far.
    const allowed = this.pace === undefined ? Infinity : ((performance.now() - this.started) / 1000) * this.pace - this.trainer.updates;
    for (let k = 0; k < allowed && this.trainer.stopped === undefined && performance.now() < deadline; k++) {
      const { step, loss } = this.trainer.step();
      losses.push({ step, loss });
    }
    const later = metrics ?? (this.trainer.stopped === undefined && performance.now() - this.lastMetrics >= METRICS_MS ? this.metrics() : undefined);
    this.send({
      kind: 'progress', id: this.id, losses, params: [...this.trainer.params], stepsPerSecond: this.speed(),
      ...(later ? { metrics: later } : {}),
    });
    if (this.trainer.stopped !== undefined) this.finish();
    else this.timer = setTimeout(() => this.chunk(), this.pace === undefined ? 0 : 15);
  }

  private speed(): number {
    const seconds = (performance.now() - this.started) / 1000;
    return seconds > 0 ? this.trainer.updates / seconds : 0;
  }

  private metrics(): Metrics | undefined {
    this.lastMetrics = performance.now();
    if (!this.predictor || !this.rows) return undefined;
    const metrics = this.predictor.metrics(this.trainer.params, this.trainer.updates, this.rows.train, this.rows.test);
    if (this.testData) metrics.testLoss = this.trainer.loss(this.testData);
    return metrics;
  }

  private finish(): void {
    this.finished = true;
    const result = this.trainer.result();
    const metrics = this.metrics();
    this.send({
      kind: 'trained', id: this.id, reason: result.stopped, steps: result.steps, loss: result.loss, params: [...result.params],
      stepsPerSecond: this.speed(), ...(metrics ? { metrics } : {}),
    });
  }
}

/**
 * What the Trainer runs on. A batch program trains on rows (batches of them); another tensor program on the
 * current input values (its whole batch at once): a model whose inputs are bound, with one name per param
 * element (the Trainer counts params by name), and no data columns.
 */
function trainingModel(program: LoadedProgram, data: TrainData): { model: Model; data: Dataset } {
  const { compiled } = program;
  const { batch } = program.model;
  if (data.kind === 'rows') {
    if (!batch) throw new Error('internal: rows for a program without a batch dimension');
    return { model: batchModel(program, batch), data: datasetOfRows(batch, data.train) };
  }
  if (!program.model.tensor) return { model: compiled, data: datasetOf(data, compiled.inputNames) };
  if (data.kind !== 'point') throw new Error('a tensor program trains on the current input values');
  const x = Float64Array.from(data.inputs);
  const dims = data.dims ?? [];
  const size = program.model.initialParams.length;
  const model: Model = {
    paramNames: Array.from({ length: size }, (_, i) => String(i)),
    inputNames: [],
    forwardFlat: (p) => compiled.forwardFlat(p, x, ...dims),
    backwardFlat: (p, _x, grad) => compiled.backwardFlat(p, x, grad, ...dims),
  };
  return { model, data: noData() };
}

function datasetOf(data: TrainData, inputNames: readonly string[]): Dataset {
  if (inputNames.length === 0) return noData();
  if (data.kind === 'point') return datasetFromRows(inputNames, [data.inputs]);
  if (data.kind !== 'csv') throw new Error('internal: rows for a scalar program');
  const read = readCsv(data.text, inputNames);
  if (read.dataset) return read.dataset;
  throw new Error(read.problems.map((p) => `CSV row ${p.row}, column ${p.column}: ${p.message}`).join('\n'));
}
