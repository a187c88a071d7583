/**
 * A training run in the worker: @autodiff/train's `Trainer`, stepped in short
 * chunks with a setTimeout between them, so a stop request is seen within a
 * few milliseconds and the page gets a steady stream of losses to plot.
 */
import { datasetFromRows, noData, readCsv, Trainer, type Dataset } from '@autodiff/train';
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
    this.trainer = new Trainer(program.compiled, datasetOf(settings.data, program.compiled.inputNames), {
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

function datasetOf(data: TrainData, inputNames: readonly string[]): Dataset {
  if (inputNames.length === 0) return noData();
  if (data.kind === 'point') return datasetFromRows(inputNames, [data.inputs]);
  const read = readCsv(data.text, inputNames);
  if (read.dataset) return read.dataset;
  throw new Error(read.problems.map((p) => `CSV row ${p.row}, column ${p.column}: ${p.message}`).join('\n'));
}
