/**
 * The one mechanism behind every diagnostic the project reports: each package
 * declares its rows (a stable code, a severity and a message template) with
 * `defineDiagnostics`, and every code is unique across all of them.
 */

export type Severity = 'error' | 'warning' | 'note';

export interface DiagnosticRow {
  readonly code: string;
  readonly severity: Severity;
  // `never[]` so that rows with any argument list are assignable here.
  readonly message: (...args: never[]) => string;
}

export type DiagnosticTable = Readonly<Record<string, DiagnosticRow>>;

const registry = new Map<string, string>();

/**
 * Registers a package's rows. A code used twice (in this table or another
 * one) is a bug in the project, reported as soon as the tables load.
 */
export function defineDiagnostics<T extends DiagnosticTable>(owner: string, table: T): T {
  for (const [kind, row] of Object.entries(table)) {
    const where = `${owner}.${kind}`;
    const previous = registry.get(row.code);
    if (previous !== undefined && previous !== where) {
      throw new Error(`internal: diagnostic code ${row.code} is used by both ${previous} and ${where}`);
    }
    registry.set(row.code, where);
  }
  return table;
}

/** Every code registered so far, with the row that owns it (`owner.kind`). */
export function registeredCodes(): ReadonlyMap<string, string> {
  return registry;
}

/** The arguments a row's message takes. */
export type MessageArgs<R extends DiagnosticRow> = R['message'] extends (...args: infer A) => string ? A : never;

/** A row's message for the given arguments. */
export function messageOf<R extends DiagnosticRow>(row: R, args: MessageArgs<R>): string {
  return (row.message as (...a: unknown[]) => string)(...(args as unknown[]));
}
