/**
 * Problems with a data file or a saved-params file, as data: rows of the
 * project's diagnostics mechanism (a stable code, a severity, a message), at
 * a 1-based row and column. The CLI prints them as `FILE:ROW:COL: error[CODE]: ...`.
 */
import { defineDiagnostics, messageOf, nameList as list, quoted as q, type MessageArgs, type Severity } from '@autodiff/diagnostics';

export interface FileProblem {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** The line of the file (the CSV header is row 1). */
  readonly row: number;
  /** In a CSV file the cell's position in its row (1 = first column); in JSON the character column. */
  readonly column: number;
}

/** Every problem message, one row each. */
export const PROBLEMS = defineDiagnostics('train', {
  emptyFile: { code: 'D001', severity: 'error', message: (inputs: readonly string[]) =>
    `the file is empty: expected a header row naming the columns ${list(inputs)}` },
  noRows: { code: 'D002', severity: 'error', message: () =>
    `no data rows after the header: the loss is a mean over rows, so at least one is needed` },
  missingColumn: { code: 'D003', severity: 'error', message: (name: string, header: readonly string[]) =>
    `no column ${q(name)}: every input of the program needs a column (the header has ${list(header)})` },
  ignoredColumns: { code: 'D004', severity: 'note', message: (names: readonly string[]) => (names.length === 1
    ? `column ${q(names[0]!)} is not an input of the program; it is ignored`
    : `${names.length.toLocaleString('en-US')} columns are not inputs of the program; they are ignored: ${list(names)}`) },
  duplicateColumn: { code: 'D005', severity: 'error', message: (name: string, first: number) =>
    `column ${q(name)} is named twice (first in column ${first})` },
  unnamedColumn: { code: 'D006', severity: 'error', message: () => `this column has no name in the header` },
  notANumber: { code: 'D007', severity: 'error', message: (text: string, column: string) =>
    `${q(text, 24)} in column ${q(column)} is not a finite number` },
  emptyCell: { code: 'D008', severity: 'error', message: (column: string) => `empty cell in column ${q(column)}: every cell needs a number` },
  missingCells: { code: 'D009', severity: 'error', message: (cells: number, columns: number, column: string) =>
    `this row has ${cells} cell${cells === 1 ? '' : 's'} but the header names ${columns} columns: no value for column ${q(column)}` },
  extraCells: { code: 'D010', severity: 'error', message: (cells: number, columns: number) =>
    `extra cell: this row has ${cells} cells but the header names ${columns} columns` },
  malformedCsv: { code: 'D011', severity: 'error', message: (reason: string) => `malformed CSV: ${reason}` },
  tooManyProblems: { code: 'D012', severity: 'note', message: (shown: number) => `more problems follow; only the first ${shown} are shown` },
  noHeader: { code: 'D013', severity: 'error', message: (inputs: readonly string[]) =>
    `the first row must be a header naming the columns (${list(inputs)}), but it holds only numbers` },
  badJson: { code: 'P001', severity: 'error', message: (reason: string) => `not valid JSON: ${reason}` },
  notAnObject: { code: 'P002', severity: 'error', message: () =>
    `expected one JSON object mapping each param name to a number, e.g. {"w1": 0.5}` },
  missingParam: { code: 'P003', severity: 'error', message: (name: string) => `no value for param ${q(name)}` },
  unknownParam: { code: 'P004', severity: 'error', message: (name: string, params: readonly string[]) =>
    `${q(name)} is not a param of the program (its params are ${list(params)})` },
  badParamValue: { code: 'P005', severity: 'error', message: (name: string) =>
    `the value of param ${q(name)} is not a number (numbers, or the strings "NaN", "Infinity", "-Infinity")` },
});

type Table = typeof PROBLEMS;

export function problem<K extends keyof Table>(kind: K, row: number, column: number, ...args: MessageArgs<Table[K]>): FileProblem {
  const entry = PROBLEMS[kind];
  return { code: entry.code, severity: entry.severity, message: messageOf(entry, args), row, column };
}

/** Reading stops after this many problems: the rest are likely more of the same. */
export const MAX_PROBLEMS = 10;

/** Collects problems up to MAX_PROBLEMS, then one note that more follow. */
export class ProblemList {
  readonly items: FileProblem[] = [];

  add(p: FileProblem): void {
    if (this.items.length < MAX_PROBLEMS) this.items.push(p);
    else if (this.items.length === MAX_PROBLEMS) this.items.push(problem('tooManyProblems', p.row, p.column, MAX_PROBLEMS));
  }

  get full(): boolean {
    return this.items.length > MAX_PROBLEMS;
  }

  /** By row, then column; the note that more problems follow stays last. */
  inFileOrder(): FileProblem[] {
    const problems = [...this.items];
    const note = problems.at(-1)?.code === PROBLEMS.tooManyProblems.code ? problems.pop() : undefined;
    problems.sort((a, b) => a.row - b.row || a.column - b.column);
    return note ? [...problems, note] : problems;
  }
}
