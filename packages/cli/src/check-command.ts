/** `autodiff check FILE [--points N] [--seed S] [--tolerance T] [--dims NAME=SIZE,...] [--verbose]` */
import { compileSource, DEFAULT_CONTEXT, type PassContext } from '@autodiff/compiler';
import { printable, quoted } from '@autodiff/diagnostics';
import { checkProgram, DimensionError, MAX_DIMENSION_SIZE, resolveDims, pointValueText, type GradientCheck, type PointValue, type ProgramCheck } from '@autodiff/verify';
import { fileMessage } from './diagnostics.js';
import { InputError, UsageError } from './failures.js';
import { readSource, report } from './source.js';

/** Flag values as given (tests pass numbers directly). */
export interface CheckOptions {
  points?: string | number | undefined;
  seed?: string | number | undefined;
  tolerance?: string | number | undefined;
  /** `n=5,m=3`: the size of each dimension name (default 3). */
  dims?: string | undefined;
  verbose?: boolean | undefined;
}

export const DEFAULT_POINTS = 5;
/** A fixed default seed: a check that passed once passes again (CI), and a failure reproduces. */
export const DEFAULT_SEED = 1;

/**
 * `context` is the op table to compile with; only tests pass another (a
 * doctored copy with a wrong rule, to see this command fail).
 */
export function checkCommand(path: string, options: CheckOptions, context: PassContext = DEFAULT_CONTEXT): void {
  const points = integerOption('--points', options.points, DEFAULT_POINTS, 1, 100_000);
  const seed = integerOption('--seed', options.seed, DEFAULT_SEED, 0, 2 ** 32 - 1);
  const tolerance = toleranceOption(options.tolerance);
  const file = readSource(path);
  const compilation = compileSource(file.text, context);
  report(file, compilation.diagnostics);
  const dims = dimsOption(path, options.dims, compilation.checked!.dimNames);
  try {
    resolveDims(compilation.checked!, dims); // dimsOption has checked each size: what is left is the element limit
  } catch (e) {
    if (e instanceof DimensionError) throw new InputError([fileMessage(path, 'tooLargeAtRun', e.message)]);
    throw e;
  }
  const result = checkProgram(compilation, { points, seed, context, dims, ...(tolerance === undefined ? {} : { tolerance }) });
  if (result.checks.length === 0) {
    throw new InputError([fileMessage(path, 'noUsablePoint', seed)]);
  }
  process.stdout.write(formatCheck(path, result, options.verbose === true));
  if (result.checks.length < points) {
    process.stderr.write(`${fileMessage(path, 'fewPoints', result.checks.length, points)}\n`);
  }
  if (!result.ok) {
    const failed = result.checks.filter((c) => !c.ok).length;
    throw new InputError([fileMessage(path, 'checkFailed', failed, pointCount(result.checks.length))]);
  }
}

function integerOption(flag: string, raw: string | number | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, not '${String(raw)}'`);
  }
  return n;
}

function toleranceOption(raw: string | number | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const t = Number(raw);
  if (!(t > 0) || !Number.isFinite(t)) {
    throw new UsageError(`--tolerance must be a positive number, not '${String(raw)}'`);
  }
  return t;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `--dims n=5,m=3`: a size for some of the program's dimension names (the
 * others get 3). Like `--at`, its values are about the program: a malformed
 * item, a name the program does not have, or a name given twice is exit 1,
 * every problem reported.
 */
export function dimsOption(path: string, raw: string | undefined, known: readonly string[]): Map<string, number> {
  const sizes = new Map<string, number>();
  if (raw === undefined) return sizes;
  const problems: string[] = [];
  const dimNames = new Set(known);
  for (const part of raw.split(',')) {
    const item = part.trim();
    const eq = item.indexOf('=');
    if (eq < 0) {
      problems.push(fileMessage(path, 'badDims', item, item === '' ? 'it is empty' : "there is no '=' in it"));
      continue;
    }
    const name = item.slice(0, eq).trim();
    const sizeText = item.slice(eq + 1).trim();
    const size = /^\d+$/.test(sizeText) ? Number(sizeText) : NaN;
    if (!NAME.test(name)) {
      problems.push(fileMessage(path, 'badDims', item, name === '' ? "no name before the '='" : `${quoted(name)} is not a name`));
    } else if (!(size >= 1 && size <= MAX_DIMENSION_SIZE)) {
      problems.push(fileMessage(path, 'badDims', item, `the size must be an integer from 1 to ${MAX_DIMENSION_SIZE.toLocaleString('en-US')}`));
    } else if (!dimNames.has(name)) {
      problems.push(fileMessage(path, 'unknownDim', name, known));
    } else if (sizes.has(name)) {
      problems.push(fileMessage(path, 'duplicateDim', name));
    } else {
      sizes.set(name, size);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return sizes;
}

const HEADER = ['point', 'param', 'compiled', 'tape', 'finite diff', 'tape err', 'fd err', ''];

/** Above this many rows the table is printed only with --verbose (failing rows always are). */
export const MAX_TABLE_ROWS = 60;
/** Above this many variables a point is described, not listed as --at (with --verbose it is listed). */
const MAX_LISTED_VARIABLES = 24;

/**
 * The report `autodiff check` prints: where it looked, what it compared, the
 * table (for a small program, or with `verbose`; otherwise only its failing
 * rows), and a verdict.
 */
export function formatCheck(path: string, result: ProgramCheck, verbose = false): string {
  const first = result.checks[0];
  const tolerance = first?.tolerance ?? { engines: NaN, finiteDifferences: NaN };
  const count = pointCount(result.checks.length);
  const params = first?.params.length ?? 0;
  const tensor = first !== undefined && isTensorPoint(first.point);
  const sizes = [...result.dims].map(([d, n]) => `${d}=${n}`).join(', ');
  const lines = [`checking ${printable(path)} at ${count} (seed ${result.seed})${sizes === '' ? '' : `, dimension sizes ${sizes}`}`];
  result.checks.forEach((c, i) => {
    if (tensor) {
      // Tensor values as nested lists, quoted for the shell ('[' is a pattern character).
      const elements = [...c.point.values()].reduce((n: number, v) => n + (typeof v === 'number' ? 1 : v.data.length), 0);
      if (elements > MAX_LISTED_VARIABLES && !verbose) {
        lines.push(`  point ${i + 1}: ${elements.toLocaleString('en-US')} elements of ${c.point.size.toLocaleString('en-US')} params and inputs (--verbose lists them)`);
        return;
      }
      const at = [...c.point].map(([k, v]) => `${k}=${pointValueText(v)}`).join(',');
      lines.push(`  point ${i + 1}: ${at === '' ? '(no params or inputs)' : `--at '${at}'`}`);
      return;
    }
    if (c.point.size > MAX_LISTED_VARIABLES && !verbose) {
      lines.push(`  point ${i + 1}: ${c.point.size.toLocaleString('en-US')} params and inputs (--verbose lists them)`);
      return;
    }
    const at = [...c.point].map(([k, v]) => `${k}=${pointValueText(v)}`).join(',');
    lines.push(`  point ${i + 1}: ${at === '' ? '(no params or inputs)' : `--at ${at}`}`);
  });
  lines.push('');
  const all = result.checks.flatMap((c, i) => rowsFor(c, i + 1));
  const showAll = verbose || all.length <= MAX_TABLE_ROWS;
  const shown = showAll ? all : all.filter((r) => r.at(-1) === 'FAIL').slice(0, MAX_TABLE_ROWS);
  if (shown.length > 0) {
    const rows = [HEADER, ...shown];
    const widths = HEADER.map((_, col) => rows.reduce((w, r) => Math.max(w, r[col]!.length), 0));
    for (const row of rows) lines.push(row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd());
    if (!showAll) lines.push(`(only failing rows are shown, at most ${MAX_TABLE_ROWS}; --verbose prints all ${all.length.toLocaleString('en-US')})`);
    lines.push('');
  } else if (!showAll) {
    lines.push(`(${all.length.toLocaleString('en-US')} rows agree; --verbose prints them)`, '');
  }
  const sampled = result.plan.elements.length;
  const movable = params - result.labelElements;
  const labels = result.labelElements === 0 ? ''
    : `, not the ${result.labelElements.toLocaleString('en-US')} that onehot reads as labels`;
  const elements = sampled === params ? `every element`
    : sampled === movable ? `every element${labels}`
    : `${sampled} of the ${movable.toLocaleString('en-US')} elements (a seeded sample${labels})`;
  const declared = tensor ? paramCount(first!) : 0;
  const perPoint = tensor ? `${params.toLocaleString('en-US')} per point, of ${declared} param${declared === 1 ? '' : 's'}`
    : `${params.toLocaleString('en-US')} per point`;
  lines.push(`compared: compiled vs tape on every gradient element (${perPoint}); `
    + `finite differences on ${elements} and along ${result.plan.directions.length} random directions per point`);
  lines.push(`tape err: compiled vs tape, at most ${limit(tolerance.engines)}; `
    + `fd err: compiled and tape vs central differences, at most ${limit(tolerance.finiteDifferences)}`);
  lines.push('(errors are relative, and absolute for gradients smaller than about 1)');
  const worst = (pick: (c: GradientCheck) => number[]) => result.checks.flatMap(pick).reduce((m, e) => Math.max(m, e), 0);
  lines.push(`worst: tape err ${error(worst((c) => [c.value.error, ...c.params.map((p) => p.engineError), ...c.directions.map((d) => d.engineError)]))}, `
    + `fd err ${error(worst((c) => [...c.params.map((p) => p.finiteDifferenceError ?? 0), ...c.directions.map((d) => d.finiteDifferenceError)]))}`);
  const failed = result.checks.filter((c) => !c.ok).length;
  lines.push(failed === 0
    ? `ok: compiled, tape and finite differences agree at ${count}`
    : `FAIL: the witnesses disagree at ${failed} of ${count}`);
  return lines.join('\n') + '\n';
}

/** A point with a tensor value (a v2 program whose params and inputs are all scalars prints as a v1 one). */
function isTensorPoint(point: ReadonlyMap<string, PointValue>): boolean {
  return [...point.values()].some((v) => typeof v !== 'number');
}

const paramCount = (c: GradientCheck) => new Set(c.params.map((p) => p.param)).size;

function rowsFor(c: GradientCheck, index: number): string[][] {
  const valueOk = c.value.error <= c.tolerance.engines;
  const rows = [[String(index), '(value)', number(c.value.compiled), number(c.value.tape), '', error(c.value.error), '', verdict(valueOk)]];
  for (const p of c.params) {
    rows.push([String(index), p.name, number(p.compiled), number(p.tape), p.finiteDifference === undefined ? '-' : number(p.finiteDifference),
      error(p.engineError), p.finiteDifferenceError === undefined ? '-' : error(p.finiteDifferenceError), verdict(p.ok)]);
  }
  for (const d of c.directions) {
    rows.push([String(index), `along d${d.index + 1}`, number(d.compiled), number(d.tape), number(d.finiteDifference),
      error(d.engineError), error(d.finiteDifferenceError), verdict(d.ok)]);
  }
  return rows;
}

/** 12 significant digits; an exponent outside [1e-3, 1e6) so columns stay narrow. */
function number(v: number): string {
  const a = Math.abs(v);
  if (a === 0 || !Number.isFinite(v) || (a >= 1e-3 && a < 1e6)) return String(Number(v.toPrecision(12)));
  return v.toExponential(11).replace(/\.?0+e/, 'e');
}
const limit = (t: number) => t.toExponential();
const pointCount = (n: number) => `${n} point${n === 1 ? '' : 's'}`;
const error = (e: number) => (e === 0 ? '0' : e.toExponential(1));
const verdict = (ok: boolean) => (ok ? 'ok' : 'FAIL');
