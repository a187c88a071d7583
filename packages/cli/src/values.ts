/** `--at NAME=VALUE,...`: values for every param and input of a program. */
import { bySpan, formatDiagnostics, nameList, type CheckedProgram, type Diagnostic, type NameRef } from '@autodiff/parser';
import { cliDiagnostic as diagnostic } from './diagnostics.js';
import { InputError } from './failures.js';
import type { SourceFile } from './source.js';

/** Decimal numbers as JavaScript reads them, plus the non-finite spellings. */
export const NUMBER_TEXT = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|Infinity|NaN)$/;

export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  return NUMBER_TEXT.test(t) ? Number(t) : undefined;
}

/**
 * Values for the program's variables, from `--at` (possibly given several
 * times) and optionally saved params. Missing and unknown names are errors
 * that point at the file.
 */
export function valuesFor(
  file: SourceFile,
  checked: CheckedProgram,
  at: string[],
  saved: ReadonlyMap<string, number> = new Map(),
): Map<string, number> {
  const declared = new Map<string, { kind: string; ref: NameRef }>();
  for (const ref of checked.params) declared.set(ref.name, { kind: 'param', ref });
  for (const ref of checked.inputs) declared.set(ref.name, { kind: 'input', ref });
  const first = checked.program.statements[0]?.span ?? { start: 0, end: 0 };
  const problems: Diagnostic[] = [];
  const values = new Map<string, number>(saved);
  const given = new Set<string>();
  const reported = new Set<string>(); // names with a problem already
  let known: string | undefined;
  for (const item of at.flatMap((a) => a.split(',')).filter((s) => s.trim() !== '')) {
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : parseNumber(item.slice(eq + 1));
    if (!declared.has(name)) {
      known ??= declared.size === 0 ? 'no variables' : nameList([...declared.keys()]);
      problems.push(diagnostic('unknownValue', first, name, known));
    } else if (value === undefined) {
      problems.push(diagnostic('badValue', declared.get(name)!.ref.span, item.trim()));
      reported.add(name);
    } else if (given.has(name)) {
      problems.push(diagnostic('duplicateValue', declared.get(name)!.ref.span, name));
      reported.add(name);
    } else {
      given.add(name);
      values.set(name, value);
    }
  }
  for (const [name, { kind, ref }] of declared) {
    if (!values.has(name) && !reported.has(name)) {
      problems.push(diagnostic('missingValue', ref.span, kind, name));
    }
  }
  if (problems.length > 0) throw new InputError(formatDiagnostics(bySpan(problems), file.path, file.text));
  return values;
}
