/** Ways a command can fail, each with its exit status (spec/cli.md). */
import { printable } from '@autodiff/diagnostics';

/** The input is wrong (exit 1); the message lines are already formatted. */
export class InputError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

/** The command line itself is wrong (exit 2): usage follows the message. */
export class UsageError extends Error {}

/**
 * An InputError's lines as printed on stderr, each made printable once more: no message can
 * move the cursor or recolour the terminal.
 */
export function printableLines(lines: readonly string[]): string {
  return lines.flatMap((l) => l.split('\n')).map((l) => printable(l, { keepTabs: true })).join('\n') + '\n';
}
