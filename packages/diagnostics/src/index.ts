export { defineDiagnostics, messageOf, registeredCodes, type DiagnosticRow, type DiagnosticTable, type MessageArgs, type Severity } from './table.js';
export { bySpan, diagnosticFactory, type Diagnostic, type DiagnosticFactory, type Note, type Span } from './diagnostic.js';
export { LINE_END, LineIndex } from './lines.js';
export { escapeCharacter, MAX_QUOTED, nameList, printable, quoted, shortened } from './printable.js';
export { capPerCode, formatDiagnostic, formatDiagnostics, formatHeadline, MAX_SHOWN_PER_CODE, type HiddenDiagnostics } from './format.js';
