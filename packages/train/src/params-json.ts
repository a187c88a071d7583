/** Saved params: one JSON object `{"w1": 0.5, ...}` with a number for every param of the program. */
import { problem, type FileProblem } from './problems.js';

export type ParamsResult = { params: Float64Array; problems?: undefined } | { params?: undefined; problems: FileProblem[] };

/** The strings that JSON output uses for non-finite numbers (spec/cli.md), read back. */
const NON_FINITE = new Map([['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]]);

/**
 * Reads saved params for a program with `paramNames`: every param must have a
 * number and no other key may appear. The result is in param order.
 */
export function readParamsJson(text: string, paramNames: readonly string[]): ParamsResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const { row, column } = position(text, offsetOfJsonError(text, message));
    return { problems: [problem('badJson', row, column, message)] };
  }
  const start = position(text, Math.max(0, text.search(/\S/)));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problems: [problem('notAnObject', start.row, start.column)] };
  }
  const saved = parsed as Record<string, unknown>;
  const problems: FileProblem[] = [];
  for (const key of Object.keys(saved)) {
    if (!paramNames.includes(key)) {
      const at = keyPosition(text, key) ?? start;
      problems.push(problem('unknownParam', at.row, at.column, key, paramNames));
    }
  }
  const params = new Float64Array(paramNames.length);
  paramNames.forEach((name, i) => {
    if (!Object.hasOwn(saved, name)) {
      problems.push(problem('missingParam', start.row, start.column, name));
      return;
    }
    const value = saved[name];
    const number = typeof value === 'number' ? value : typeof value === 'string' ? NON_FINITE.get(value) : undefined;
    if (number === undefined) {
      const at = keyPosition(text, name) ?? start;
      problems.push(problem('badParamValue', at.row, at.column, name));
    } else {
      params[i] = number;
    }
  });
  problems.sort((a, b) => a.row - b.row || a.column - b.column);
  return problems.length > 0 ? { problems } : { params };
}

/** Where JSON.parse failed, from its message (the wording differs between engines). */
function offsetOfJsonError(text: string, message: string): number {
  const at = /position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) {
    const lines = text.split('\n').slice(0, Number(lineColumn[1]) - 1);
    return lines.reduce((n, l) => n + l.length + 1, 0) + Number(lineColumn[2]) - 1;
  }
  if (/end of (JSON )?(input|data)/i.test(message)) return text.length;
  return 0;
}

/** Where a key is written, if it is written the way JSON.stringify writes it. */
function keyPosition(text: string, key: string): { row: number; column: number } | undefined {
  const quoted = JSON.stringify(key);
  for (let at = text.indexOf(quoted); at >= 0; at = text.indexOf(quoted, at + 1)) {
    if (/^\s*:/.test(text.slice(at + quoted.length))) return position(text, at);
  }
  return undefined;
}

function position(text: string, offset: number): { row: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { row: before.split('\n').length, column: offset - lineStart + 1 };
}
