/** `autodiff check FILE [--points N] [--seed S] [--tolerance T] [--verbose]` */
import { compileSource, DEFAULT_CONTEXT, type PassContext } from '@autodiff/compiler';
import { printable } from '@autodiff/diagnostics';
import { checkProgram, type GradientCheck, type ProgramCheck } from '@autodiff/verify';
import { fileMessage } from './diagnostics.js';
import { InputError, UsageError } from './failures.js';
import { readSource, report } from './source.js';

/** Flag values as given (tests pass numbers directly). */
export interface CheckOptions {
  points?: string | number | undefined;
  seed?: string | number | undefined;
  tolerance?: string | number | undefined;
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
  const result = checkProgram(compilation, { points, seed, context, ...(tolerance === undefined ? {} : { tolerance }) });
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
  const lines = [`checking ${printable(path)} at ${count} (seed ${result.seed})`];
  result.checks.forEach((c, i) => {
    if (c.point.size > MAX_LISTED_VARIABLES && !verbose) {
      lines.push(`  point ${i + 1}: ${c.point.size.toLocaleString('en-US')} params and inputs (--verbose lists them)`);
      return;
    }
    const at = [...c.point].map(([k, v]) => `${k}=${v}`).join(',');
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
  const elements = sampled === params ? `every element` : `${sampled} of the ${params.toLocaleString('en-US')} elements (a seeded sample)`;
  lines.push(`compared: compiled vs tape on every gradient element (${params.toLocaleString('en-US')} per point); `
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
