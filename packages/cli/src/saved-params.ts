/** Reading `--params FILE.json` (saved params) for `fit` and `eval`, and printing file problems. */
import { formatHeadline } from '@autodiff/parser';
import { readParamsJson, type FileProblem } from '@autodiff/train';
import { InputError } from './failures.js';
import { readSource } from './source.js';

/** `path:row:col: error[CODE]: message` for each problem (or note) of a data or params file. */
export function formatProblems(path: string, problems: readonly FileProblem[]): string[] {
  return problems.map((p) => formatHeadline(path, p.row, p.column, p.severity, p.code, p.message));
}

/** The saved params, in `paramNames` order; every param must be there and nothing else. */
export function readSavedParams(path: string, paramNames: readonly string[]): Float64Array {
  const result = readParamsJson(readSource(path, 'params').text, paramNames);
  if (result.problems) throw new InputError(formatProblems(path, result.problems));
  return result.params;
}
