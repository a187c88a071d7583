/**
 * `fit` on tensor programs (cli.md, v2): which kind of program it is, the
 * CSV columns its inputs read, the labels `onehot` needs, and params files
 * with nested lists.
 */
import type { CompiledFunctions } from '@autodiff/compiler';
import { labelInputs, type CheckedProgram } from '@autodiff/parser';
import type { Dataset, Model } from '@autodiff/train';
import { fileMessage, fileMessageAt } from './diagnostics.js';
import { InputError } from './failures.js';
import { jsonNumber, jsonObject } from './json.js';
import { formatProblems } from './saved-params.js';
import { readSource } from './source.js';
import { formatJsonTensor, readTensorJson } from './tensor-values.js';

/** The columns one input reads per row: `x` for a scalar, `x[0]`... for [k], `x[0,0]`... for [a, b] (row-major). */
export function columnsOf(name: string, rowShape: readonly number[]): string[] {
  if (rowShape.length === 0) return [name];
  const out: string[] = [];
  const index = rowShape.map(() => 0);
  const count = rowShape.reduce((a, b) => a * b, 1);
  for (let f = 0; f < count; f++) {
    out.push(`${name}[${index.join(',')}]`);
    for (let k = rowShape.length - 1; k >= 0; k--) {
      if (++index[k]! < rowShape[k]!) break;
      index[k] = 0;
    }
  }
  return out;
}

/**
 * The model `fit` trains: a per-row program (no dimension names: once per
 * row, the mean of its output minimised) or a batch program (every input's
 * first dimension the same dimension name, and no other: a batch of rows at
 * once, its output minimised as it is). Anything else is exit 1.
 */
export function tensorModel(path: string, checked: CheckedProgram, compiled: CompiledFunctions): Model {
  const dims = checked.dimNames;
  const batch = dims.length === 1 ? dims[0] : undefined;
  const perRow = checked.inputs.map((x) => (batch !== undefined ? x.shape.slice(1) : x.shape));
  const fits = dims.length === 0
    || (dims.length === 1 && checked.inputs.every((x) => x.shape[0] === batch && !x.shape.slice(1).some((d) => typeof d === 'string')));
  if (!fits) throw new InputError([fileMessage(path, 'fitKind')]);
  const rowShapes = perRow.map((s) => s as number[]);
  return {
    paramNames: compiled.paramNames,
    inputNames: compiled.inputNames,
    paramSize: compiled.paramSize ?? compiled.paramNames.length,
    tensorParamShapes: checked.params.map((p) => p.shape as number[]),
    inputColumns: checked.inputs.flatMap((x, i) => columnsOf(x.name, rowShapes[i]!)),
    ...(batch !== undefined ? { batchInputSizes: rowShapes.map((s) => s.reduce((a, b) => a * b, 1)) } : {}),
    forwardFlat: compiled.forwardFlat,
    backwardFlat: compiled.backwardFlat,
  };
}

/**
 * Labels checked before any training (cli.md): every value of an input that
 * `onehot` reads must be an integer in [0, k); the first bad ones are
 * reported by row (the file's line) and column.
 */
export function checkLabels(dataPath: string, checked: CheckedProgram, model: Model, data: Dataset): void {
  const problems: string[] = [];
  const columns = model.inputColumns ?? model.inputNames;
  for (const [name, k] of labelInputs(checked)) {
    columns.forEach((column, c) => {
      if (column !== name && !column.startsWith(`${name}[`)) return;
      for (let r = 0; r < data.rows && problems.length < 10; r++) {
        const v = data.values[r * columns.length + c]!;
        if (!(Number.isInteger(v) && v >= 0 && v < k)) {
          const line = data.source?.lines[r] ?? r + 2;
          problems.push(fileMessageAt(dataPath, line, data.source?.fields[c] ?? 1, 'badLabel', column, v, name, k));
        }
      }
    });
  }
  if (problems.length > 0) throw new InputError(problems);
}

/** Saved params with nested lists, in the flat layout; every param must be there, of its shape. */
export function readTensorParams(path: string, checked: CheckedProgram): Float64Array {
  const names = checked.params.map((p) => p.name);
  const result = readTensorJson(readSource(path, 'params').text, 'param', names, { requireAll: true });
  if (result.problems) throw new InputError(formatProblems(path, result.problems));
  const parts: Float64Array[] = [];
  const wrong: string[] = [];
  for (const p of checked.params) {
    const v = result.values.get(p.name)!;
    const want = p.shape as number[];
    if (v.shape.length !== want.length || v.shape.some((d, i) => d !== want[i])) {
      wrong.push(fileMessage(path, 'savedParamShape', p.name, `[${want.join(', ')}]`, `[${v.shape.join(', ')}]`));
    }
    parts.push(v.data);
  }
  if (wrong.length > 0) throw new InputError(wrong);
  const out = new Float64Array(parts.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of parts) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Trained params as one JSON object: numbers for scalars, nested lists for tensors (what --params reads back). */
export function formatTensorParams(checked: CheckedProgram, params: Float64Array): string {
  let at = 0;
  const entries = checked.params.map((p): [string, string] => {
    const shape = p.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const data = params.subarray(at, at + size);
    at += size;
    return [p.name, shape.length === 0 ? jsonNumber(data[0]!) : formatJsonTensor({ shape, data })];
  });
  return `${jsonObject(entries)}\n`;
}
