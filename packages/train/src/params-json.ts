/** Saved params: one JSON object `{"w1": 0.5, ...}` with a number for every param of the program. */
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

/** Where JSON.parse failed, from its message (the wording differs between engines). */
function offsetOfJsonError(text: string, lines: LineIndex, message: string): number {
  const at = /position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return lines.lineStart(Number(lineColumn[1])) + Number(lineColumn[2]) - 1;
  if (/end of (JSON )?(input|data)/i.test(message)) return text.length;
  return 0;
}

/**
 * The offset of each key of the outermost object of valid JSON text (the
 * last one where a key repeats, as JSON.parse keeps the last value). One pass:
 * strings are skipped whole, and only keys at depth 1 are recorded.
 */
function topLevelKeys(text: string): Map<string, number> {
  const keys = new Map<string, number>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 1 && expectKey) keys.set(JSON.parse(text.slice(start, i + 1)) as string, start);
      expectKey = false;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}
