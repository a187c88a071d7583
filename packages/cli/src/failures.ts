/** Ways a command can fail, each with its exit status (spec/cli.md). */

/** The input is wrong (exit 1); the message lines are already formatted. */
export class InputError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

/** The command line itself is wrong (exit 2): usage follows the message. */
export class UsageError extends Error {}
