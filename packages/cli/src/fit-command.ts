/**
 * `autodiff fit FILE --data DATA.csv [--optimizer sgd|momentum|adam] [--lr R] [--steps N]
 *  [--batch B] [--seed S] [--init uniform:A|normal:S|glorot|he] [--until LOSS] [--params IN.json] [--out OUT.json]
 *  [--valid FRACTION | --valid-data FILE] [--weight-decay D] [--schedule constant|linear|cosine|step] [--checkpoint N]`
 *
 * Everything is read and checked before the first step, so a run that fails
 * early writes nothing.
 */
import { statSync } from 'node:fs';
import { loadCompiled } from '@autodiff/compiler';
import { isTensorProgram } from '@autodiff/parser';
import { checkLabels, formatTensorParams, readTensorParams, tensorModel } from './tensor-fit.js';
import { isOptimizerKind, isScheduleKind, seededRandom, type InitSpec, type OptimizerKind, type ScheduleKind } from '@autodiff/runtime';
import {
  FIT_DEFAULTS, formatInit, noData, parseInit, readCsv, splitDataset, Trainer, type Dataset, type Model, type StepInfo,
} from '@autodiff/train';
import { InputError, UsageError } from './failures.js';
import { createProgress, formatLoss } from './fit-progress.js';
import { jsonNumber, jsonObject } from './json.js';
import { fileMessage } from './diagnostics.js';
import { checkOutputPath, writeOutput } from './output.js';
import { formatProblems, readSavedParams } from './saved-params.js';
import { compileFile, readSource, type SourceFile } from './source.js';
import { parseNumber } from './values.js';

/** Each flag's value as given on the command line (main.ts has already refused a repeated one). */
export interface FitCommandOptions {
  data?: string | undefined;
  optimizer?: string | undefined;
  lr?: string | undefined;
  steps?: string | undefined;
  batch?: string | undefined;
  seed?: string | undefined;
  init?: string | undefined;
  until?: string | undefined;
  params?: string | undefined;
  out?: string | undefined;
  valid?: string | undefined;
  'valid-data'?: string | undefined;
  'weight-decay'?: string | undefined;
  schedule?: string | undefined;
  checkpoint?: string | undefined;
}

/** The defaults, as the help text and the README state them. */
export const FIT_HELP_DEFAULTS = {
  optimizer: FIT_DEFAULTS.optimizer,
  lr: FIT_DEFAULTS.lr,
  steps: FIT_DEFAULTS.steps,
  seed: FIT_DEFAULTS.seed,
  init: formatInit(FIT_DEFAULTS.init),
  schedule: FIT_DEFAULTS.schedule,
};

interface Settings {
  data?: string;
  optimizer: OptimizerKind;
  lr: number;
  steps: number;
  batch?: number;
  seed: number;
  init: InitSpec | undefined;
  until?: number;
  params?: string;
  out?: string;
  valid?: number;
  validData?: string;
  weightDecay: number;
  schedule: ScheduleKind;
  checkpoint?: number;
}

export async function fitCommand(path: string, options: FitCommandOptions): Promise<void> {
  const settings = readSettings(options);
  const file = readSource(path);
  if (settings.out !== undefined) {
    // Checked before training, so a long run cannot end by clobbering its inputs.
    checkOutputPath(settings.out, [
      { path: file.path, what: 'source file' },
      ...(settings.data === undefined ? [] : [{ path: settings.data, what: 'data file' }]),
      ...(settings.validData === undefined ? [] : [{ path: settings.validData, what: 'held-out data file' }]),
    ]); // (--out may name the --params file: resuming a run and saving over its start is fine)
  }
  const { ir, checked } = compileFile(file);
  const tensors = isTensorProgram(checked);
  const compiled = loadCompiled(ir);
  const model: Model = tensors ? tensorModel(path, checked, compiled) : compiled;
  const columns = model.inputColumns ?? model.inputNames;
  const all = readData(settings.data, file, columns);
  if (tensors && settings.data !== undefined) checkLabels(settings.data, checked, model, all);
  const { train: data, valid } = heldOut(settings, file, columns, all, (d, p) => tensors && checkLabels(p, checked, model, d));
  const start = settings.params === undefined ? undefined
    : tensors ? readTensorParams(settings.params, checked) : readSavedParams(settings.params, model.paramNames);
  const paramsText = (params: Float64Array) => tensors
    ? formatTensorParams(checked, params)
    : `${jsonObject(model.paramNames.map((name, i) => [name, jsonNumber(params[i]!)]))}\n`;
  const inputs = [{ path: file.path, what: 'source file' }];

  const trainer = new Trainer(model, data, {
    optimizer: settings.optimizer,
    lr: settings.lr,
    steps: settings.steps,
    seed: settings.seed,
    schedule: settings.schedule,
    weightDecay: settings.weightDecay,
    ...(settings.init === undefined ? {} : { init: settings.init }),
    ...(settings.batch === undefined ? {} : { batch: settings.batch }),
    ...(settings.until === undefined ? {} : { until: settings.until }),
    ...(start === undefined ? {} : { params: start }),
    ...(valid === undefined ? {} : { valid }),
  });
  // Time spent on the progress lines' losses and on checkpoints is not training: the summary leaves it out.
  let asideMs = 0;
  const aside = <T>(work: () => T): T => {
    const started = performance.now();
    try {
      return work();
    } finally {
      asideMs += performance.now() - started;
    }
  };
  const progress = createProgress(settings.steps, valid && (() => aside(() => ({ train: trainer.loss(), valid: trainer.loss(valid) }))));
  let last: StepInfo | undefined;
  const began = performance.now();
  while (trainer.stopped === undefined) {
    last = trainer.step();
    progress.update(last);
    // A checkpoint every N updates, written atomically: an interrupted run keeps the last one.
    if (settings.checkpoint !== undefined && last.updated && trainer.updates % settings.checkpoint === 0 && trainer.stopped === undefined) {
      const started = performance.now();
      await writeOutput(settings.out!, paramsText(trainer.params), inputs);
      asideMs += performance.now() - started;
    }
  }
  const seconds = (performance.now() - began - asideMs) / 1000;
  const result = trainer.result();
  progress.finish(last, result.steps);

  if (result.stopped === 'diverged') {
    throw new InputError([fileMessage(path, 'diverged', last?.step ?? 0, String(last?.loss), settings.lr)]);
  }
  const why = result.stopped !== 'until' ? ''
    : last!.validLoss !== undefined ? `, stopped: held-out loss ${formatLoss(last!.validLoss)} < --until ${settings.until}`
      : `, stopped: loss over all rows ${formatLoss(last!.dataLoss ?? last!.loss)} < --until ${settings.until}`;
  const speed = seconds > 0 ? `, ${(result.steps / seconds).toFixed(0)} steps/s` : '';
  const over = (rows: number) => `${model.batchInputSizes ? 'the output' : 'mean'} over ${rows} row${rows === 1 ? '' : 's'}`;
  process.stderr.write(
    `trained ${result.steps} steps in ${seconds.toFixed(2)} s${speed}${why}\n` +
      `final loss ${formatLoss(result.loss)} (${over(data.rows)})\n` +
      (result.validLoss === undefined ? '' : `held-out loss ${formatLoss(result.validLoss)} (${over(valid!.rows)})\n`),
  );

  const text = paramsText(result.params);
  if (settings.out === undefined) process.stdout.write(text);
  else await writeOutput(settings.out, text, inputs);
}

/**
 * The training rows and the held-out ones: `--valid-data`'s file, or a
 * seeded random `--valid` fraction of the data (its own stream of the seed,
 * so the batches and the initialisation are those of a run without it).
 */
function heldOut(
  settings: Settings, file: SourceFile, columns: readonly string[], all: Dataset, check: (d: Dataset, path: string) => void,
): { train: Dataset; valid?: Dataset } {
  if (settings.validData !== undefined) {
    const valid = readData(settings.validData, file, columns);
    check(valid, settings.validData);
    return { train: all, valid };
  }
  if (settings.valid === undefined) return { train: all };
  const held = Math.round(settings.valid * all.rows);
  if (held < 1 || held > all.rows - 1) {
    throw new InputError([fileMessage(settings.data ?? file.path, 'heldOutEmpty', settings.valid, all.rows, held < 1 ? 'hold out' : 'train on')]);
  }
  return splitDataset(all, settings.valid, seededRandom((settings.seed ^ 0x85ebca6b) >>> 0));
}

/**
 * The dataset from --data, or a single empty row for a program without
 * inputs. Notes (columns that are not inputs) go to stderr unless `quiet`.
 */
export function readData(dataPath: string | undefined, file: SourceFile, inputs: readonly string[], quiet = false): Dataset {
  if (dataPath === undefined) {
    if (inputs.length === 0) return noData();
    throw new UsageError(`--data is required: ${file.path} has inputs (${inputs.join(', ')}), one column each`);
  }
  const result = readCsv(readSource(dataPath, 'data').text, inputs);
  if (result.problems) throw new InputError(formatProblems(dataPath, result.problems));
  if (!quiet) for (const line of formatProblems(dataPath, result.notes)) process.stderr.write(`${line}\n`);
  return result.dataset;
}

function readSettings(options: FitCommandOptions): Settings {
  const optimizer = text(options, 'optimizer') ?? FIT_DEFAULTS.optimizer;
  if (!isOptimizerKind(optimizer)) throw new UsageError(`--optimizer must be sgd, momentum or adam, not '${optimizer}'`);
  const initText = text(options, 'init');
  // Unset: each kind of program's default (fit's: uniform:0.5, or glorot for a tensor program's matrices).
  const init = initText === undefined ? undefined : parseInit(initText);
  if (initText !== undefined && init === undefined) {
    throw new UsageError(`--init must be uniform:A or normal:S with a number A or S >= 0, glorot or he, not '${initText}'`);
  }
  const settings = {
    optimizer,
    lr: number(options, 'lr', (v) => v > 0 && Number.isFinite(v), 'a positive number') ?? FIT_DEFAULTS.lr,
    steps: number(options, 'steps', (v) => Number.isSafeInteger(v) && v >= 0, 'a whole number >= 0') ?? FIT_DEFAULTS.steps,
    seed: number(options, 'seed', (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff, 'a whole number from 0 to 4294967295') ??
      FIT_DEFAULTS.seed,
    init,
  };
  const batch = number(options, 'batch', (v) => Number.isSafeInteger(v) && v >= 1, 'a whole number >= 1');
  const until = number(options, 'until', Number.isFinite, 'a finite number');
  const valid = number(options, 'valid', (v) => v > 0 && v < 1, 'a fraction between 0 and 1 (e.g. 0.2)');
  const checkpoint = number(options, 'checkpoint', (v) => Number.isSafeInteger(v) && v >= 1, 'a whole number of steps >= 1');
  const weightDecay = number(options, 'weight-decay', (v) => v >= 0 && Number.isFinite(v), 'a number >= 0') ?? 0;
  const schedule = text(options, 'schedule') ?? FIT_DEFAULTS.schedule;
  if (!isScheduleKind(schedule)) throw new UsageError(`--schedule must be constant, linear, cosine or step, not '${schedule}'`);
  const data = text(options, 'data');
  const validData = text(options, 'valid-data');
  const params = text(options, 'params');
  const out = text(options, 'out');
  if (valid !== undefined && validData !== undefined) throw new UsageError('give --valid FRACTION or --valid-data FILE, not both');
  if (valid !== undefined && data === undefined) throw new UsageError('--valid holds out a fraction of the --data rows: give --data');
  if (checkpoint !== undefined && out === undefined) throw new UsageError('--checkpoint writes the params to --out every N steps: give --out');
  if (checkpoint !== undefined && !isFileOrNew(out!)) {
    // Each checkpoint replaces the file; through a pipe or a device they would pile up.
    throw new UsageError(`--checkpoint replaces --out every N steps, so --out must be a file, not '${out}'`);
  }
  const all: Settings = {
    ...settings,
    weightDecay,
    schedule,
    ...(batch === undefined ? {} : { batch }),
    ...(until === undefined ? {} : { until }),
    ...(valid === undefined ? {} : { valid }),
    ...(validData === undefined ? {} : { validData }),
    ...(checkpoint === undefined ? {} : { checkpoint }),
    ...(data === undefined ? {} : { data }),
    ...(params === undefined ? {} : { params }),
    ...(out === undefined ? {} : { out }),
  };
  return all;
}

/** Whether `path` names a regular file, or nothing yet (not a pipe, a device, stdout or a folder). */
function isFileOrNew(path: string): boolean {
  if (path === '-' || path === '') return false;
  try {
    return statSync(path).isFile();
  } catch {
    return true;
  }
}

/** A flag's value as text, exactly as given. */
function text(options: FitCommandOptions, name: keyof FitCommandOptions): string | undefined {
  return options[name];
}

function number(options: FitCommandOptions, name: keyof FitCommandOptions, valid: (v: number) => boolean, what: string): number | undefined {
  const given = text(options, name);
  if (given === undefined) return undefined;
  const value = parseNumber(given);
  if (value === undefined || !valid(value)) throw new UsageError(`--${name} must be ${what}, not '${given}'`);
  return value;
}
