/** A table of numbers: one column per input of the program, one row per example. */
export interface Dataset {
  /** Column names, in the order each row's values are stored (the program's input order). */
  readonly columns: readonly string[];
  readonly rows: number;
  /** Row-major: row r's value for column c is at r * columns.length + c. */
  readonly values: Float64Array;
  /** Where the values came from in a CSV file, for messages: each row's line and each column's field (1-based). */
  readonly source?: { readonly lines: readonly number[]; readonly fields: readonly number[] };
}

/**
 * The data for a program without inputs: a single row with no columns, so the
 * loss is the program's output itself.
 */
export function noData(): Dataset {
  return { columns: [], rows: 1, values: new Float64Array(0) };
}

/** A dataset from rows of numbers given in `columns` order. */
export function datasetFromRows(columns: readonly string[], rows: readonly (readonly number[])[]): Dataset {
  const values = new Float64Array(rows.length * columns.length);
  rows.forEach((row, r) => {
    if (row.length !== columns.length) throw new RangeError(`row ${r} has ${row.length} values, expected ${columns.length}`);
    values.set(row, r * columns.length);
  });
  return { columns: [...columns], rows: rows.length, values };
}
