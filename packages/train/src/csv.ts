/** Reading a dataset from CSV text (papaparse), with every problem located by row and column. */
import Papa from 'papaparse';
import type { Dataset } from './dataset.js';
import { problem, ProblemList, type FileProblem } from './problems.js';

/** A finite decimal number, as a cell may hold it (surrounding spaces are allowed). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A dataset, and notes about it (columns that are not inputs are ignored, with one note for all). */
export type CsvResult =
  | { dataset: Dataset; notes: FileProblem[]; problems?: undefined }
  | { dataset?: undefined; notes?: undefined; problems: FileProblem[] };

/**
 * Reads CSV `text` whose header row names the columns: one column per name
 * in `inputs`, in any order; other columns (an `id`) are ignored with a note.
 * The dataset's columns are in `inputs` order. Blank lines are skipped.
 * Problems come back as data, never thrown.
 */
export function readCsv(text: string, inputs: readonly string[]): CsvResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const problems = new ProblemList();
  const report = (p: FileProblem) => problems.add(p);
  const notes: FileProblem[] = [];
  const lines = new LineCounter(source);
  const values: number[] = [];
  const rowLines: number[] = [];
  let header: string[] | undefined;
  let columnOfInput: number[] = [];
  let rows = 0;
  let headerRow = 1;

  Papa.parse<string[]>(source, {
    delimiter: ',',
    skipEmptyLines: 'greedy',
    step(result, parser) {
      const cells = result.data;
      const unterminated = result.errors.some((e) => e.code === 'MissingQuotes');
      const row = lines.rowStart(result.meta.cursor, result.meta.linebreak, cells, unterminated);
      for (const e of result.errors) report(problem('malformedCsv', row, Math.max(1, cells.length), e.message));
      if (header === undefined) {
        header = headerNames(cells);
        headerRow = row;
        const found = checkHeader(header, inputs, row);
        for (const p of found) (p.severity === 'note' ? notes.push(p) : report(p));
        const firstColumn = new Map<string, number>();
        header.forEach((name, i) => { if (!firstColumn.has(name)) firstColumn.set(name, i); });
        columnOfInput = inputs.map((name) => firstColumn.get(name) ?? -1);
        if (problems.items.length > 0) parser.abort(); // without a sound header the cells mean nothing
      } else {
        rows++;
        rowLines.push(row);
        readRow(cells, header, inputs, columnOfInput, row, values, report);
      }
      if (problems.full) parser.abort();
    },
  });

  if (header === undefined) report(problem('emptyFile', 1, 1, inputs));
  else if (rows === 0 && problems.items.length === 0) report(problem('noRows', headerRow + 1, 1));
  if (problems.items.length > 0) return { problems: problems.inFileOrder() };
  const origin = { lines: rowLines, fields: columnOfInput.map((c) => c + 1) };
  return { dataset: { columns: [...inputs], rows, values: Float64Array.from(values), source: origin }, notes };
}

/** Cells joined into one name at most: a name of rank 32 at most (and linear time on any header). */
const MAX_RANK = 32;

/**
 * The header's column names. `M[0,0]` written without quotes is split by the
 * CSV's commas into `M[0` and `0]`: cells are joined back while a '[' is open
 * (the spec names a matrix input's columns so), and white space inside the
 * brackets is dropped, so `"M[0, 0]"` names the same column.
 */
function headerNames(cells: readonly string[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < cells.length; i++) {
    const parts = [cells[i]!.trim()];
    let open = depth(parts[0]!);
    let j = i;
    while (open > 0 && j + 1 < cells.length && j - i < MAX_RANK) {
      const next = cells[++j]!.trim();
      parts.push(next);
      open += depth(next);
    }
    if (open !== 0) parts.length = 1; // never closed: the cell stands alone
    else i = j;
    const name = parts.join(',');
    names.push(name.includes('[') ? name.replace(/\s+/g, '') : name);
  }
  return names;
}

/** '[' opened less ']' closed in `text`. */
function depth(text: string): number {
  let d = 0;
  for (const c of text) d += c === '[' ? 1 : c === ']' ? -1 : 0;
  return d;
}

function checkHeader(header: readonly string[], inputs: readonly string[], row: number): FileProblem[] {
  if (header.every((name) => DECIMAL.test(name))) return [problem('noHeader', row, 1, inputs)];
  const found: FileProblem[] = []; // problems and notes
  const seen = new Map<string, number>();
  const wanted = new Set(inputs);
  const ignored: { name: string; column: number }[] = [];
  header.forEach((name, i) => {
    const column = i + 1;
    if (name === '') found.push(problem('unnamedColumn', row, column));
    else if (seen.has(name)) found.push(problem('duplicateColumn', row, column, name, seen.get(name)!));
    else if (!wanted.has(name)) ignored.push({ name, column });
    if (!seen.has(name)) seen.set(name, column);
  });
  // One note for all of them, at the first.
  if (ignored.length > 0) found.push(problem('ignoredColumns', row, ignored[0]!.column, ignored.map((c) => c.name)));
  for (const name of inputs) {
    if (!seen.has(name)) found.push(problem('missingColumn', row, header.length + 1, name, header.filter((h) => h !== '')));
  }
  return found;
}

function readRow(
  cells: readonly string[],
  header: readonly string[],
  inputs: readonly string[],
  columnOfInput: readonly number[],
  row: number,
  values: number[],
  report: (p: FileProblem) => void,
): void {
  if (cells.length > header.length) report(problem('extraCells', row, header.length + 1, cells.length, header.length));
  if (cells.length < header.length) {
    report(problem('missingCells', row, cells.length + 1, cells.length, header.length, header[cells.length]!));
  }
  inputs.forEach((name, i) => {
    const column = columnOfInput[i]!;
    const text = cells[column];
    if (text === undefined) return; // reported above as a short row
    const cell = text.trim();
    if (cell === '') report(problem('emptyCell', row, column + 1, name));
    else if (!DECIMAL.test(cell)) report(problem('notANumber', row, column + 1, cell, name));
    else {
      const value = Number(cell);
      if (Number.isFinite(value)) values.push(value);
      else report(problem('notANumber', row, column + 1, cell, name)); // e.g. 1e999
    }
  });
}

/**
 * Line numbers of rows. papaparse gives the offset just past each row (its line
 * break included); the row starts on the line of that offset, less the line
 * breaks inside the row itself (quoted cells may hold them).
 */
class LineCounter {
  /** Line breaks seen so far, up to `scanned`. */
  lines = 0;
  private scanned = 0;

  constructor(private readonly text: string) {}

  /** `unterminated`: an open quote ran to the end of the file, taking its last line break into the cell. */
  rowStart(end: number, linebreak: string, cells: readonly string[], unterminated: boolean): number {
    const mark = linebreak === '\r' ? '\r' : '\n';
    for (; this.scanned < end; this.scanned++) if (this.text[this.scanned] === mark) this.lines++;
    const inside = cells.reduce((n, cell) => n + cell.split(mark).length - 1, 0);
    const ownBreak = this.text[end - 1] === mark && !unterminated ? 1 : 0;
    return 1 + this.lines - inside - ownBreak;
  }
}
