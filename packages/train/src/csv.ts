/** Reading a dataset from CSV text (papaparse), with every problem located by row and column. */
import Papa from 'papaparse';
import type { Dataset } from './dataset.js';
import { problem, PROBLEMS, type FileProblem } from './problems.js';

/** A finite decimal number, as a cell may hold it (surrounding spaces are allowed). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Reading stops after this many problems: the rest are likely more of the same. */
const MAX_PROBLEMS = 10;

export type CsvResult = { dataset: Dataset; problems?: undefined } | { dataset?: undefined; problems: FileProblem[] };

/**
 * Reads CSV `text` whose header row names the columns: exactly one column per
 * name in `inputs`, in any order. The dataset's columns are in `inputs` order.
 * Blank lines are skipped. Problems come back as data, never thrown.
 */
export function readCsv(text: string, inputs: readonly string[]): CsvResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const problems: FileProblem[] = [];
  const report = (p: FileProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
    else if (problems.length === MAX_PROBLEMS) problems.push(problem('tooManyProblems', p.row, p.column, MAX_PROBLEMS));
  };
  const lines = new LineCounter(source);
  const values: number[] = [];
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
        header = cells.map((c) => c.trim());
        headerRow = row;
        const found = checkHeader(header, inputs, row);
        found.forEach(report);
        columnOfInput = inputs.map((name) => header!.indexOf(name));
        if (found.length > 0) parser.abort(); // without a sound header the cells mean nothing
      } else {
        rows++;
        readRow(cells, header, inputs, columnOfInput, row, values, report);
      }
      if (problems.length > MAX_PROBLEMS) parser.abort();
    },
  });

  if (header === undefined) problems.push(problem('emptyFile', 1, 1, inputs));
  else if (rows === 0 && problems.length === 0) problems.push(problem('noRows', headerRow + 1, 1));
  if (problems.length > 0) return { problems: inFileOrder(problems) };
  return { dataset: { columns: [...inputs], rows, values: Float64Array.from(values) } };
}

function checkHeader(header: readonly string[], inputs: readonly string[], row: number): FileProblem[] {
  if (header.every((name) => DECIMAL.test(name))) return [problem('noHeader', row, 1, inputs)];
  const found: FileProblem[] = [];
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    const column = i + 1;
    if (name === '') found.push(problem('unnamedColumn', row, column));
    else if (seen.has(name)) found.push(problem('duplicateColumn', row, column, name, seen.get(name)!));
    else if (!inputs.includes(name)) found.push(problem('unknownColumn', row, column, name, inputs));
    if (!seen.has(name)) seen.set(name, column);
  });
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
    else if (!DECIMAL.test(cell)) report(problem('notANumber', row, column + 1, shorten(cell), name));
    else {
      const value = Number(cell);
      if (Number.isFinite(value)) values.push(value);
      else report(problem('notANumber', row, column + 1, shorten(cell), name)); // e.g. 1e999
    }
  });
}

/** By row, then column; the note that more problems follow stays last. */
function inFileOrder(problems: FileProblem[]): FileProblem[] {
  const note = problems.at(-1)?.code === PROBLEMS.tooManyProblems.code ? problems.pop() : undefined;
  problems.sort((a, b) => a.row - b.row || a.column - b.column);
  return note ? [...problems, note] : problems;
}

function shorten(text: string): string {
  return text.length > 24 ? `${text.slice(0, 21)}...` : text;
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
