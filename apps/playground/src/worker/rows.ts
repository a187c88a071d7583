/**
 * A batch program's rows between the two layouts: the flat API's (each
 * input's elements for every row, the inputs one after another; what Values
 * shows) and a dataset's (one row after another, each row's columns; what
 * the Trainer draws batches from); and a CSV read into the first.
 */
import { readCsv, type Dataset, type Model } from '@autodiff/train';
import type { BatchInfo } from '../analysis/batch.js';
import type { LoadedProgram } from '../analysis/model.js';
import type { LeafValue } from '../values.js';
import type { Rows } from './protocol.js';

/** Where each input starts in the flat layout of `rows` rows. */
export function inputOffsets(batch: BatchInfo, rows: number): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const size of batch.rowSizes) {
    offsets.push(at);
    at += size * rows;
  }
  return offsets;
}

export function datasetOfRows(batch: BatchInfo, { rows, inputs }: Rows): Dataset {
  const width = batch.columns.length;
  if (inputs.length !== rows * width) throw new Error(`internal: ${inputs.length} input values for ${rows} rows of ${width} columns`);
  const values = new Float64Array(rows * width);
  const offsets = inputOffsets(batch, rows);
  let column = 0;
  batch.rowSizes.forEach((size, i) => {
    const from = offsets[i]!;
    for (let r = 0; r < rows; r++) {
      for (let e = 0; e < size; e++) values[r * width + column + e] = inputs[from + r * size + e]!;
    }
    column += size;
  });
  return { columns: batch.columns, rows, values };
}

/** What the Trainer runs for a batch program: `autodiff fit`'s model of it (batches of rows, glorot for matrices). */
export function batchModel(program: LoadedProgram, batch: BatchInfo): Model {
  const { compiled, model } = program;
  return {
    paramNames: compiled.paramNames,
    inputNames: compiled.inputNames,
    paramSize: model.initialParams.length,
    tensorParamShapes: model.paramShapes as number[][],
    inputColumns: batch.columns,
    batchInputSizes: batch.rowSizes,
    forwardFlat: compiled.forwardFlat,
    backwardFlat: compiled.backwardFlat,
  };
}

/** A CSV's rows in the flat layout: each input's elements for every row, the inputs one after another. */
export function rowsOfCsv(text: string, batch: BatchInfo, name: string): Rows {
  const read = readCsv(text, batch.columns);
  if (!read.dataset) {
    const shown = read.problems.slice(0, 3).map((p) => `${name}:${p.row}:${p.column}: ${p.message}`);
    throw new Error(shown.join('\n'));
  }
  const { rows, values } = read.dataset;
  const width = batch.columns.length;
  const inputs = new Float64Array(rows * width);
  let at = 0;
  let column = 0;
  for (const size of batch.rowSizes) {
    for (let r = 0; r < rows; r++) for (let e = 0; e < size; e++) inputs[at++] = values[r * width + column + e]!;
    column += size;
  }
  return { rows, inputs };
}

/** Each input's values for rows in the flat layout (a scalar per row becomes a vector, and so on). */
export function inputValuesOf(names: readonly string[], batch: BatchInfo, rows: Rows): Map<string, LeafValue> {
  const values = new Map<string, LeafValue>();
  let at = 0;
  names.forEach((name, i) => {
    const size = batch.rowSizes[i]! * rows.rows;
    values.set(name, Array.from(rows.inputs.subarray(at, at + size)));
    at += size;
  });
  return values;
}
