/**
 * `autodiff predict FILE --params P.json --data D.csv --value NAME [--value NAME...]`:
 * the values of bindings over a data file, as CSV, one line per data row
 * (a per-row program runs once per row; a batch program runs once over all
 * rows, and NAME's rows along the batch dimension are the lines).
 */
import { inputsOfExports, loadCompiled } from '@autodiff/compiler';
import { isTensorProgram } from '@autodiff/parser';
import { gatherBatch, type Dataset, type Model } from '@autodiff/train';
import { fileMessage } from './diagnostics.js';
import { InputError, UsageError } from './failures.js';
import { readData } from './fit-command.js';
import { readSavedParams } from './saved-params.js';
import { compileFile, generating, readSource, type SourceFile } from './source.js';
import { checkLabels, columnsOf, readTensorParams, tensorModel } from './tensor-fit.js';

export interface PredictOptions {
  params?: string | undefined;
  data?: string | undefined;
  /** Every `--value` given, in order. */
  values: readonly string[];
}

export function predictCommand(path: string, options: PredictOptions): void {
  if (options.values.length === 0) throw new UsageError('predict needs --value NAME: the binding to print for each row');
  if (options.params === undefined) throw new UsageError('predict needs --params: the trained params (as fit writes them)');
  if (options.data === undefined) throw new UsageError('predict needs --data: the CSV rows to predict for');
  const names = [...new Set(options.values)];
  const file = readSource(path);
  const { ir, checked } = compileFile(file, names, '--value');
  const tensors = isTensorProgram(checked);
  const compiled = generating(path, () => loadCompiled(ir));
  const model: Model = tensors ? tensorModel(path, checked, compiled) : compiled;
  const batchDim = model.batchInputSizes ? checked.dimNames[0]! : undefined;
  const exported = names.map((binding) => {
    const shape = checked.shapes.get(checked.bindings.get(binding)!) ?? [];
    // One value per row: the batch dimension first, and no dimension name after it (K = X @ X^T is [n, n]).
    const rowShape = batchDim === undefined ? shape : shape.slice(1);
    if (batchDim !== undefined && (shape[0] !== batchDim || rowShape.some((d) => typeof d === 'string'))) {
      throw new InputError([fileMessage(path, 'notPerRow', binding, `[${shape.join(', ')}]`, batchDim)]);
    }
    const sizes = rowShape as number[];
    return { binding, rowShape: sizes, size: sizes.reduce((a, b) => a * b, 1), run: compiled.exportFlat![binding]! };
  });
  const data = readNeededColumns(options.data, file, model, inputsOfExports(ir));
  if (tensors) checkLabels(options.data, checked, model, data);
  const params = tensors ? readTensorParams(options.params, checked) : readSavedParams(options.params, model.paramNames);

  // Each binding's values for every row: rows x its elements per row.
  const results = exported.map((e) => new Float64Array(data.rows * e.size));
  const width = data.columns.length;
  if (model.batchInputSizes) {
    const order = Uint32Array.from({ length: data.rows }, (_, i) => i);
    const batch = gatherBatch(model.batchInputSizes, data, order, 0, data.rows, new Float64Array(data.values.length));
    exported.forEach((e, k) => e.run(params, batch, results[k]!, data.rows));
  } else {
    for (let r = 0; r < data.rows; r++) {
      const row = data.values.subarray(r * width, (r + 1) * width);
      exported.forEach((e, k) => e.run(params, row, results[k]!.subarray(r * e.size, (r + 1) * e.size)));
    }
  }
  const header = exported.flatMap((e) => columnsOf(e.binding, e.rowShape)).map(csvField).join(',');
  const lines = [header];
  for (let r = 0; r < data.rows; r++) {
    const cells: string[] = [];
    exported.forEach((e, k) => {
      for (let i = 0; i < e.size; i++) cells.push(String(results[k]![r * e.size + i]));
    });
    lines.push(cells.join(','));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * The data file's columns for the inputs the bindings read; the others (the
 * labels, typically) may be left out of the file and read as 0, which no
 * printed value depends on.
 */
function readNeededColumns(path: string, file: SourceFile, model: Model, needed: ReadonlySet<string>): Dataset {
  const columns = model.inputColumns ?? model.inputNames;
  const inputOf = (column: string) => column.replace(/\[.*$/, '');
  const read = readData(path, file, columns.filter((c) => needed.has(inputOf(c))), true);
  if (read.columns.length === columns.length) return read;
  const values = new Float64Array(read.rows * columns.length);
  const from = new Map(read.columns.map((c, i) => [c, i]));
  for (let r = 0; r < read.rows; r++) {
    columns.forEach((c, k) => {
      const i = from.get(c);
      if (i !== undefined) values[r * columns.length + k] = read.values[r * read.columns.length + i]!;
    });
  }
  return { columns, rows: read.rows, values };
}

/** A CSV header cell: quoted when it holds a comma (`x[0,1]`), as fit's reader expects. */
function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
