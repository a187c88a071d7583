/**
 * Messages between the page and the compile worker. Everything is plain data
 * (structured clone): the IR itself stays in the worker.
 */
import type { BatchInfo } from '../analysis/batch.js';
import type { GraphModel } from '../analysis/graph-model.js';

export interface EditorDiagnostic {
  from: number;
  to: number;
  severity: 'error' | 'warning';
  code: string;
  message: string;
  line: number;
  column: number;
}

export interface MathModel {
  /** LaTeX for the output's name, e.g. \mathit{loss}. */
  outputName: string;
  value: string;
  /** One per param, in declaration order. */
  partials: { param: string; latex: string }[];
  definitions: { name: string; latex: string }[];
}

/** Shown instead of a view that would be too large to be useful. */
export interface TooLarge {
  tooLarge: true;
  nodeCount: number;
  limit: number;
}

export interface ProgramModel {
  paramNames: string[];
  inputNames: string[];
  /**
   * The program has shaped declarations (the generated module for tensors): the flat API takes
   * every element of each param and input, and the size of each dimension name after them.
   */
  tensor: boolean;
  /** Each param's and input's shape (all [] for a scalar program). */
  paramShapes: (number | string)[][];
  inputShapes: (number | string)[][];
  /** The dimension names, in the order the flat API takes their sizes. */
  dimNames: string[];
  /** Per input: the number of classes when `onehot` reads it (random data for it are integers below that), else null. */
  labels: (number | null)[];
  /** Starting params, every element in the flat layout: what `autodiff fit` draws by default (its distribution and seed). */
  initialParams: number[];
  /** Half-width of that uniform distribution, for "randomize" (a scalar program's). */
  initScale: number;
  /** Set for a batch program (each input's first dimension the one dimension name): it trains on data rows. */
  batch?: BatchInfo;
  /** The generated TypeScript module (emitModule). */
  typescript: string;
  graph: GraphModel | TooLarge;
  math: MathModel | TooLarge;
}

/**
 * The rows to train on: a CSV text (header names the inputs), or the current input values as one row
 * (for a tensor program: every element of each input, and the dimension sizes; the whole batch).
 */
export type TrainData =
  | { kind: 'csv'; text: string }
  | { kind: 'point'; inputs: number[]; dims?: number[] }
  /** A batch program's rows: its inputs in the flat layout for `rows` rows (what Values shows), and held-out rows like them. */
  | { kind: 'rows'; train: Rows; test?: Rows };

/** Rows of a batch program's inputs, in the flat layout (each input's elements for every row, the inputs one after another). */
export interface Rows {
  rows: number;
  inputs: Float64Array;
}

/** What a classifier looks like at some params: accuracies, its boundary over the plane, its guesses for a few images. */
export interface Metrics {
  /** Step the params are from (0: before training). */
  step: number;
  trainAccuracy?: number;
  testAccuracy?: number;
  testLoss?: number;
  /** For 2-D features: the prediction on a size x size grid over `extent` (x0, x1, y0, y1), row 0 at the top (y1). */
  boundary?: { size: number; extent: [number, number, number, number]; scores: Float32Array };
  /** For image features: the first rows of the test set (else the training set), their labels and predicted labels. */
  images?: { shape: [number, number]; pixels: Float32Array; labels: number[]; predicted: number[]; of: 'test' | 'train' };
}

export interface TrainSettings {
  optimizer: string;
  learningRate: number;
  steps: number;
  /** Rows per step (mini-batches, reshuffled every epoch); undefined: every row. */
  batch?: number;
  /** At most this many steps a second (to watch a fast run); undefined: as fast as it goes. */
  pace?: number;
  data: TrainData;
}

export type Request =
  | { kind: 'compile'; id: number; source: string }
  /** Params and inputs in the flat layout; `dims` the dimension names' sizes, in `dimNames` order. */
  | { kind: 'evaluate'; id: number; compileId: number; params: number[]; inputs: number[]; dims: number[] }
  | { kind: 'train'; id: number; compileId: number; params: number[]; settings: TrainSettings }
  | { kind: 'stop'; id: number }
  /** The metrics at these params (no training): the decision boundary before a run. */
  | { kind: 'predict'; id: number; compileId: number; params: number[]; data: Extract<TrainData, { kind: 'rows' }> };

export interface Agreement {
  ok: boolean;
  /** Largest compiled-vs-tape relative error over the value and every partial. */
  engineError: number;
  /** Largest relative error against central finite differences. */
  finiteDifferenceError: number;
  /** Per param element (flat layout). */
  tape: number[];
  /** NaN for elements outside the sample of a large model. */
  finiteDifference: number[];
  tolerance: { engines: number; finiteDifferences: number };
}

export interface Evaluation {
  /** The point evaluated at (params and inputs in the flat layout, the dimension sizes). */
  params: number[];
  inputs: number[];
  dims: number[];
  value: number;
  /** Every param element, in the flat layout. */
  gradient: number[];
  /** Why the generated code could not evaluate the point (e.g. a label out of range for onehot); value and gradient are NaN. */
  error?: string;
  /** Per graph node id: its value, when known (scalar nodes), and, for forward nodes, ∂value/∂node. */
  nodes: Record<number, { value?: number; grad?: number }>;
  agreement: Agreement | { error: string };
}

export type Reply =
  | { kind: 'compiled'; id: number; diagnostics: EditorDiagnostic[]; model?: ProgramModel; error?: string }
  | { kind: 'evaluated'; id: number; compileId: number; evaluation: Evaluation }
  /** Batch losses of the steps since the last report (step counts from 1), and the params now. */
  | { kind: 'progress'; id: number; losses: { step: number; loss: number }[]; params: number[]; stepsPerSecond: number; metrics?: Metrics }
  | { kind: 'predicted'; id: number; compileId: number; metrics: Metrics }
  /** `loss` is the mean over every row at the final params. */
  | {
    kind: 'trained'; id: number; reason: 'steps' | 'until' | 'stopped' | 'diverged'; steps: number; loss: number; params: number[];
    stepsPerSecond: number; metrics?: Metrics;
  }
  | { kind: 'failed'; id: number; message: string };
