/**
 * The command's own diagnostics: values given on the command line, the files
 * it reads and writes, and the verdicts of `check` and `fit`. Rows of the
 * project's one diagnostics mechanism, with codes of their own.
 */
import { defineDiagnostics, diagnosticFactory, formatHeadline, messageOf, nameList, printable, quoted as q, type MessageArgs } from '@autodiff/diagnostics';

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
  // v2: tensor values (`--at W=[[1,2],[3,4]]`, `--params`/`--inputs` JSON files, shapes).
  badTensorValue: { code: 'E213', severity: 'error', message: (name: string, reason: string) =>
    `--at value of ${q(name)} is not a number or a nested list of numbers: ${reason}` },
  unbalancedBrackets: { code: 'E214', severity: 'error', message: (item: string, reason: string) =>
    `--at item ${q(item)} has unbalanced brackets: ${reason}` },
  wrongShape: { code: 'E215', severity: 'error', message: (kind: string, name: string, expected: string, given: string) =>
    `${kind} ${q(name)} should have shape ${expected}, got ${given}` },
  dimensionMismatch: { code: 'E216', severity: 'error', message: (
    kind: string, name: string, expected: string, given: string, dim: string, size: number, first: string, firstSize: number,
  ) => `dimension ${q(dim)} is ${firstSize} in ${q(first)} but ${size} in ${q(name)}: ${kind} ${q(name)} should have shape ${expected}, got ${given}` },
  zeroDimension: { code: 'E217', severity: 'error', message: (kind: string, name: string, expected: string, given: string, dim: string) =>
    `${kind} ${q(name)} should have shape ${expected}, got ${given}: dimension ${q(dim)} cannot be 0 (every dimension is at least 1)` },
  valuesBadJson: { code: 'E218', severity: 'error', message: (reason: string) => `not valid JSON: ${reason}` },
  valuesNotAnObject: { code: 'E219', severity: 'error', message: (kind: string) =>
    `expected one JSON object mapping each ${kind} name to a number or a nested list of numbers, e.g. {"W": [[1, 2], [3, 4]], "c": 0.5}` },
  valuesUnknownName: { code: 'E220', severity: 'error', message: (kind: string, name: string, names: readonly string[]) =>
    `${q(name)} is not ${kind === 'input' ? 'an' : 'a'} ${kind} of the program (${names.length === 0 ? `it has no ${kind}s` : `its ${kind}s are ${nameList(names)}`})` },
  valuesBadValue: { code: 'E221', severity: 'error', message: (kind: string, name: string, reason: string) =>
    `the value of ${kind} ${q(name)} is not a number or a nested list of numbers: ${reason}` },
  valuesMissing: { code: 'E222', severity: 'error', message: (kind: string, name: string) => `no value for ${kind} ${q(name)}` },
  valuesTooManyProblems: { code: 'E223', severity: 'note', message: (shown: number) =>
    `more problems follow; only the first ${shown} are shown` },
  // v2: `check --dims n=5,m=3`.
  badDims: { code: 'E224', severity: 'error', message: (item: string, reason: string) =>
    `--dims item ${q(item)} is not NAME=SIZE: ${reason}` },
  unknownDim: { code: 'E225', severity: 'error', message: (name: string, known: readonly string[]) =>
    `--dims names ${q(name)}, which is not a dimension name of this file (${known.length === 0 ? 'it has none' : `it has: ${nameList(known)}`})` },
  duplicateDim: { code: 'E226', severity: 'error', message: (name: string) => `--dims gives ${q(name)} more than once` },
  // v2: a value the program cannot take, found while it runs (onehot's labels).
  badValueAtRun: { code: 'E227', severity: 'error', message: (message: string) => `${message}` },
  fitKind: { code: 'E228', severity: 'error', message: () =>
    'fit trains a per-row program (no dimension names) or a batch program (every input\'s first dimension '
    + 'the same dimension name, and no other dimension names); this one is neither' },
  badLabel: { code: 'E229', severity: 'error', message: (column: string, value: number, name: string, k: number) =>
    `${value} in column ${q(column)} is not a label of onehot(${name}, ${k}), an integer in [0, ${k})` },
  savedParamShape: { code: 'E230', severity: 'error', message: (name: string, want: string, got: string) =>
    `param ${q(name)} should have shape ${want}, the file gives ${got}` },
  heldOutEmpty: { code: 'E231', severity: 'error', message: (fraction: number, rows: number, what: string) =>
    `--valid ${fraction} of ${rows} rows leaves no rows to ${what}; use a larger data file or another fraction` },
  // `compile --export NAME`, `predict --value NAME`.
  unknownBinding: { code: 'E232', severity: 'error', message: (flag: string, name: string, hint: string, known: readonly string[]) =>
    `${flag} names ${q(name)}, which is not a binding of this file${hint} (${known.length === 0 ? 'it has no bindings' : `its bindings: ${nameList(known)}`})` },
  exportNameTaken: { code: 'E233', severity: 'error', message: (message: string) => message },
  notPerRow: { code: 'E234', severity: 'error', message: (name: string, shape: string, batch: string) =>
    `--value ${q(name)} has shape ${shape}, not one value per row: in a batch program, predict prints bindings whose first dimension is the batch's, ${q(batch)}, and no other (e.g. a score of shape [${batch}] or [${batch}, 10])` },
  // The compile API (`compile()`, `load()`): a bug of autodiff's own, reported as data rather than thrown.
  internalError: { code: 'E235', severity: 'error', message: (message: string) =>
    `internal error in autodiff (please report it, with the program): ${message}` },
  // Sizes known only at run time (--dims, data rows, --inputs) can make a value larger than memory allows.
  tooLargeAtRun: { code: 'E236', severity: 'error', message: (message: string) =>
    `the sizes given make a value too large to hold in memory (${message}): give smaller dimension sizes or fewer rows` },
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
