/**
 * What a classifier does at some params, from the generated code: the
 * prediction binding (`score`, `logits`) is compiled again as an export, and
 * its flat function run over the rows as one batch: training and test
 * accuracy, the prediction over a grid of the plane (the decision boundary,
 * for 2-D features), and the predicted digit for a few test images.
 */
import { compileSource, loadCompiled } from '@autodiff/compiler';
import type { BatchInfo, ClassifierTask } from '../analysis/batch.js';
import type { LoadedProgram } from '../analysis/model.js';
import type { Metrics, Rows } from './protocol.js';
import { inputOffsets } from './rows.js';

/** The boundary grid's side, in cells. */
export const BOUNDARY_SIZE = 64;
/** Images shown in the grid of test images. */
export const IMAGE_COUNT = 48;

type Run = (p: Float64Array, x: Float64Array, out: Float64Array, ...dims: number[]) => void;

export class Predictor {
  private readonly run: Run;
  private readonly inputNames: readonly string[];

  constructor(program: LoadedProgram, private readonly batch: BatchInfo, private readonly task: ClassifierTask) {
    this.inputNames = program.model.inputNames;
    const compilation = compileSource(program.source, undefined, { exports: [task.binding] });
    const run = compilation.ir && loadCompiled(compilation.ir).exportFlat?.[task.binding];
    if (!run) throw new Error(`internal: could not compile '${task.binding}' for predictions`);
    this.run = run;
  }

  /** The predicted class of each row. */
  classify(params: Float64Array, data: Rows): Int32Array {
    const width = this.task.kind === 'sign' ? 1 : this.task.classes;
    const out = new Float64Array(data.rows * width);
    this.run(params, data.inputs, out, data.rows);
    const negative = this.labels(data).some((y) => y < 0);
    return classes(out, width, negative);
  }

  labels(data: Rows): Float64Array {
    const i = this.inputIndex(this.task.label);
    const from = inputOffsets(this.batch, data.rows)[i]!;
    return data.inputs.subarray(from, from + data.rows);
  }

  accuracy(params: Float64Array, data: Rows): number {
    const predicted = this.classify(params, data);
    const labels = this.labels(data);
    let right = 0;
    for (let r = 0; r < data.rows; r++) if (predicted[r] === labels[r]) right++;
    return right / data.rows;
  }

  metrics(params: Float64Array, step: number, train: Rows, test: Rows | undefined): Metrics {
    const metrics: Metrics = { step, trainAccuracy: this.accuracy(params, train) };
    if (test) metrics.testAccuracy = this.accuracy(params, test);
    const { featureShape } = this.task;
    if (featureShape.length === 1 && featureShape[0] === 2) metrics.boundary = this.boundary(params, train);
    const side = Math.round(Math.sqrt(featureShape[0] ?? 0));
    if (featureShape.length === 1 && side >= 4 && side * side === featureShape[0]) metrics.images = this.images(params, test ?? train, side, test ? 'test' : 'train');
    return metrics;
  }

  /** The prediction over a grid covering the training points (a tenth more on each side); for classes, the class. */
  private boundary(params: Float64Array, train: Rows): NonNullable<Metrics['boundary']> {
    const features = this.features(train);
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let r = 0; r < train.rows; r++) {
      const x = features[2 * r]!;
      const y = features[2 * r + 1]!;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
    const pad = (a: number, b: number) => Math.max((b - a) * 0.1, 1e-3);
    const [px, py] = [pad(x0, x1), pad(y0, y1)];
    const extent: [number, number, number, number] = [x0 - px, x1 + px, y0 - py, y1 + py];
    const n = BOUNDARY_SIZE * BOUNDARY_SIZE;
    const grid = new Float64Array(this.batch.rowSizes.reduce((a, b) => a + b, 0) * n);
    const at = inputOffsets(this.batch, n)[this.inputIndex(this.task.features)]!;
    for (let i = 0; i < BOUNDARY_SIZE; i++) {
      for (let j = 0; j < BOUNDARY_SIZE; j++) {
        const k = i * BOUNDARY_SIZE + j;
        grid[at + 2 * k] = extent[0] + ((j + 0.5) / BOUNDARY_SIZE) * (extent[1] - extent[0]);
        grid[at + 2 * k + 1] = extent[3] - ((i + 0.5) / BOUNDARY_SIZE) * (extent[3] - extent[2]);
      }
    }
    const width = this.task.kind === 'sign' ? 1 : this.task.classes;
    const out = new Float64Array(n * width);
    this.run(params, grid, out, n);
    const scores = this.task.kind === 'sign' ? Float32Array.from(out) : Float32Array.from(classes(out, width, false));
    return { size: BOUNDARY_SIZE, extent, scores };
  }

  private images(params: Float64Array, data: Rows, side: number, of: 'test' | 'train'): NonNullable<Metrics['images']> {
    const count = Math.min(IMAGE_COUNT, data.rows);
    const predicted = this.classify(params, data);
    const size = side * side;
    return {
      shape: [side, side],
      pixels: Float32Array.from(this.features(data).subarray(0, count * size)),
      labels: [...this.labels(data).subarray(0, count)],
      predicted: [...predicted.subarray(0, count)],
      of,
    };
  }

  private features(data: Rows): Float64Array {
    const i = this.inputIndex(this.task.features);
    const from = inputOffsets(this.batch, data.rows)[i]!;
    return data.inputs.subarray(from, from + data.rows * this.batch.rowSizes[i]!);
  }

  private inputIndex(name: string): number {
    return this.inputNames.indexOf(name);
  }
}

/** Each row's class: the sign of its one score (1, else -1 or 0), or the index of its largest score. */
function classes(out: Float64Array, width: number, negative: boolean): Int32Array {
  const rows = out.length / width;
  const result = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    if (width === 1) {
      result[r] = out[r]! > 0 ? 1 : negative ? -1 : 0;
      continue;
    }
    let best = 0;
    for (let c = 1; c < width; c++) if (out[r * width + c]! > out[r * width + best]!) best = c;
    result[r] = best;
  }
  return result;
}
