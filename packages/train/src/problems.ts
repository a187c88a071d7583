/**
 * Problems with a data file or a saved-params file, as data: a stable code, a
 * message, and where (1-based). The CLI prints them as `FILE:ROW:COL: error: ...`.
 */
export interface FileProblem {
  readonly code: string;
  readonly message: string;
  /** The line of the file (the CSV header is row 1). */
  readonly row: number;
  /** In a CSV file the cell's position in its row (1 = first column); in JSON the character column. */
  readonly column: number;
}

const q = (s: string) => `'${s}'`;
const list = (names: readonly string[]) => (names.length === 0 ? '(none)' : names.join(', '));

/** Every problem message, one row each. */
export const PROBLEMS = {
  emptyFile: { code: 'D001', message: (inputs: readonly string[]) =>
    `the file is empty: expected a header row naming the columns ${list(inputs)}` },
  noRows: { code: 'D002', message: () => `no data rows after the header: the loss is a mean over rows, so at least one is needed` },
  missingColumn: { code: 'D003', message: (name: string, header: readonly string[]) =>
    `no column ${q(name)}: every input of the program needs a column (the header has ${list(header)})` },
  unknownColumn: { code: 'D004', message: (name: string, inputs: readonly string[]) =>
    `extra column ${q(name)}: it is not an input of the program (the inputs are ${list(inputs)})` },
  duplicateColumn: { code: 'D005', message: (name: string, first: number) => `column ${q(name)} is named twice (first in column ${first})` },
  noHeader: { code: 'D013', message: (inputs: readonly string[]) =>
    `the first row must be a header naming the columns (${list(inputs)}), but it holds only numbers` },
  unnamedColumn: { code: 'D006', message: () => `this column has no name in the header` },
  notANumber: { code: 'D007', message: (text: string, column: string) => `${q(text)} in column ${q(column)} is not a finite number` },
  emptyCell: { code: 'D008', message: (column: string) => `empty cell in column ${q(column)}: every cell needs a number` },
  missingCells: { code: 'D009', message: (cells: number, columns: number, column: string) =>
    `this row has ${cells} cell${cells === 1 ? '' : 's'} but the header names ${columns} columns: no value for column ${q(column)}` },
  extraCells: { code: 'D010', message: (cells: number, columns: number) =>
    `extra cell: this row has ${cells} cells but the header names ${columns} columns` },
  malformedCsv: { code: 'D011', message: (reason: string) => `malformed CSV: ${reason}` },
  tooManyProblems: { code: 'D012', message: (shown: number) => `more problems follow; only the first ${shown} are shown` },
  badJson: { code: 'P001', message: (reason: string) => `not valid JSON: ${reason}` },
  notAnObject: { code: 'P002', message: () => `expected one JSON object mapping each param name to a number, e.g. {"w1": 0.5}` },
  missingParam: { code: 'P003', message: (name: string) => `no value for param ${q(name)}` },
  unknownParam: { code: 'P004', message: (name: string, params: readonly string[]) =>
    `${q(name)} is not a param of the program (its params are ${list(params)})` },
  badParamValue: { code: 'P005', message: (name: string) =>
    `the value of param ${q(name)} is not a number (numbers, or the strings "NaN", "Infinity", "-Infinity")` },
} as const;

type Table = typeof PROBLEMS;

export function problem<K extends keyof Table>(
  kind: K,
  row: number,
  column: number,
  ...args: Parameters<Table[K]['message']>
): FileProblem {
  const entry = PROBLEMS[kind];
  const message = (entry.message as (...a: unknown[]) => string)(...args);
  return { code: entry.code, message, row, column };
}
