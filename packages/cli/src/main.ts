#!/usr/bin/env node
/** The `autodiff` command: argument parsing (cac) and exit statuses. */
import { cac } from 'cac';
import { compileCommand } from './compile-command.js';
import { evalCommand } from './eval-command.js';
import { InputError, UsageError } from './failures.js';

const USAGE = `Usage:
  autodiff compile FILE [-o OUT] [--emit ts|js|ir]
  autodiff eval    FILE --at NAME=VALUE[,NAME=VALUE...] [--engine compiled|tape] [--json]
Run 'autodiff --help' for details.`;

function buildCli() {
  const cli = cac('autodiff');
  cli
    .command('compile <file>', 'Compile FILE to a standalone module with forward and gradient functions')
    .option('-o, --output <out>', 'Write to OUT (atomically) instead of stdout')
    .option('--emit <kind>', 'ts (default), js, or ir (the IR after each pass)')
    .action((file: string, options) => compileCommand(file, options));
  cli
    .command('eval <file>', 'Evaluate FILE and its gradient at one point')
    .option('--at <values>', 'NAME=VALUE,... for every param and input')
    .option('--engine <engine>', 'compiled (default) or tape')
    .option('--json', 'Print one JSON object: {"value": ..., "gradient": {...}}')
    .action((file: string, options) => evalCommand(file, options));
  cli.help();
  return cli;
}

function main(argv: string[]): number {
  try {
    const cli = buildCli();
    cli.parse(argv, { run: false });
    if (cli.options.help || cli.options.h) return 0;
    if (!cli.matchedCommand) {
      const given = cli.args[0];
      throw new UsageError(given === undefined ? 'no command given' : `unknown command '${given}'`);
    }
    cli.runMatchedCommand();
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(e.lines.join('\n') + '\n');
      return 1;
    }
    if (e instanceof UsageError || (e instanceof Error && e.name === 'CACError')) {
      process.stderr.write(`autodiff: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    // A bug in autodiff itself: say so in one line, without a stack trace.
    process.stderr.write(`autodiff: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 70;
  }
}

process.exitCode = main(process.argv);
