/** Diagnostics about a source text: a row of a table, instantiated at a span of the text. */
import { messageOf, type DiagnosticTable, type MessageArgs, type Severity } from './table.js';

/** Half-open character offsets into a text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A second place a diagnostic points at, e.g. where an unclosed `(` was opened. */
export interface Note {
  readonly message: string;
  readonly span: Span;
}

export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly notes?: readonly Note[];
}

export type DiagnosticFactory<T extends DiagnosticTable> = <K extends keyof T & string>(
  kind: K,
  span: Span,
  ...args: MessageArgs<T[K]>
) => Diagnostic;

/** `make(kind, span, ...args)`: the table's row `kind` at `span`. */
export function diagnosticFactory<T extends DiagnosticTable>(table: T): DiagnosticFactory<T> {
  return (kind, span, ...args) => {
    const row = table[kind]!;
    return { code: row.code, severity: row.severity, message: messageOf(row, args), span };
  };
}

/** In source order (a stable sort: diagnostics at one place keep the order they were found in). */
export function bySpan<D extends { readonly span: Span }>(diagnostics: D[]): D[] {
  return diagnostics.sort((a, b) => a.span.start - b.span.start);
}
