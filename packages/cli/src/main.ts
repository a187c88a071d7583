#!/usr/bin/env node
/** The `autodiff` command: argument parsing (Node's util.parseArgs) and exit statuses. */
import { createRequire } from 'node:module';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { printable } from '@autodiff/diagnostics';
import { nearestName } from '@autodiff/parser';
import { checkCommand, type CheckOptions } from './check-command.js';
import { compileCommand } from './compile-command.js';
import { fileMessage } from './diagnostics.js';
import { evalCommand } from './eval-command.js';
import { InputError, printableLines, UsageError } from './failures.js';
import { FIT_HELP_DEFAULTS, fitCommand, type FitCommandOptions } from './fit-command.js';
import { predictCommand } from './predict-command.js';

const USAGE = `Usage:
  autodiff compile FILE [-o OUT] [--emit ts|js|ir] [--export NAME...] [--watch]
  autodiff eval    FILE --at NAME=VALUE[,NAME=VALUE...] [--params FILE.json] [--inputs FILE.json]
                   [--engine compiled|tape] [--json]
  autodiff eval    FILE --params FILE.json --data DATA.csv [--json]
  autodiff check   FILE [--points N] [--seed S] [--tolerance T] [--dims NAME=SIZE,...] [--verbose]
  autodiff fit     FILE --data DATA.csv [--optimizer sgd|momentum|adam] [--lr R] [--steps N]
                   [--batch B] [--seed S] [--init uniform:A|normal:S|glorot|he] [--until LOSS]
                   [--params IN.json] [--out OUT.json] [--valid FRACTION | --valid-data FILE]
                   [--weight-decay D] [--schedule constant|linear|cosine|step] [--checkpoint N]
  autodiff predict FILE --params IN.json --data DATA.csv --value NAME [--value NAME...]
  autodiff --version
Run 'autodiff --help' or 'autodiff COMMAND --help' for details.`;

type Options = NonNullable<ParseArgsConfig['options']>;

interface Command {
  summary: string;
  /** Each option: its help, whether it is a flag (no value), its one-letter name, whether it may repeat. */
  options: Record<string, { help: string; flag?: true; short?: string; repeatable?: true }>;
  run: (file: string, values: Record<string, string | boolean | undefined>, repeated: Record<string, string[]>) => void | Promise<void>;
}

const d = FIT_HELP_DEFAULTS;
const COMMANDS: Record<string, Command> = {
  compile: {
    summary: 'Compile FILE to a standalone module with forward and gradient functions',
    options: {
      output: { help: 'Write to OUT instead of stdout (atomically, if OUT is a regular file)', short: 'o' },
      emit: { help: 'ts (default), js, or ir (the IR after each pass)' },
      export: { help: 'Also export binding NAME as functions NAME(p, x) and NAMEFlat(p, x, out, ...dims) (may be repeated)', repeatable: true },
      watch: { help: 'Recompile whenever FILE changes (needs -o), until interrupted; a failed compile keeps the last good OUT', flag: true },
    },
    run: (file, v, r) => compileCommand(file, {
      output: v.output as string | undefined, emit: v.emit as string | undefined, exports: r.export ?? [], watch: v.watch === true,
    }),
  },
  eval: {
    summary: 'Evaluate FILE and its gradient at one point',
    options: {
      at: { help: 'NAME=VALUE,... for every param and input (may be repeated)', repeatable: true },
      params: { help: 'Saved params (JSON, as fit writes them) in place of giving params in --at' },
      inputs: { help: 'Input values (JSON: name -> number or nested list) in place of giving inputs in --at' },
      data: { help: "A CSV file (as fit reads it) to evaluate the output over, at --params: the mean over its rows, or a batch program's output over all of them" },
      engine: { help: 'compiled (default) or tape' },
      json: { help: 'Print one JSON object: {"value": ..., "gradient": {...}}', flag: true },
    },
    run: (file, v, r) => evalCommand(file, {
      at: r.at ?? [], params: v.params as string | undefined, inputs: v.inputs as string | undefined,
      data: v.data as string | undefined, engine: v.engine as string | undefined, json: v.json === true,
    }),
  },
  check: {
    summary: 'Compare compiled, tape and finite-difference gradients at random points',
    options: {
      points: { help: 'How many random points (default 5)' },
      seed: { help: 'Seed for the random points (default 1)' },
      tolerance: { help: 'Finite-difference tolerance, relative (default 1e-6)' },
      dims: { help: 'Sizes of dimension names, NAME=SIZE,... (e.g. n=5,m=3; default 3 each)' },
      verbose: { help: 'Print every compared value, not only the summary', flag: true },
    },
    run: (file, v) => checkCommand(file, v as CheckOptions),
  },
  fit: {
    summary: "Train FILE's params: minimise the mean of its output over the rows of a CSV file",
    options: {
      data: { help: 'CSV file: a header row naming one column per input, then one row per example' },
      optimizer: { help: `sgd, momentum or adam (default ${d.optimizer})` },
      lr: { help: `Learning rate (default ${d.lr})` },
      steps: { help: `Number of updates (default ${d.steps})` },
      batch: { help: 'Rows per mini-batch, shuffled with the seed (default: all rows)' },
      seed: { help: `Seed for the initial params and the shuffling (default ${d.seed})` },
      init: { help: `uniform:A (on [-A, A)), normal:S (deviation S), glorot or he (by fan-in and fan-out) (default ${d.init}; tensor programs: glorot for matrices, 0 for vectors and scalars)` },
      until: { help: 'Stop once the loss over all the data is below LOSS' },
      params: { help: 'Start from saved params (JSON) instead of a random initialisation' },
      out: { help: 'Write the trained params (JSON) to OUT instead of stdout (atomically, if OUT is a regular file)' },
      valid: { help: 'Hold out this fraction of the data rows (drawn with the seed) and report their loss; --until then judges it' },
      'valid-data': { help: 'Held-out rows from another CSV file (the same columns), in place of --valid' },
      'weight-decay': { help: 'Weight decay D: decoupled (AdamW) with adam, L2 added to the gradient with sgd and momentum (default 0)' },
      schedule: { help: `Learning rate over the run: constant, linear (to 0), cosine (to 0) or step (/10 at 50% and 75%) (default ${d.schedule})` },
      checkpoint: { help: 'Write the params to --out (atomically) every N steps, so an interrupted run can resume with --params' },
    },
    run: (file, v) => fitCommand(file, v as FitCommandOptions),
  },
  predict: {
    summary: 'Print the values of bindings over the rows of a CSV file, as CSV',
    options: {
      params: { help: 'Trained params (JSON, as fit writes them)' },
      data: { help: 'CSV file with the inputs (as fit reads it)' },
      value: { help: "A binding to print: one column per element of a row's value, one line per data row (may be repeated)", repeatable: true },
    },
    run: (file, v, r) => predictCommand(file, { params: v.params as string | undefined, data: v.data as string | undefined, values: r.value ?? [] }),
  },
};

function version(): string {
  // dist/autodiff.mjs and dist/main.js both sit one folder below the package.json.
  const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
  return pkg.version;
}

function help(name?: string): string {
  if (name === undefined) {
    const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(8)} ${c.summary}`);
    return `autodiff ${version()}: compile a formula to standalone code for its value and gradient\n\n${USAGE}\n\nCommands:\n${lines.join('\n')}\n`;
  }
  const c = COMMANDS[name]!;
  const rows = Object.entries(c.options).map(([o, spec]) => {
    const names = `${spec.short ? `-${spec.short}, ` : ''}--${o}${spec.flag ? '' : ' <value>'}`;
    return `  ${names.padEnd(24)} ${spec.help}`;
  });
  return `autodiff ${name}: ${c.summary}\n\n${usage(name, false)}\n\nOptions:\n${rows.join('\n')}\n  ${'-h, --help'.padEnd(24)} Show this help\n`;
}

function parseOptions(command: Command, args: string[]) {
  const options: Options = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(command.options)) {
    // Every option is read as a list, to tell a repeated flag from a single one.
    options[name] = spec.flag ? { type: 'boolean' } : { type: 'string', multiple: true, ...(spec.short ? { short: spec.short } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const unknown = (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-[^']*)'/.exec((e as Error).message)?.[1] : undefined;
    if (unknown !== undefined) {
      // Node's text suggests quoting it as a positional argument; a typo of a flag is likelier.
      const near = nearestName(unknown.replace(/^-+/, ''), Object.keys(command.options));
      throw new UsageError(`unknown option '${unknown}'${near ? `; did you mean '--${near}'?` : ''}`);
    }
    // Node's message may span lines (with the fix, e.g. "use '--lr=-XYZ'"): keep all of it.
    throw new UsageError(e instanceof Error ? e.message.split('\n').join(' ') : String(e));
  }
  const values: Record<string, string | boolean | undefined> = {};
  const repeated: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (Array.isArray(value)) {
      if (value.length > 1 && !command.options[name]?.repeatable) throw new UsageError(`--${name} is given more than once`);
      repeated[name] = value.map(String);
      values[name] = value[0];
    } else {
      values[name] = value;
    }
  }
  return { values, repeated, positionals: parsed.positionals };
}

/** The usage lines of one command (all of them for an unknown one), and where to read more. */
function usage(name: string | undefined, hint = true): string {
  const lines = USAGE.split('\n');
  if (name === undefined || !Object.hasOwn(COMMANDS, name)) return USAGE;
  const own: string[] = [];
  let inside = false;
  for (const line of lines.slice(1)) {
    if (line.startsWith('  autodiff ')) inside = line.startsWith(`  autodiff ${name} `);
    if (inside) own.push(line);
  }
  return `Usage:\n${own.join('\n')}${hint ? `\nRun 'autodiff ${name} --help' for details.` : ''}`;
}

/** Runs the command line; resolves to the exit status. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  let file: string | undefined;
  try {
    if (name === '--version' || name === '-v') {
      process.stdout.write(`autodiff ${version()}\n`);
      return 0;
    }
    if (name === '--help' || name === '-h') {
      process.stdout.write(help());
      return 0;
    }
    if (name === undefined) throw new UsageError('no command given');
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) throw new UsageError(name.startsWith('-') ? `unknown option '${name}' before the command` : `unknown command '${name}'`);
    const { values, repeated, positionals } = parseOptions(command, rest);
    if (values.help === true) {
      process.stdout.write(help(name));
      return 0;
    }
    const [given, ...extra] = positionals;
    file = given;
    if (file === undefined) throw new UsageError(`${name} needs a FILE`);
    if (extra.length > 0) throw new UsageError(`${name} takes one FILE, but more were given: ${extra.join(' ')}`);
    await command.run(file, values, repeated);
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(printableLines(e.lines));
      return 1;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`autodiff: ${printable(e.message)}\n${usage(name)}\n`);
      return 2;
    }
    if (file !== undefined && isOutOfMemory(e)) {
      process.stderr.write(`${fileMessage(file, 'tooLargeAtRun', (e as Error).message)}\n`);
      return 1;
    }
    // A bug in autodiff itself: say so in one line, without a stack trace.
    process.stderr.write(`autodiff: internal error: ${printable(e instanceof Error ? e.message : String(e))}\n`);
    return 70;
  }
}

/** An allocation the sizes given at run time made too large (the compile-time element limit cannot see them). */
function isOutOfMemory(e: unknown): boolean {
  return e instanceof RangeError && /^(Invalid typed array length|Array buffer allocation failed|Invalid array length)/.test(e.message);
}

// A reader that stops early (`autodiff compile big.txt | head`) closes the pipe: that ends the
// output, quietly, rather than as an unhandled 'error' event with a stack trace.
// A closed stderr (progress piped into `head`) only loses messages: the run goes on, so fit
// still writes its --out file and exits with its own status.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.stderr.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

process.exitCode = await main(process.argv.slice(2));
