/**
 * Diagnostics as a user reads them: `file:line:col: error[CODE]: message`,
 * the source line, and a caret under the fault; then any notes the same way.
 */
import type { Diagnostic, Span } from './diagnostic.js';
import { LineIndex } from './lines.js';
import { printable } from './printable.js';
import type { Severity } from './table.js';

/** Source lines longer than this are shown as a window around the fault. */
const MAX_SHOWN = 80;

/** The first line of a diagnostic, for any kind of position (a span, or a row and column of a data file). */
export function formatHeadline(file: string, line: number, column: number, severity: Severity, code: string | undefined, message: string): string {
  const label = code === undefined ? severity : `${severity}[${code}]`;
  return `${printable(file)}:${line}:${column}: ${label}: ${printable(message)}`;
}

/** The line holding `span.start`, and a caret line under the span (tildes under the rest of it on that line). */
function excerpt(lines: LineIndex, span: Span): string[] {
  const { line } = lines.position(span.start);
  const start = lines.lineStart(line);
  const end = lines.lineEnd(line);
  const source = lines.text;
  let from = start;
  let to = end;
  // A very long line is shown as a window around the fault.
  if (end - start > MAX_SHOWN) {
    from = Math.max(start, span.start - MAX_SHOWN / 2);
    to = Math.min(end, from + MAX_SHOWN);
  }
  const before = (from > start ? '...' : '') + printable(source.slice(from, span.start), { keepTabs: true });
  const shown = before + printable(source.slice(span.start, to), { keepTabs: true }) + (to < end ? '...' : '');
  const underlined = printable(source.slice(span.start, Math.max(span.start, Math.min(span.end, to))), { keepTabs: true });
  const gutter = String(line);
  // Tabs are copied from the source so the caret lines up however tabs are shown.
  const pad = before.replace(/[^\t]/g, ' ');
  return [
    `  ${gutter} | ${shown}`,
    `  ${' '.repeat(gutter.length)} | ${pad}^${'~'.repeat(Math.max(0, underlined.length - 1))}`,
  ];
}

/** One diagnostic with its excerpt, and each note with its own. */
export function formatDiagnostic(d: Diagnostic, file: string, source: string | LineIndex): string {
  const lines = typeof source === 'string' ? new LineIndex(source) : source;
  const at = lines.position(d.span.start);
  const out = [formatHeadline(file, at.line, at.column, d.severity, d.code, d.message), ...excerpt(lines, d.span)];
  for (const note of d.notes ?? []) {
    const n = lines.position(note.span.start);
    out.push(formatHeadline(file, n.line, n.column, 'note', undefined, note.message), ...excerpt(lines, note.span));
  }
  return out.join('\n');
}

/** How many diagnostics of one code are shown before the rest are counted. */
export const MAX_SHOWN_PER_CODE = 50;

const plural = (n: number, severity: Severity) => `${severity}${n === 1 ? '' : 's'}`;

/** The diagnostics of one code beyond the cap: how many, and the first of them. */
export interface HiddenDiagnostics<D> {
  code: string;
  count: number;
  first: D;
}

/**
 * The first `maxPerCode` diagnostics of each code, in the order given, and a
 * count of the rest of each code: what a user is shown of a file with 100,000
 * of one mistake (the CLI and the playground's editor alike).
 */
export function capPerCode<D extends { readonly code: string }>(diagnostics: readonly D[], maxPerCode = MAX_SHOWN_PER_CODE) {
  const counts = new Map<string, number>();
  const shown: D[] = [];
  const hidden = new Map<string, HiddenDiagnostics<D>>();
  for (const d of diagnostics) {
    const n = counts.get(d.code) ?? 0;
    counts.set(d.code, n + 1);
    if (n < maxPerCode) shown.push(d);
    else {
      const h = hidden.get(d.code);
      if (h) h.count++;
      else hidden.set(d.code, { code: d.code, count: 1, first: d });
    }
  }
  return { shown, hidden: [...hidden.values()] };
}

/**
 * Every diagnostic formatted, in the order given, up to `maxPerCode` of each
 * code; the rest of a code are counted in one closing line each
 * ("... and 99,950 more warnings like this [W201]").
 */
export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  file: string,
  source: string,
  maxPerCode = MAX_SHOWN_PER_CODE,
): string[] {
  const lines = new LineIndex(source);
  const { shown, hidden } = capPerCode(diagnostics, maxPerCode);
  const out = shown.map((d) => formatDiagnostic(d, file, lines));
  for (const { code, count, first } of hidden) {
    out.push(`${printable(file)}: ... and ${count.toLocaleString('en-US')} more ${plural(count, first.severity)} like this [${code}]`);
  }
  return out;
}
