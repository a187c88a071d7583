/**
 * `autodiff eval FILE --at NAME=VALUE,... [--params FILE.json] [--inputs FILE.json] [--engine compiled|tape] [--json]`,
 * or `autodiff eval FILE --params P.json --data D.csv [--json]`.
 */
import { loadCompiled } from '@autodiff/compiler';
import { isTensorProgram, type CheckedProgram } from '@autodiff/parser';
import { Trainer, type Model } from '@autodiff/train';
import { readData } from './fit-command.js';
import { checkLabels, readTensorParams, tensorModel } from './tensor-fit.js';
import { interpret } from '@autodiff/runtime';
import { UsageError } from './failures.js';
import { jsonNumber, jsonObject } from './json.js';
import { readSavedParams } from './saved-params.js';
import { compileFile, readSource } from './source.js';
import { evaluateTensor, formatTensorJson, formatTensorText, tensorValuesFor } from './tensor-eval.js';
import { valuesFor } from './values.js';

export interface EvalOptions {
  /** Each `--at` given: NAME=VALUE,... */
  at: readonly string[];
  engine?: string | undefined;
  json?: boolean;
  /** Saved params (JSON, as `fit` writes them); `--at` may still override some. */
  params?: string | undefined;
  /** Input values (JSON: name -> number or nested list). */
  inputs?: string | undefined;
  /** A CSV file to evaluate the output over (with --params), as fit reads it. */
  data?: string | undefined;
}

export interface Evaluation {
  value: number;
  /** Param name -> partial derivative, in param order. */
  gradient: [string, number][];
}

export function evalCommand(path: string, options: EvalOptions): void {
  const engine = options.engine ?? 'compiled';
  if (engine !== 'compiled' && engine !== 'tape') throw new UsageError(`--engine must be compiled or tape, not '${engine}'`);
  const at = [...options.at];
  const file = readSource(path);
  const { ir, checked } = compileFile(file);
  if (options.data !== undefined) {
    evalOverData(file.path, checked, ir, options);
    return;
  }
  // Programs with any tensor value (declared, or made by a stack) take the v2 path; so do
  // list values given to a scalar program, which the v2 path reports with both shapes.
  if (isTensorProgram(checked) || options.inputs !== undefined || at.some((a) => a.includes('['))) {
    const { values, dims } = tensorValuesFor(file, checked, options);
    const result = evaluateTensor(file.path, checked, values, dims, engine, () => loadCompiled(ir));
    process.stdout.write(options.json ? formatTensorJson(result) : formatTensorText(result));
    return;
  }
  const params = checked.params.map((p) => p.name);
  const saved = new Map<string, number>();
  if (options.params !== undefined) readSavedParams(options.params, params).forEach((v, i) => saved.set(params[i]!, v));
  const values = valuesFor(file, checked, at, saved);
  let result: Evaluation;
  if (engine === 'tape') {
    const { value, gradient } = interpret(checked, values);
    result = { value, gradient: params.map((n) => [n, gradient.get(n)!]) };
  } else {
    const compiled = loadCompiled(ir);
    const p = Float64Array.from(params, (n) => values.get(n)!);
    const x = Float64Array.from(checked.inputs, (ref) => values.get(ref.name)!);
    const grad = new Float64Array(params.length);
    const value = compiled.backwardFlat(p, x, grad);
    result = { value, gradient: params.map((n, i) => [n, grad[i]!]) };
  }
  process.stdout.write(options.json ? formatJson(result) : formatText(result));
}

/**
 * `eval FILE --params P.json --data D.csv`: the output over a data file at
 * saved params, as fit computes its loss: the mean over the rows for a
 * per-row program, the output over all rows at once for a batch program.
 */
function evalOverData(path: string, checked: CheckedProgram, ir: ReturnType<typeof compileFile>['ir'], options: EvalOptions): void {
  if (options.params === undefined) throw new UsageError('eval --data needs --params: the params to evaluate the data at');
  if (options.at.length > 0 || options.inputs !== undefined) throw new UsageError('eval --data takes the inputs from the data file: give no --at or --inputs');
  if ((options.engine ?? 'compiled') !== 'compiled') throw new UsageError('eval --data runs the generated code: --engine tape is for one point');
  const tensors = isTensorProgram(checked);
  const compiled = loadCompiled(ir);
  const model: Model = tensors ? tensorModel(path, checked, compiled) : compiled;
  const file = readSource(path);
  const data = readData(options.data, file, model.inputColumns ?? model.inputNames);
  if (tensors) checkLabels(options.data!, checked, model, data);
  const params = tensors ? readTensorParams(options.params, checked) : readSavedParams(options.params, model.paramNames);
  const value = new Trainer(model, data, { params, steps: 0 }).loss();
  const over = `${model.batchInputSizes ? 'the output' : 'mean'} over ${data.rows} row${data.rows === 1 ? '' : 's'}`;
  process.stdout.write(options.json
    ? `${jsonObject([['value', jsonNumber(value)], ['rows', String(data.rows)]])}\n`
    : `value: ${value} (${over})\n`);
}

function formatJson(r: Evaluation): string {
  const gradient = jsonObject(r.gradient.map(([k, v]) => [k, jsonNumber(v)]));
  return `${jsonObject([['value', jsonNumber(r.value)], ['gradient', gradient]])}\n`;
}

function formatText(r: Evaluation): string {
  const width = Math.max(0, ...r.gradient.map(([k]) => k.length));
  const lines = [`value: ${r.value}`, 'gradient:'];
  for (const [k, v] of r.gradient) lines.push(`  d/d${k.padEnd(width)} = ${v}`);
  if (r.gradient.length === 0) lines.push('  (no params)');
  return lines.join('\n') + '\n';
}
