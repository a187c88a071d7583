export { fit, Trainer, FIT_DEFAULTS, type FitOptions, type FitResult, type StepInfo, type StopReason } from './fit.js';
export type { Model } from './model.js';
export { tapeModel } from './tape-model.js';
export { noData, datasetFromRows, type Dataset } from './dataset.js';
export { readCsv, type CsvResult } from './csv.js';
export { readParamsJson, type ParamsResult } from './params-json.js';
export { parseInit, formatInit } from './init-spec.js';
export { PROBLEMS, problem, type FileProblem } from './problems.js';
export { BatchSampler } from './batches.js';
