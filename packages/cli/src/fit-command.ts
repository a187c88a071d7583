/**
 * `autodiff fit FILE --data DATA.csv [--optimizer sgd|momentum|adam] [--lr R] [--steps N]
 *  [--batch B] [--seed S] [--init uniform:A|normal:S|glorot|he] [--until LOSS] [--params IN.json] [--out OUT.json]`
 *
 * Everything is read and checked before the first step, so a run that fails
 * early writes nothing.
 */
import { loadCompiled } from '@autodiff/compiler';
import { isTensorProgram } from '@autodiff/parser';
import { checkLabels, formatTensorParams, readTensorParams, tensorModel } from './tensor-fit.js';
import { isOptimizerKind, type InitSpec, type OptimizerKind } from '@autodiff/runtime';
import { FIT_DEFAULTS, fit, formatInit, noData, parseInit, readCsv, type Dataset, type Model, type StepInfo } from '@autodiff/train';
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
}

/** The defaults, as the help text and the README state them. */
export const FIT_HELP_DEFAULTS = {
  optimizer: FIT_DEFAULTS.optimizer,
  lr: FIT_DEFAULTS.lr,
  steps: FIT_DEFAULTS.steps,
  seed: FIT_DEFAULTS.seed,
  init: formatInit(FIT_DEFAULTS.init),
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
}

export async function fitCommand(path: string, options: FitCommandOptions): Promise<void> {
  const settings = readSettings(options);
  const file = readSource(path);
  if (settings.out !== undefined) {
    // Checked before training, so a long run cannot end by clobbering its inputs.
    checkOutputPath(settings.out, [
      { path: file.path, what: 'source file' },
      ...(settings.data === undefined ? [] : [{ path: settings.data, what: 'data file' }]),
    ]); // (--out may name the --params file: resuming a run and saving over its start is fine)
  }
  const { ir, checked } = compileFile(file);
  const tensors = isTensorProgram(checked);
  const compiled = loadCompiled(ir);
  const model: Model = tensors ? tensorModel(path, checked, compiled) : compiled;
  const data = readData(settings.data, file, model.inputColumns ?? model.inputNames);
  if (tensors && settings.data !== undefined) checkLabels(settings.data, checked, model, data);
  const start = settings.params === undefined ? undefined
    : tensors ? readTensorParams(settings.params, checked) : readSavedParams(settings.params, model.paramNames);

  const progress = createProgress(settings.steps);
  let last: StepInfo | undefined;
  const began = performance.now();
  const result = fit(model, data, {
    optimizer: settings.optimizer,
    lr: settings.lr,
    steps: settings.steps,
    seed: settings.seed,
    ...(settings.init === undefined ? {} : { init: settings.init }),
    ...(settings.batch === undefined ? {} : { batch: settings.batch }),
    ...(settings.until === undefined ? {} : { until: settings.until }),
    ...(start === undefined ? {} : { params: start }),
    onStep: (info) => {
      last = info;
      progress.update(info);
    },
  });
  const seconds = (performance.now() - began) / 1000;
  progress.finish(last, result.steps);

  if (result.stopped === 'diverged') {
    throw new InputError([fileMessage(path, 'diverged', last?.step ?? 0, String(last?.loss), settings.lr)]);
  }
  const why = result.stopped === 'until'
    ? `, stopped: loss over all rows ${formatLoss(last!.dataLoss ?? last!.loss)} < --until ${settings.until}`
    : '';
  const speed = seconds > 0 ? `, ${(result.steps / seconds).toFixed(0)} steps/s` : '';
  process.stderr.write(
    `trained ${result.steps} steps in ${seconds.toFixed(2)} s${speed}${why}\n` +
      `final loss ${formatLoss(result.loss)} (${model.batchInputSizes ? 'the output' : 'mean'} over ${data.rows} row${data.rows === 1 ? '' : 's'})\n`,
  );

  const text = tensors
    ? formatTensorParams(checked, result.params)
    : `${jsonObject(model.paramNames.map((name, i) => [name, jsonNumber(result.params[i]!)]))}\n`;
  if (settings.out === undefined) process.stdout.write(text);
  else await writeOutput(settings.out, text, [{ path: file.path, what: 'source file' }]);
}

/** The dataset from --data, or a single empty row for a program without inputs. */
export function readData(dataPath: string | undefined, file: SourceFile, inputs: readonly string[]): Dataset {
  if (dataPath === undefined) {
    if (inputs.length === 0) return noData();
    throw new UsageError(`--data is required: ${file.path} has inputs (${inputs.join(', ')}), one column each`);
  }
  const result = readCsv(readSource(dataPath, 'data').text, inputs);
  if (result.problems) throw new InputError(formatProblems(dataPath, result.problems));
  for (const line of formatProblems(dataPath, result.notes)) process.stderr.write(`${line}\n`);
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
  const settings: Settings = {
    optimizer,
    lr: number(options, 'lr', (v) => v > 0 && Number.isFinite(v), 'a positive number') ?? FIT_DEFAULTS.lr,
    steps: number(options, 'steps', (v) => Number.isSafeInteger(v) && v >= 0, 'a whole number >= 0') ?? FIT_DEFAULTS.steps,
    seed: number(options, 'seed', (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff, 'a whole number from 0 to 4294967295') ??
      FIT_DEFAULTS.seed,
    init,
  };
  const batch = number(options, 'batch', (v) => Number.isSafeInteger(v) && v >= 1, 'a whole number >= 1');
  const until = number(options, 'until', Number.isFinite, 'a finite number');
  const data = text(options, 'data');
  const params = text(options, 'params');
  const out = text(options, 'out');
  return {
    ...settings,
    ...(batch === undefined ? {} : { batch }),
    ...(until === undefined ? {} : { until }),
    ...(data === undefined ? {} : { data }),
    ...(params === undefined ? {} : { params }),
    ...(out === undefined ? {} : { out }),
  };
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
