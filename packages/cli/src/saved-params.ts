/** Reading `--params FILE.json` (saved params) for `fit` and `eval`. */
import { readParamsJson, type FileProblem } from '@autodiff/train';
import { InputError } from './failures.js';
import { readSource } from './source.js';

/** `path:row:col: error: message` for each problem of a data or params file. */
export function formatProblems(path: string, problems: readonly FileProblem[]): string[] {
  return problems.map((p) => `${path}:${p.row}:${p.column}: error: ${p.message}`);
}

/** The saved params, in `paramNames` order; every param must be there and nothing else. */
export function readSavedParams(path: string, paramNames: readonly string[]): Float64Array {
  const result = readParamsJson(readSource(path).text, paramNames);
  if (result.problems) throw new InputError(formatProblems(path, result.problems));
  return result.params;
}
