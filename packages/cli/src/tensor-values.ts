/**
 * v2 tensor values on the command line and in JSON (spec/cli.md, "v2: tensors"):
 * `--at 'W=[[1,2],[3,4]],b=[0.5,-1],x=2'`, `--params`/`--inputs` files holding
 * `{name: number | nested list}`, the sizes of dimension names taken from the
 * values given, and tensors printed as nested lists.
 *
 * Pure functions: nothing here reads a file or throws for bad input. Problems
 * are data, rows of the CLI's diagnostics table (`CLI_DIAGNOSTICS`), or plain
 * reason strings that the caller puts into such a row. Every function is
 * linear in the size of its input and none recurses over nesting, so a deep
 * or huge value cannot overflow the stack.
 */
import { LineIndex, messageOf, quoted as q, type MessageArgs, type Severity } from '@autodiff/diagnostics';
import { CLI_DIAGNOSTICS } from './diagnostics.js';
import { jsonNumber } from './json.js';
import { NUMBER_TEXT } from './values.js';
import { offsetOfJsonError, topLevelKeys, type FileProblem } from '@autodiff/train';

/** A value given for a param or input: row-major elements and their shape (`[]` for a scalar). */
export interface TensorLiteral {
  shape: number[];
  data: Float64Array;
}

/** The result of reading one value: the tensor, or what is wrong with it. */
export type TensorResult = { value: TensorLiteral; error?: undefined } | { value?: undefined; error: string };

/** A row of the CLI's diagnostics table, instantiated without a place: the caller adds one (`{ ...p, span }`). */
export interface ValueProblem {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
}

type Kind = keyof typeof CLI_DIAGNOSTICS;

function problemOf<K extends Kind>(kind: K, ...args: MessageArgs<(typeof CLI_DIAGNOSTICS)[K]>): ValueProblem {
  const row = CLI_DIAGNOSTICS[kind];
  return { code: row.code, severity: row.severity, message: messageOf(row, args) };
}

/** Lists nest at most this deep: the rank of a value given on the command line or in a file. */
export const MAX_NESTING = 64;


/** The strings that JSON output uses for non-finite numbers (spec/cli.md), read back. */
const NON_FINITE = new Map([['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]]);

/** `[5, 3]`, `[n, 2]`, `[]`: shapes as the language writes them. */
export function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

const scalar = (v: number): TensorResult => ({ value: { shape: [], data: Float64Array.of(v) } });
const failed = (error: string): TensorResult => ({ error });
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`; // plain, as the indices beside it
const indexPath = (path: readonly number[]) => path.map((i) => `[${i}]`).join('');

/** "row 1" for an element of the outer list, "list [1][0]" deeper down. */
function listAt(path: readonly number[]): string {
  return path.length === 1 ? `row ${path[0]}` : `list ${indexPath(path)}`;
}

function raggedMessage(path: readonly number[], count: number, expected: number): string {
  const first = path.map(() => 0);
  return `ragged list: ${listAt(path)} has ${plural(count, 'element')}, ${listAt(first)} has ${expected}`;
}

/** An element that is a number where the first element at its depth is a list, or the other way round. */
function mixedMessage(path: readonly number[], isList: boolean, leafDepth: number): string {
  const first = indexPath(new Array<number>(Math.min(path.length, leafDepth)).fill(0));
  return isList
    ? `ragged list: element ${indexPath(path)} is a list, but element ${first} is a number`
    : `ragged list: element ${indexPath(path)} is a number, but element ${first} is a list`;
}

const tooDeep = () => `lists nest more than ${MAX_NESTING} deep`;

// ---------------------------------------------------------------------------
// --at

/** One `NAME=VALUE` item of an `--at` text. */
export interface AtItem {
  /** The text before the first `=`, trimmed (the whole item when it has no `=`). */
  name: string;
  /** The text after the first `=`, trimmed; undefined when the item has no `=`. */
  valueText: string | undefined;
  /** Where the item starts in the text (its first character that is not white space). */
  offset: number;
  /** Unbalanced brackets (E214), naming the item. The item is still returned so the caller knows its name. */
  problem?: ValueProblem;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * The items of one `--at` text, split at commas outside brackets:
 * `W=[[1,2],[3,4]],b=[0.5,-1],x=2` has three. Empty items (`x=1,,y=2`, a
 * trailing comma) are skipped, as in v1. A `]` without its `[` is reported
 * on its item and splitting goes on after it; a `[` that is never closed takes
 * the rest of the text into its item, which is reported.
 */
export function splitAt(text: string): AtItem[] {
  const items: AtItem[] = [];
  let start = 0;
  let depth = 0;
  let stray = false; // a ']' with no '[' in this item
  const finish = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const item = raw.trim();
    if (item !== '') {
      const eq = item.indexOf('=');
      const entry: AtItem = {
        name: (eq < 0 ? item : item.slice(0, eq)).trim(),
        valueText: eq < 0 ? undefined : item.slice(eq + 1).trim(),
        offset: start + lead,
      };
      if (stray) entry.problem = problemOf('unbalancedBrackets', item, `a ']' has no matching '['`);
      else if (depth > 0) {
        entry.problem = problemOf('unbalancedBrackets', item, depth === 1
          ? `a '[' is not closed`
          : `${depth.toLocaleString('en-US')} '[' are not closed`);
      }
      items.push(entry);
    }
    start = end + 1;
    depth = 0;
    stray = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') {
      if (depth === 0) stray = true;
      else depth--;
    } else if (c === ',' && depth === 0) finish(i);
  }
  finish(text.length);
  return items;
}

const OPEN = 91; // [
const CLOSE = 93; // ]
const COMMA = 44; // ,
const isDelimiter = (c: number) => c === OPEN || c === CLOSE || c === COMMA || isSpace(c);

/** The token starting at `i`: a run up to the next bracket, comma or white space (at least one character). */
function tokenAt(text: string, i: number): string {
  let j = i + 1;
  while (j < text.length && !isDelimiter(text.charCodeAt(j))) j++;
  return text.slice(i, j);
}

/**
 * A value as `--at` gives it: a number (decimal, optional sign, exponent,
 * `Infinity`, `NaN`, as v1 reads them) or a nested list of numbers in
 * brackets, row-major (`[[1, 2], [3, 4]]` has shape [2, 2]). White space may
 * appear between tokens. Empty lists, ragged lists, a missing or trailing
 * comma and anything that is not a number are errors that say what is wrong
 * and where (characters counted from 1). One pass, no recursion; lists may
 * nest up to MAX_NESTING deep.
 */
export function parseValueText(text: string): TensorResult {
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (i === n) return failed('no value given (expected a number, or a list in brackets such as [1, 2])');
  if (text.charCodeAt(i) !== OPEN) {
    const t = text.trim();
    return NUMBER_TEXT.test(t) ? scalar(Number(t)) : failed(`${q(t)} is not a number`);
  }
  const data: number[] = [];
  // The size of each axis, from the first list at that depth to close (0: not known yet; lists are never empty).
  const sizes = new Array<number>(MAX_NESTING).fill(0);
  const counts: number[] = []; // elements so far of each open list, outermost first
  const opened: number[] = []; // where each open list's '[' is
  let leafDepth = -1; // how many lists hold a number: the rank, known at the first number
  let expectValue = true; // after '[' or ','
  let afterComma = false;
  const path = () => counts.map((c) => c - 1);
  const at = (k: number) => `at character ${(k + 1).toLocaleString('en-US')}`;
  counts.push(0);
  opened.push(i++);
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const depth = counts.length;
    if (depth === 0) return failed(`unexpected ${q(text.slice(i).trim())} after the list (${at(i)})`);
    if (expectValue) {
      if (c === OPEN) {
        counts[depth - 1]!++;
        if (leafDepth >= 0 && depth >= leafDepth) return failed(mixedMessage(path(), true, leafDepth));
        if (depth === MAX_NESTING) return failed(tooDeep());
        counts.push(0);
        opened.push(i);
        i++;
        afterComma = false;
        continue;
      }
      if (c === CLOSE) {
        return failed(afterComma
          ? `trailing comma: expected a number or a list after the ',' before the ']' (${at(i)})`
          : `empty list (${at(i)}): every list needs at least one element`);
      }
      if (c === COMMA) return failed(`expected a number or a list before the ',' (${at(i)})`);
      const token = tokenAt(text, i);
      if (!NUMBER_TEXT.test(token)) return failed(`${q(token)} is not a number (${at(i)})`);
      counts[depth - 1]!++;
      if (leafDepth < 0) leafDepth = depth;
      else if (depth < leafDepth) return failed(mixedMessage(path(), false, leafDepth));
      data.push(Number(token));
      i += token.length;
      expectValue = false;
      continue;
    }
    if (c === COMMA) {
      expectValue = true;
      afterComma = true;
      i++;
      continue;
    }
    if (c === CLOSE) {
      const count = counts.pop()!;
      opened.pop();
      const axis = counts.length;
      if (sizes[axis] === 0) sizes[axis] = count;
      else if (sizes[axis] !== count) return failed(raggedMessage(path(), count, sizes[axis]!));
      i++;
      continue;
    }
    return failed(`expected ',' or ']' (${at(i)}), found ${q(c === OPEN ? '[' : tokenAt(text, i))}`);
  }
  if (counts.length > 0) return failed(`missing ']' at the end: the '[' ${at(opened.at(-1)!)} is not closed`);
  return { value: { shape: sizes.slice(0, leafDepth), data: Float64Array.from(data) } };
}

// ---------------------------------------------------------------------------
// JSON values

function describeJson(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}`;
  if (v === null || typeof v === 'boolean') return String(v);
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : typeof v;
}

function jsonNumberOf(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'string' ? NON_FINITE.get(v) : undefined;
}

const notANumber = (v: unknown, path: readonly number[]) => {
  const what = path.length === 0 ? '' : `element ${indexPath(path)} is `;
  const hint = typeof v === 'string' ? ' (the only strings read as numbers are "NaN", "Infinity" and "-Infinity")' : '';
  return `${what}${describeJson(v)}, not a number${hint}`;
};

/** A value read from JSON: why it is not a number or a nested list (the reason alone). */
function jsonTensor(value: unknown): TensorResult {
  if (!Array.isArray(value)) {
    const v = jsonNumberOf(value);
    return v === undefined ? failed(notANumber(value, [])) : scalar(v);
  }
  // The shape, along the first element of each list; the walk below holds every list to it.
  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v); v = v[0]) {
    if (v.length === 0) return failed(`empty list at ${shape.length === 0 ? 'the top' : `element ${indexPath(shape.map(() => 0))}`}: every list needs at least one element`);
    if (shape.length === MAX_NESTING) return failed(tooDeep());
    shape.push(v.length);
  }
  const rank = shape.length;
  const data: number[] = [];
  const lists: unknown[][] = [value];
  const index: number[] = [0];
  let depth = 0;
  const pathTo = (d: number) => index.slice(0, d + 1);
  while (depth >= 0) {
    const list = lists[depth]!;
    const k = index[depth]!;
    if (k === list.length) {
      depth--;
      if (depth >= 0) index[depth]!++;
      continue;
    }
    const element = list[k];
    if (depth === rank - 1) {
      if (Array.isArray(element)) return failed(mixedMessage(pathTo(depth), true, rank));
      const v = jsonNumberOf(element);
      if (v === undefined) return failed(notANumber(element, pathTo(depth)));
      data.push(v);
      index[depth]!++;
    } else {
      if (!Array.isArray(element)) {
        if (jsonNumberOf(element) !== undefined) return failed(mixedMessage(pathTo(depth), false, rank));
        return failed(`element ${indexPath(pathTo(depth))} is ${describeJson(element)}, not a list`);
      }
      if (element.length !== shape[depth + 1]) return failed(raggedMessage(pathTo(depth), element.length, shape[depth + 1]!));
      depth++;
      lists[depth] = element;
      index[depth] = 0;
    }
  }
  return { value: { shape, data: Float64Array.from(data) } };
}

/**
 * A value from parsed JSON: a number, one of the strings "NaN", "Infinity",
 * "-Infinity" (how our JSON output writes non-finite numbers), or nested
 * arrays of those, row-major. The error names the value:
 * `the value of 'W' is not a number or a nested list of numbers: ragged list: row 1 has 1 element, row 0 has 2`.
 * Iterative; arrays nest up to MAX_NESTING deep.
 */
export function jsonValueToTensor(value: unknown, name: string): TensorResult {
  const result = jsonTensor(value);
  return result.error === undefined ? result : failed(`the value of ${q(name)} is not a number or a nested list of numbers: ${result.error}`);
}

/** A number as JSON output writes it (json.ts's `jsonNumber`), except that -0 stays `-0` so it reads back as -0. */
function tensorNumber(v: number): string {
  return Object.is(v, -0) ? '-0' : jsonNumber(v);
}

/**
 * A tensor as JSON: nested lists in its shape (`[[0.1, 0.2], [0.3, 0.4]]`), a
 * scalar as a plain number. Numbers are written in full (the shortest text
 * that reads back as the same double), non-finite ones as the strings "NaN",
 * "Infinity", "-Infinity", and -0 as `-0`. One pass, joined once.
 */
export function formatJsonTensor(t: { readonly shape: readonly number[]; readonly data: ArrayLike<number> }): string {
  const { shape, data } = t;
  const rank = shape.length;
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`internal: a tensor of shape ${formatShape(shape)} has ${data.length} elements`);
  if (rank === 0) return tensorNumber(data[0]!);
  if (size === 0) {
    // Lists down to the first axis of size 0, which is empty.
    let text = '[]';
    for (let axis = shape.indexOf(0) - 1; axis >= 0; axis--) text = `[${new Array<string>(shape[axis]!).fill(text).join(', ')}]`;
    return text;
  }
  const parts: string[] = ['['.repeat(rank)];
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; ; i++) {
    parts.push(tensorNumber(data[i]!));
    let axis = rank - 1;
    while (axis >= 0 && ++index[axis]! === shape[axis]) index[axis--] = 0;
    const closed = rank - 1 - axis;
    if (axis < 0) {
      parts.push(']'.repeat(rank));
      return parts.join('');
    }
    parts.push(closed === 0 ? ', ' : `${']'.repeat(closed)}, ${'['.repeat(closed)}`);
  }
}

// ---------------------------------------------------------------------------
// Shapes

/** A param or input as declared: its shape has literal sizes and dimension names. */
export interface DeclaredValue {
  name: string;
  kind: 'param' | 'input';
  shape: readonly (number | string)[];
}

/** A problem with the value given for `name` (the caller points at its declaration). */
export interface ShapeProblem extends ValueProblem {
  readonly name: string;
}

export type BindResult = { dims: Map<string, number>; problems?: undefined } | { dims?: undefined; problems: ShapeProblem[] };

/**
 * Checks every value given against its declared shape and finds the size of
 * each dimension name: the size in the first value (in declaration order)
 * that has the name, among values of the declared rank. Reported, one problem
 * per value, naming the value, the shape expected and the shape given:
 * - a wrong rank, or a size that differs from a literal (E215:
 *   `input 'X' should have shape [n, 2] (n = 5 from 'X'), got [5, 3]`);
 * - a size that differs from the one a dimension name already has from
 *   another value (E216, naming both values and both sizes);
 * - a dimension name of size 0 (E217). A design choice: the language makes
 *   every literal dimension positive, and a dimension name stands for a size
 *   of the same kind, so an empty batch is an error rather than a mean of
 *   nothing (NaN). (Values read by parseValueText and jsonValueToTensor are
 *   never empty anyway.)
 * Declared names missing from `given`, and given names not declared, are
 * left to the caller (they are reported as missing or unknown values); a
 * dimension name only a missing value has gets no size.
 */
export function bindShapes(declared: readonly DeclaredValue[], given: ReadonlyMap<string, TensorLiteral>): BindResult {
  const dims = new Map<string, { size: number; from: string }>();
  const problems: ShapeProblem[] = [];
  for (const { name, kind, shape } of declared) {
    const value = given.get(name);
    if (value === undefined) continue;
    const got = value.shape;
    const givenText = formatShape(got);
    const expected = () => {
      const known = [...new Set(shape.filter((d): d is string => typeof d === 'string'))]
        .filter((d) => dims.has(d))
        .map((d) => `${d} = ${dims.get(d)!.size} from ${q(dims.get(d)!.from)}`);
      return formatShape(shape) + (known.length > 0 ? ` (${known.join(', ')})` : '');
    };
    if (got.length !== shape.length) {
      problems.push({ name, ...problemOf('wrongShape', kind, name, expected(), givenText) });
      continue;
    }
    let zero: string | undefined;
    for (let k = 0; k < shape.length; k++) {
      const d = shape[k]!;
      if (typeof d !== 'string' || dims.has(d)) continue;
      if (got[k] === 0) zero ??= d;
      else dims.set(d, { size: got[k]!, from: name });
    }
    let mismatch: { dim: string; size: number; first: string; firstSize: number } | undefined;
    let wrong = false;
    for (let k = 0; k < shape.length; k++) {
      const d = shape[k]!;
      const size = got[k]!;
      if (typeof d === 'number') {
        if (size !== d) wrong = true;
        continue;
      }
      const bound = dims.get(d);
      if (bound === undefined || bound.size === size) continue;
      if (bound.from === name) wrong = true; // the same name twice in this value's shape, e.g. [n, n] given [3, 4]
      else mismatch ??= { dim: d, size, first: bound.from, firstSize: bound.size };
    }
    if (mismatch) {
      const { dim, size, first, firstSize } = mismatch;
      problems.push({ name, ...problemOf('dimensionMismatch', kind, name, expected(), givenText, dim, size, first, firstSize) });
    } else if (zero !== undefined) {
      problems.push({ name, ...problemOf('zeroDimension', kind, name, formatShape(shape), givenText, zero) });
    } else if (wrong) {
      problems.push({ name, ...problemOf('wrongShape', kind, name, expected(), givenText) });
    }
  }
  if (problems.length > 0) return { problems };
  return { dims: new Map([...dims].map(([d, { size }]) => [d, size])) };
}

// ---------------------------------------------------------------------------
// --params FILE.json, --inputs FILE.json

/** A problem of a values file at a 1-based line and column: train's, so saved-params.ts's `formatProblems` prints these too. */
export type { FileProblem };

export type TensorJsonResult =
  | { values: Map<string, TensorLiteral>; problems?: undefined }
  | { values?: undefined; problems: FileProblem[] };

/** Reading stops reporting after this many problems, and says that more follow. */
export const MAX_FILE_PROBLEMS = 10;

/**
 * The values of a `--params` (kind 'param') or `--inputs` (kind 'input')
 * file: one JSON object mapping names to numbers or nested lists, as
 * `fit --out` and `eval --json` write them. Keys must be among `names`; with
 * `requireAll`, every name must be there too (for `fit --params`; `eval` can
 * take the rest from `--at`). The values are in `names` order. Problems (in
 * file order, at most MAX_FILE_PROBLEMS and a note) point at the key of the
 * value at fault. Shapes are not checked here: see bindShapes. Linear in the
 * size of the text, whatever it holds.
 */
export function readTensorJson(
  text: string,
  kind: 'param' | 'input',
  names: readonly string[],
  options: { requireAll?: boolean } = {},
): TensorJsonResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = new LineIndex(source);
  const at = (offset: number, p: ValueProblem): FileProblem => {
    const { line, column } = lines.position(offset);
    return { ...p, row: line, column };
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { problems: [at(offsetOfJsonError(source, lines, message), problemOf('valuesBadJson', message))] };
  }
  const start = Math.max(0, source.search(/\S/));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problems: [at(start, problemOf('valuesNotAnObject', kind))] };
  }
  const object = parsed as Record<string, unknown>;
  const keys = topLevelKeys(source);
  const where = (key: string) => keys.get(key) ?? start;
  const problems: FileProblem[] = [];
  const known = new Set(names);
  for (const key of Object.keys(object)) {
    if (!known.has(key)) problems.push(at(where(key), problemOf('valuesUnknownName', kind, key, names)));
  }
  const values = new Map<string, TensorLiteral>();
  for (const name of names) {
    if (!Object.hasOwn(object, name)) {
      if (options.requireAll) problems.push(at(start, problemOf('valuesMissing', kind, name)));
      continue;
    }
    const result = jsonTensor(object[name]);
    if (result.error !== undefined) problems.push(at(where(name), problemOf('valuesBadValue', kind, name, result.error)));
    else values.set(name, result.value);
  }
  if (problems.length === 0) return { values };
  problems.sort((a, b) => a.row - b.row || a.column - b.column);
  if (problems.length <= MAX_FILE_PROBLEMS) return { problems };
  const last = problems[MAX_FILE_PROBLEMS]!;
  const note = { ...problemOf('valuesTooManyProblems', MAX_FILE_PROBLEMS), row: last.row, column: last.column };
  return { problems: [...problems.slice(0, MAX_FILE_PROBLEMS), note] };
}

