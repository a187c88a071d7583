#!/usr/bin/env node
/** The `autodiff` command: argument parsing (cac) and exit statuses. */
import { cac } from 'cac';
import { checkCommand } from './check-command.js';
import { compileCommand } from './compile-command.js';
import { evalCommand } from './eval-command.js';
import { FIT_HELP_DEFAULTS, fitCommand } from './fit-command.js';
import { InputError, UsageError } from './failures.js';

const USAGE = `Usage:
  autodiff compile FILE [-o OUT] [--emit ts|js|ir]
  autodiff eval    FILE --at NAME=VALUE[,NAME=VALUE...] [--params FILE.json] [--engine compiled|tape] [--json]
  autodiff check   FILE [--points N] [--seed S] [--tolerance T]
  autodiff fit     FILE --data DATA.csv [--optimizer sgd|momentum|adam] [--lr R] [--steps N]
                   [--batch B] [--seed S] [--init uniform:A|normal:S] [--until LOSS]
                   [--params IN.json] [--out OUT.json]
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
    .option('--params <file>', 'Saved params (JSON, as fit writes them) in place of giving params in --at')
    .option('--engine <engine>', 'compiled (default) or tape')
    .option('--json', 'Print one JSON object: {"value": ..., "gradient": {...}}')
    .action((file: string, options) => evalCommand(file, options));
  cli
    .command('check <file>', 'Compare compiled, tape and finite-difference gradients at random points')
    .option('--points <n>', 'How many random points (default 5)')
    .option('--seed <s>', 'Seed for the random points (default 1)')
    .option('--tolerance <t>', 'Finite-difference tolerance, relative (default 1e-6)')
    .action((file: string, options) => checkCommand(file, options));
  const d = FIT_HELP_DEFAULTS;
  cli
    .command('fit <file>', "Train FILE's params: minimise the mean of its output over the rows of a CSV file")
    .option('--data <file>', 'CSV file: a header row naming one column per input, then one row per example')
    .option('--optimizer <name>', `sgd, momentum or adam (default ${d.optimizer})`)
    .option('--lr <rate>', `Learning rate (default ${d.lr})`)
    .option('--steps <n>', `Number of updates (default ${d.steps})`)
    .option('--batch <b>', 'Rows per mini-batch, shuffled with the seed (default: all rows)')
    .option('--seed <s>', `Seed for the initial params and the shuffling (default ${d.seed})`)
    .option('--init <dist>', `uniform:A (on [-A, A)) or normal:S (deviation S) (default ${d.init})`)
    .option('--until <loss>', 'Stop once the batch loss is below LOSS')
    .option('--params <file>', 'Start from saved params (JSON) instead of a random initialisation')
    .option('--out <file>', 'Write the trained params (JSON) to OUT, atomically, instead of stdout')
    .action((file: string, options) => fitCommand(file, options));
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
