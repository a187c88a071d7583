/**
 * The compile worker: parsing, checking, compiling, evaluating and training
 * all happen here, so a 10,000-line program never freezes the page. The page
 * sends the source on every (debounced) edit and values on every slider move.
 */
import { compileSource } from '@autodiff/compiler';
import { editorDiagnostics, loadProgram, type LoadedProgram } from '../analysis/model.js';
import { evaluate } from './evaluate.js';
import { Predictor } from './metrics.js';
import type { Reply, Request } from './protocol.js';
import { TrainingRun } from './training.js';

const scope = self as unknown as {
  postMessage(reply: Reply): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
};
const send = (reply: Reply) => scope.postMessage(reply);

/**
 * The latest program that compiled (the page keeps showing it while the text
 * has errors); requests naming an older one are answered with nothing.
 */
let current: { id: number; program: LoadedProgram; predictor?: Predictor } | undefined;
let training: TrainingRun | undefined;

scope.onmessage = ({ data: request }) => {
  try {
    handle(request);
  } catch (error) {
    send({ kind: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
};

let pendingEvaluation: Extract<Request, { kind: 'evaluate' }> | undefined;
let pendingPrediction: Extract<Request, { kind: 'predict' }> | undefined;

/** The current program's classifier predictions (its prediction binding compiled once, when first needed). */
function predictorOf(program: NonNullable<typeof current>): Predictor | undefined {
  const { batch } = program.program.model;
  if (!batch?.task) return undefined;
  program.predictor ??= new Predictor(program.program, batch, batch.task);
  return program.predictor;
}

function predictPending(): void {
  const request = pendingPrediction;
  pendingPrediction = undefined;
  if (!request || current?.id !== request.compileId) return;
  const predictor = predictorOf(current);
  if (!predictor) return;
  const { train, test } = request.data;
  send({ kind: 'predicted', id: request.id, compileId: request.compileId, metrics: predictor.metrics(Float64Array.from(request.params), 0, train, test) });
}

function evaluatePending(): void {
  const request = pendingEvaluation;
  pendingEvaluation = undefined;
  if (!request || current?.id !== request.compileId) return;
  try {
    const evaluation = evaluate(current.program, request.params, request.inputs, request.dims);
    send({ kind: 'evaluated', id: request.id, compileId: request.compileId, evaluation });
  } catch (error) {
    send({ kind: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
}

function handle(request: Request): void {
  switch (request.kind) {
    case 'compile': {
      training?.stop();
      const compilation = compileSource(request.source);
      const diagnostics = editorDiagnostics(compilation.diagnostics, request.source);
      const program = loadProgram(compilation, request.source);
      if (program) current = { id: request.id, program };
      send({ kind: 'compiled', id: request.id, diagnostics, ...(program ? { model: program.model } : {}) });
      return;
    }
    case 'evaluate': {
      // Only the newest point matters: a slider dragged over a large batch must not queue up evaluations.
      const waiting = pendingEvaluation;
      pendingEvaluation = request;
      if (!waiting) setTimeout(evaluatePending, 0);
      return;
    }
    case 'train': {
      training?.stop();
      if (current?.id !== request.compileId) return;
      const predictor = request.settings.data.kind === 'rows' ? predictorOf(current) : undefined;
      training = new TrainingRun(request.id, current.program, request.params, request.settings, send, predictor);
      training.start();
      return;
    }
    case 'predict': {
      const waiting = pendingPrediction;
      pendingPrediction = request;
      if (!waiting) setTimeout(() => {
        try {
          predictPending();
        } catch (error) {
          send({ kind: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) });
        }
      }, 0);
      return;
    }
    case 'stop':
      training?.stop();
      return;
  }
}
