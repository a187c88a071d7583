/**
 * Line ends, and line/column positions of offsets. A line ends at `\n`,
 * `\r\n` or a lone `\r` (what editors show as a new line); the lexer, the
 * statement splitter and every position in a message use this one definition.
 */

/** A line end, as a regular expression source: `\r\n`, `\n` or a lone `\r`. */
export const LINE_END = String.raw`\r\n|\n|\r`;

/** Offsets where lines start, found once: a position is then a binary search, not a scan. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** 1-based line and column (in UTF-16 code units) of a character offset. */
  position(offset: number): { line: number; column: number } {
    const at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - this.starts[lo]! + 1 };
  }

  /** Offset of the first character of a 1-based line. */
  lineStart(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }

  /** Offset just past the last character of a 1-based line, before its line end. */
  lineEnd(line: number): number {
    const next = this.starts[line];
    if (next === undefined) return this.text.length;
    const crlf = this.text.charCodeAt(next - 2) === 13 && this.text.charCodeAt(next - 1) === 10;
    return next - (crlf ? 2 : 1);
  }
}
