/** Saved params: one JSON object `{"w1": 0.5, ...}` with a number for every param of the program. */
import { offsetOfJsonError, topLevelKeys } from './json-text.js';
import { LineIndex } from '@autodiff/diagnostics';
import { problem, ProblemList, type FileProblem } from './problems.js';

export type ParamsResult = { params: Float64Array; problems?: undefined } | { params?: undefined; problems: FileProblem[] };

/** The strings that JSON output uses for non-finite numbers (spec/cli.md), read back. */
const NON_FINITE = new Map([['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]]);

/**
 * Reads saved params for a program with `paramNames`: every param must have a
 * number and no other key may appear. The result is in param order. The work
 * is linear in the size of the text, whatever it holds.
 */
export function readParamsJson(text: string, paramNames: readonly string[]): ParamsResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = new LineIndex(source);
  const at = (offset: number) => {
    const { line, column } = lines.position(offset);
    return { row: line, column };
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const p = at(offsetOfJsonError(source, lines, message));
    return { problems: [problem('badJson', p.row, p.column, message)] };
  }
  const start = at(Math.max(0, source.search(/\S/)));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problems: [problem('notAnObject', start.row, start.column)] };
  }
  const saved = parsed as Record<string, unknown>;
  const keys = topLevelKeys(source);
  const where = (key: string) => {
    const offset = keys.get(key);
    return offset === undefined ? start : at(offset);
  };
  const problems = new ProblemList();
  const known = new Set(paramNames);
  for (const key of Object.keys(saved)) {
    if (!known.has(key)) {
      const p = where(key);
      problems.add(problem('unknownParam', p.row, p.column, key, paramNames));
    }
  }
  const params = new Float64Array(paramNames.length);
  paramNames.forEach((name, i) => {
    if (!Object.hasOwn(saved, name)) {
      problems.add(problem('missingParam', start.row, start.column, name));
      return;
    }
    const value = saved[name];
    const number = typeof value === 'number' ? value : typeof value === 'string' ? NON_FINITE.get(value) : undefined;
    if (number === undefined) {
      const p = where(name);
      problems.add(problem('badParamValue', p.row, p.column, name));
    } else {
      params[i] = number;
    }
  });
  return problems.items.length > 0 ? { problems: problems.inFileOrder() } : { params };
}
