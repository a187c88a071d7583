/**
 * The command's own diagnostics: values given on the command line, the files
 * it reads and writes, and the verdicts of `check` and `fit`. Rows of the
 * project's one diagnostics mechanism, with codes of their own.
 */
import { defineDiagnostics, diagnosticFactory, formatHeadline, messageOf, printable, quoted as q, type MessageArgs } from '@autodiff/diagnostics';

const bytes = (n: number) => (n >= 1024 * 1024 ? `${n / (1024 * 1024)} MiB` : `${n.toLocaleString('en-US')} bytes`);

export const CLI_DIAGNOSTICS = defineDiagnostics('cli', {
  // Command-line values (`--at`, `--params`): reported against the source file.
  missingValue: { code: 'E201', severity: 'error', message: (kind: string, name: string) =>
    `no value given for ${kind} ${q(name)} (add ${name}=... to --at)` },
  unknownValue: { code: 'E202', severity: 'error', message: (name: string, known: string) =>
    `--at names ${q(name)}, which is not a param or input of this file (it has: ${known})` },
  badValue: { code: 'E203', severity: 'error', message: (text: string) => `--at value ${q(text)} is not a number` },
  duplicateValue: { code: 'E204', severity: 'error', message: (name: string) => `--at gives ${q(name)} more than once` },
  // Files.
  unreadableFile: { code: 'E205', severity: 'error', message: (reason: string) => `cannot read file: ${reason}` },
  fileTooLarge: { code: 'E206', severity: 'error', message: (what: string, limit: number) =>
    `cannot read file: it is larger than ${bytes(limit)}, the limit for ${what}` },
  outputIsInput: { code: 'E207', severity: 'error', message: (what: string) =>
    `refusing to overwrite the ${what} with the output; choose another output path` },
  cannotWrite: { code: 'E208', severity: 'error', message: (reason: string) => `cannot write output: ${reason}` },
  outputTooLarge: { code: 'E209', severity: 'error', message: () =>
    `the generated output is too large for one JavaScript string (over 512 MiB); split the program` },
  // Verdicts.
  noUsablePoint: { code: 'E210', severity: 'error', message: (seed: number) =>
    `found no point where the function and its finite differences are finite and smooth (seed ${seed}); `
    + `check needs points inside every function's domain, away from kinks` },
  checkFailed: { code: 'E211', severity: 'error', message: (failed: number, points: string) =>
    `gradient check failed at ${failed} of ${points} (see the table)` },
  fewPoints: { code: 'W210', severity: 'warning', message: (found: number, wanted: number) => `found only ${found} of ${wanted} usable points` },
  diverged: { code: 'E212', severity: 'error', message: (step: number, loss: string, lr: number) =>
    `training diverged at step ${step}: the loss or its gradient is not finite (batch loss ${loss}); `
    + `try a smaller --lr (it is ${lr}) or another --init` },
});

export const cliDiagnostic = diagnosticFactory(CLI_DIAGNOSTICS);

type Kind = keyof typeof CLI_DIAGNOSTICS;

/** `path: error[CODE]: message` (or `path:line:col: ...`) for a diagnostic about a whole file or a run. */
export function fileMessage<K extends Kind>(
  path: string,
  kind: K,
  ...args: MessageArgs<(typeof CLI_DIAGNOSTICS)[K]>
): string {
  const row = CLI_DIAGNOSTICS[kind];
  return `${printable(path)}: ${row.severity}[${row.code}]: ${printable(messageOf(row, args))}`;
}

/** The same at a line and column of the file. */
export function fileMessageAt<K extends Kind>(
  path: string,
  line: number,
  column: number,
  kind: K,
  ...args: MessageArgs<(typeof CLI_DIAGNOSTICS)[K]>
): string {
  const row = CLI_DIAGNOSTICS[kind];
  return formatHeadline(path, line, column, row.severity, row.code, messageOf(row, args));
}
