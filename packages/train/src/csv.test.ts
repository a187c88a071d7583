import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.js';
import type { FileProblem } from './problems.js';

const INPUTS = ['x1', 'x2', 'y'];

function problemsOf(text: string, inputs = INPUTS): FileProblem[] {
  const result = readCsv(text, inputs);
  expect(result.dataset, 'expected problems, got a dataset').toBeUndefined();
  return result.problems!;
}

/** [code, row, column] of each problem, for compact expectations. */
const where = (problems: FileProblem[]) => problems.map((p) => [p.code, p.row, p.column]);

describe('readCsv: good files', () => {
  it('reads the columns into the inputs order, whatever the header order', () => {
    const result = readCsv('y,x1,x2\n1,2,3\n-4.5,.5,1e-3\n', INPUTS);
    expect(result.problems).toBeUndefined();
    expect(result.dataset!.columns).toEqual(INPUTS);
    expect(result.dataset!.rows).toBe(2);
    expect(Array.from(result.dataset!.values)).toEqual([2, 3, 1, 0.5, 0.001, -4.5]);
  });

  it('accepts CRLF line ends, a byte-order mark, spaces around cells, blank lines and no final newline', () => {
    const result = readCsv('\uFEFFx1, x2 ,y\r\n 1 ,2,3\r\n\r\n   \r\n4,5,+6', INPUTS);
    expect(Array.from(result.dataset!.values)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads quoted cells', () => {
    expect(Array.from(readCsv('"x1","x2","y"\n"1","2","3"\n', INPUTS).dataset!.values)).toEqual([1, 2, 3]);
  });
});

describe('readCsv: a matrix input\'s columns, x[0,0] ... (spec: row-major)', () => {
  const MATRIX = ['M[0,0]', 'M[0,1]', 'M[1,0]', 'M[1,1]', 'y'];
  it('reads the names unquoted (the CSV commas inside the brackets are part of the name), quoted, or with spaces', () => {
    for (const header of ['M[0,0],M[0,1],M[1,0],M[1,1],y', '"M[0,0]","M[0, 1]",M[1, 0],M[1,1],y', 'y,M[1,1],M[1,0],M[0,1],M[0,0]']) {
      const result = readCsv(`${header}\n1,2,3,4,5\n`, MATRIX);
      expect(result.problems, header).toBeUndefined();
      const values = Array.from(result.dataset!.values);
      expect(values, header).toEqual(header.startsWith('y') ? [5, 4, 3, 2, 1] : [1, 2, 3, 4, 5]);
    }
  });

  it('a bracket that never closes leaves its cell alone (and costs linear time on a hostile header)', () => {
    const result = readCsv('M[0,x,y\n1,2,3\n', ['x', 'y']);
    expect(Array.from(result.dataset!.values)).toEqual([2, 3]);
    expect(result.notes!.map((n) => n.code)).toEqual(['D004']); // 'M[0' ignored, as any other column
    const wide = `${Array.from({ length: 50_000 }, (_, i) => `c${i}[`).join(',')},x\n${'1,'.repeat(50_000)}2\n`;
    const started = performance.now();
    expect(readCsv(wide, ['x']).dataset?.rows).toBe(1);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('readCsv: every problem names its row (file line) and column (cell position)', () => {
  it('an empty file', () => {
    for (const text of ['', '\n\n', '\uFEFF']) {
      const [p] = problemsOf(text);
      expect(where([p!])).toEqual([['D001', 1, 1]]);
      expect(p!.message).toBe('the file is empty: expected a header row naming the columns x1, x2, y');
    }
  });

  it('a header and no rows', () => {
    expect(where(problemsOf('x1,x2,y\n'))).toEqual([['D002', 2, 1]]);
  });

  it('a missing column: pointed just past the last header cell', () => {
    const problems = problemsOf('x1,y\n1,2\n');
    expect(where(problems)).toEqual([['D003', 1, 3]]);
    expect(problems[0]!.message).toBe("no column 'x2': every input of the program needs a column (the header has x1, y)");
  });

  it('a column that is no input (an id) is ignored, with a note', () => {
    const result = readCsv('id,x1,x2,z,y\n7,1,2,3,4\n', INPUTS);
    expect(result.problems).toBeUndefined();
    expect(Array.from(result.dataset!.values)).toEqual([1, 2, 4]);
    expect(result.notes!.map((p) => [p.code, p.severity, p.row, p.column, p.message])).toEqual([
      ['D004', 'note', 1, 1, '2 columns are not inputs of the program; they are ignored: id, z'],
    ]);
    const wide = readCsv(`${Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',')},x1,x2,y\n${'0,'.repeat(100_000)}1,2,3\n`, INPUTS);
    expect(wide.notes!.map((p) => p.message)).toEqual(['100,000 columns are not inputs of the program; they are ignored: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, ... (100,000 in all)']);
  });

  it('a column named twice, and a column without a name', () => {
    expect(where(problemsOf('x1,x2,x1,y\n'))).toEqual([['D005', 1, 3]]);
    expect(where(problemsOf('x1,,x2,y\n'))).toEqual([['D006', 1, 2]]);
  });

  it('a header of numbers (the header row was forgotten)', () => {
    expect(where(problemsOf('1,2,3\n4,5,6\n'))).toEqual([['D013', 1, 1]]);
  });

  it('a non-numeric cell', () => {
    const problems = problemsOf('x1,x2,y\n1,2,3\n4,five,6\n');
    expect(where(problems)).toEqual([['D007', 3, 2]]);
    expect(problems[0]!.message).toBe("'five' in column 'x2' is not a finite number");
  });

  it('numbers JavaScript reads but a data file should not hold: NaN, Infinity, hex, overflow', () => {
    const problems = problemsOf('x1,x2,y\nNaN,Infinity,0x10\n1e999,1,1\n');
    expect(where(problems)).toEqual([['D007', 2, 1], ['D007', 2, 2], ['D007', 2, 3], ['D007', 3, 1]]);
  });

  it('an empty cell', () => {
    const problems = problemsOf('x1,x2,y\n1, ,3\n');
    expect(where(problems)).toEqual([['D008', 2, 2]]);
    expect(problems[0]!.message).toBe("empty cell in column 'x2': every cell needs a number");
  });

  it('a short row: pointed at the first missing cell', () => {
    const problems = problemsOf('x1,x2,y\n1,2,3\n1,2\n');
    expect(where(problems)).toEqual([['D009', 3, 3]]);
    expect(problems[0]!.message).toBe("this row has 2 cells but the header names 3 columns: no value for column 'y'");
  });

  it('a long row (an extra cell): pointed at the first extra cell', () => {
    const problems = problemsOf('x1,x2,y\n1,2,3,4\n');
    expect(where(problems)).toEqual([['D010', 2, 4]]);
    expect(problems[0]!.message).toBe('extra cell: this row has 4 cells but the header names 3 columns');
  });

  it('rows are file lines: blank lines, CRLF and line breaks inside quoted cells are counted', () => {
    expect(where(problemsOf('\nx1,x2,y\r\n\r\n1,2,3\r\n4,a,6\r\n'))).toEqual([['D007', 5, 2]]);
    expect(where(problemsOf('x1,x2,y\n"1\n",2,3\n4,a,6\n'))).toEqual([['D007', 4, 2]]);
    expect(where(problemsOf('x1,x2,y\n1,"a\nb",3\n'))).toEqual([['D007', 2, 2]]);
  });

  it('an unterminated quote (it runs to the end of the file)', () => {
    for (const text of ['x1,x2,y\n1,2,"3\n', 'x1,x2,y\n1,2,"3\n4,5,6\n7,8,9']) {
      const problems = problemsOf(text);
      const unterminated = problems.find((p) => p.code === 'D011')!;
      expect([unterminated.row, unterminated.column]).toEqual([2, 3]);
      expect(unterminated.message).toBe('malformed CSV: Quoted field unterminated');
    }
  });

  it('problems within a row come in column order', () => {
    expect(where(problemsOf('x1,x2,y\n1,a,3,4\n'))).toEqual([['D007', 2, 2], ['D010', 2, 4]]);
  });

  it('several problems are all reported, in file order, up to ten and a note', () => {
    expect(where(problemsOf('x1,x2,y\na,2,3\n1,b,3\n'))).toEqual([['D007', 2, 1], ['D007', 3, 2]]);
    const many = 'x1,x2,y\n' + 'a,b,c\n'.repeat(20);
    const problems = problemsOf(many);
    expect(problems).toHaveLength(11);
    expect(problems[10]!.code).toBe('D012');
    expect(problems[10]!.message).toBe('more problems follow; only the first 10 are shown');
  });
});
