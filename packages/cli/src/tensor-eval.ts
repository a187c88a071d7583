/**
 * `autodiff eval` for programs with tensors (cli.md, v2): values from `--at`
 * (nested lists), `--params` and `--inputs` files; dimension sizes from the
 * values' shapes; the gradient printed as nested lists in each param's shape.
 */
import type { CompiledFunctions } from '@autodiff/compiler';
import { bySpan, formatDiagnostics, nameList, type CheckedProgram, type Diagnostic } from '@autodiff/parser';
import { interpretTensor } from '@autodiff/runtime';
import { cliDiagnostic as diagnostic, fileMessage } from './diagnostics.js';
import { InputError } from './failures.js';
import { jsonNumber, jsonObject } from './json.js';
import { formatProblems } from './saved-params.js';
import type { SourceFile } from './source.js';
import { readSource } from './source.js';
import { bindShapes, formatJsonTensor, parseValueText, readTensorJson, splitAt, type TensorLiteral } from './tensor-values.js';

export interface TensorEvalInput {
  at: readonly string[];
  params?: string | undefined;
  inputs?: string | undefined;
}

export interface TensorEvaluation {
  value: number;
  gradient: [string, TensorLiteral][];
}

/** Every param's and input's value, checked against its declared shape, and the dimension sizes. */
export function tensorValuesFor(file: SourceFile, checked: CheckedProgram, options: TensorEvalInput) {
  const declared = [
    ...checked.params.map((v) => ({ name: v.name, kind: 'param' as const, shape: v.shape, span: v.span })),
    ...checked.inputs.map((v) => ({ name: v.name, kind: 'input' as const, shape: v.shape, span: v.span })),
  ];
  const byName = new Map(declared.map((d) => [d.name, d]));
  const values = new Map<string, TensorLiteral>();
  const fromFile = (path: string | undefined, kind: 'param' | 'input') => {
    if (path === undefined) return;
    const names = declared.filter((d) => d.kind === kind).map((d) => d.name);
    const result = readTensorJson(readSource(path, 'params').text, kind, names);
    if (result.problems) throw new InputError(formatProblems(path, result.problems));
    for (const [k, v] of result.values) values.set(k, v);
  };
  fromFile(options.params, 'param');
  fromFile(options.inputs, 'input');

  const first = checked.program.statements[0]?.span ?? { start: 0, end: 0 };
  const problems: Diagnostic[] = [];
  const given = new Set<string>();
  const reported = new Set<string>();
  for (const item of options.at.flatMap((a) => splitAt(a))) {
    const d = byName.get(item.name);
    if (item.problem) {
      problems.push({ ...item.problem, span: d?.span ?? first });
      reported.add(item.name);
      continue;
    }
    if (!d) {
      problems.push(diagnostic('unknownValue', first, item.name, declared.length === 0 ? 'no variables' : nameList(declared.map((x) => x.name))));
      continue;
    }
    const parsed = item.valueText === undefined ? { error: 'no value after the name (write NAME=VALUE)' } : parseValueText(item.valueText);
    if (parsed.error !== undefined) {
      problems.push(diagnostic('badTensorValue', d.span, item.name, parsed.error));
      reported.add(item.name);
    } else if (given.has(item.name)) {
      problems.push(diagnostic('duplicateValue', d.span, item.name));
      reported.add(item.name);
    } else {
      given.add(item.name);
      values.set(item.name, parsed.value!);
    }
  }
  for (const d of declared) if (!values.has(d.name) && !reported.has(d.name)) problems.push(diagnostic('missingValue', d.span, d.kind, d.name));
  if (problems.length === 0) {
    const bound = bindShapes(declared, values);
    if (bound.problems) for (const p of bound.problems) problems.push({ ...p, span: byName.get(p.name)!.span });
    else return { values, dims: bound.dims };
  }
  throw new InputError(formatDiagnostics(bySpan(problems), file.path, file.text));
}

/**
 * The value and gradient by either engine. A value the program cannot take
 * (a label outside onehot's range: both engines throw a RangeError naming
 * it) is the input's fault: exit 1 with the message, not an internal error.
 */
export function evaluateTensor(
  path: string, checked: CheckedProgram, values: ReadonlyMap<string, TensorLiteral>, dims: ReadonlyMap<string, number>,
  engine: 'compiled' | 'tape', load: () => CompiledFunctions,
): TensorEvaluation {
  const compiled = engine === 'compiled' ? load() : undefined;
  try {
    return evaluateWith(checked, values, dims, compiled);
  } catch (e) {
    if (e instanceof RangeError && /^onehot: /.test(e.message)) throw new InputError([fileMessage(path, 'badValueAtRun', e.message)]);
    throw e;
  }
}

function evaluateWith(
  checked: CheckedProgram, values: ReadonlyMap<string, TensorLiteral>, dims: ReadonlyMap<string, number>, compiled: CompiledFunctions | undefined,
): TensorEvaluation {
  const shapeOf = (shape: readonly (number | string)[]) => shape.map((d) => (typeof d === 'number' ? d : dims.get(d)!));
  if (!compiled) {
    const { value, gradient } = interpretTensor(checked, values, dims);
    return { value, gradient: checked.params.map((p) => [p.name, gradient.get(p.name)!]) };
  }
  const concat = (vars: readonly { name: string }[]) => {
    const parts = vars.map((v) => values.get(v.name)!.data);
    const out = new Float64Array(parts.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of parts) { out.set(a, at); at += a.length; }
    return out;
  };
  const p = concat(checked.params);
  const grad = new Float64Array(p.length);
  const value = compiled.backwardFlat(p, concat(checked.inputs), grad, ...checked.dimNames.map((d) => dims.get(d)!));
  let at = 0;
  const gradient = checked.params.map((v): [string, TensorLiteral] => {
    const shape = shapeOf(v.shape);
    const size = shape.reduce((a, b) => a * b, 1);
    const data = grad.slice(at, at + size);
    at += size;
    return [v.name, { shape, data }];
  });
  return { value, gradient };
}

export function formatTensorJson(r: TensorEvaluation): string {
  // A scalar as v1 prints it (jsonNumber); a tensor as nested lists.
  const gradient = jsonObject(r.gradient.map(([k, t]) => [k, t.shape.length === 0 ? jsonNumber(t.data[0]!) : formatJsonTensor(t)]));
  return `${jsonObject([['value', jsonNumber(r.value)], ['gradient', gradient]])}\n`;
}

export function formatTensorText(r: TensorEvaluation): string {
  const lines = [`value: ${r.value}`, 'gradient:'];
  for (const [k, t] of r.gradient) lines.push(`  d/d${k} = ${t.shape.length === 0 ? t.data[0] : formatJsonTensor(t)}`);
  if (r.gradient.length === 0) lines.push('  (no params)');
  return lines.join('\n') + '\n';
}
