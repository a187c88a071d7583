/**
 * A training run in the worker: @autodiff/train's `Trainer`, stepped in short
 * chunks with a setTimeout between them, so a stop request is seen within a
 * few milliseconds and the page gets a steady stream of losses to plot.
 */
import { datasetFromRows, noData, readCsv, Trainer, type Dataset, type Model } from '@autodiff/train';
import { isOptimizerKind } from '@autodiff/runtime';
import type { LoadedProgram } from '../analysis/model.js';
import type { Reply, TrainData, TrainSettings } from './protocol.js';

/** Milliseconds of work between two looks at the message queue. */
const CHUNK_MS = 20;

export class TrainingRun {
  private readonly trainer: Trainer;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private finished = false;

  constructor(
    private readonly id: number,
    program: LoadedProgram,
    params: number[],
    settings: TrainSettings,
    private readonly send: (reply: Reply) => void,
  ) {
    if (!isOptimizerKind(settings.optimizer)) throw new Error(`unknown optimizer '${settings.optimizer}'`);
    const { model, data } = trainingModel(program, settings.data);
    this.trainer = new Trainer(model, data, {
      optimizer: settings.optimizer,
      lr: settings.learningRate,
      steps: settings.steps,
      params: Float64Array.from(params),
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
    while (this.trainer.stopped === undefined && performance.now() < deadline) {
      const { step, loss } = this.trainer.step();
      losses.push({ step, loss });
    }
    this.send({ kind: 'progress', id: this.id, losses, params: [...this.trainer.params] });
    if (this.trainer.stopped !== undefined) this.finish();
    else this.timer = setTimeout(() => this.chunk(), 0);
  }

  private finish(): void {
    this.finished = true;
    const result = this.trainer.result();
    this.send({
      kind: 'trained', id: this.id, reason: result.stopped, steps: result.steps, loss: result.loss, params: [...result.params],
    });
  }
}

/**
 * What the Trainer runs on. A tensor program trains on the current input values (its whole batch at
 * once): a model whose inputs are bound, with one name per param element (the Trainer counts params
 * by name), and no data columns.
 */
function trainingModel(program: LoadedProgram, data: TrainData): { model: Model; data: Dataset } {
  const { compiled } = program;
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
  const read = readCsv(data.text, inputNames);
  if (read.dataset) return read.dataset;
  throw new Error(read.problems.map((p) => `CSV row ${p.row}, column ${p.column}: ${p.message}`).join('\n'));
}
