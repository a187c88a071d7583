/**
 * Gradient descent on the params: optimiser, learning rate, steps and data,
 * with the loss curve drawn live (uPlot) while the worker trains.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { BatchInfo } from '../analysis/batch.js';
import type { BatchData } from '../batch-data.js';
import { datasetText, type DatasetInfo } from '../examples.js';
import type { Metrics, TrainData } from '../worker/protocol.js';
import { ClassifierView } from './ClassifierView.js';
import type { PlanePoint } from './DecisionBoundary.js';
import { exact, short } from './format.js';

export interface TrainingState {
  status: 'idle' | 'running' | 'steps' | 'until' | 'stopped' | 'diverged' | 'failed';
  steps: number[];
  losses: number[];
  /** Mean loss over every row at the final params. */
  finalLoss?: number;
  message?: string;
  stepsPerSecond?: number;
  /** A classifier's latest metrics from the run. */
  metrics?: Metrics;
}

export const IDLE: TrainingState = { status: 'idle', steps: [], losses: [] };

export interface TrainRequest {
  optimizer: string;
  learningRate: number;
  steps: number;
  batch?: number;
  pace?: number;
  data: TrainData;
}

/** A batch program's rows to train on: those under Values, from `data` (or random), with the picker to change them. */
export interface BatchRows {
  info: BatchInfo;
  rows: number;
  data: BatchData | undefined;
  picker: ReactNode;
  /** The training points in the plane (2-D features), for the boundary. */
  points: readonly PlanePoint[];
  /** The metrics at the params shown, while no run is showing its own. */
  preview: Metrics | undefined;
}

interface TrainPanelProps {
  /** A tensor program trains on the current input values only (its whole batch), with these dimension sizes. */
  tensor: boolean;
  dims: readonly number[];
  inputNames: readonly string[];
  inputValues: readonly number[];
  /** Bundled datasets that fit the inputs, the preferred one first. */
  datasets: readonly DatasetInfo[];
  defaults: { learningRate?: number; steps?: number; optimizer?: string; target?: number; batch?: number };
  batch?: BatchRows | undefined;
  state: TrainingState;
  disabled: boolean;
  onTrain: (request: TrainRequest) => void;
  onStop: () => void;
  onReset: () => void;
}

const POINT = 'current input values (1 row)';
const PASTE = 'pasted CSV';
const BATCH = 'current input values (the whole batch)';
/** Rows up to this many train full-batch by default; more, in batches of DEFAULT_BATCH (as `fit --batch 128`). */
const FULL_BATCH_ROWS = 256;
const DEFAULT_BATCH = 128;
/** Steps a second in slow motion: two moons' 1000 steps in five seconds. */
const SLOW_PACE = 200;

export function TrainPanel(props: TrainPanelProps) {
  const { tensor, dims, inputNames, inputValues, defaults, state, disabled, batch } = props;
  const datasets = tensor ? [] : props.datasets;
  const [optimizer, setOptimizer] = useState(defaults.optimizer ?? 'adam');
  const [learningRate, setLearningRate] = useState(String(defaults.learningRate ?? 0.01));
  const [steps, setSteps] = useState(String(defaults.steps ?? 1000));
  const [pasted, setPasted] = useState(`${inputNames.join(',')}\n`);
  const [dataChoice, setDataChoice] = useState<string | undefined>();
  const suggestedBatch = defaults.batch ?? (batch && batch.rows > FULL_BATCH_ROWS ? DEFAULT_BATCH : undefined);
  const [slow, setSlow] = useState(false);
  const [batchSize, setBatchSize] = useState(suggestedBatch === undefined ? '' : String(suggestedBatch));
  useEffect(() => setBatchSize(suggestedBatch === undefined ? '' : String(suggestedBatch)), [suggestedBatch]);

  // A new example brings its own suggested settings.
  useEffect(() => {
    setOptimizer(defaults.optimizer ?? 'adam');
    setLearningRate(String(defaults.learningRate ?? 0.01));
    setSteps(String(defaults.steps ?? 1000));
  }, [defaults.optimizer, defaults.learningRate, defaults.steps]);

  const names = tensor ? [BATCH] : [...datasets.map((d) => d.name), POINT, PASTE];
  const fallback = tensor ? BATCH : datasets[0]?.name ?? POINT;
  const choice = dataChoice !== undefined && names.includes(dataChoice) ? dataChoice : fallback;

  const lr = Number(learningRate);
  const stepCount = Number(steps);
  const rowsPerStep = batchSize.trim() === '' ? undefined : Number(batchSize);
  const batchValid = rowsPerStep === undefined || (Number.isInteger(rowsPerStep) && rowsPerStep >= 1);
  const valid = lr > 0 && Number.isFinite(lr) && Number.isInteger(stepCount) && stepCount >= 1 && stepCount <= 1_000_000 && batchValid;
  const running = state.status === 'running';

  const start = async () => {
    const data: TrainData = batch
      ? { kind: 'rows', train: { rows: batch.rows, inputs: Float64Array.from(inputValues) }, ...(batch.data?.test ? { test: batch.data.test } : {}) }
      : tensor
      ? { kind: 'point', inputs: [...inputValues], dims: [...dims] }
      : choice === POINT
      ? { kind: 'point', inputs: [...inputValues] }
      : { kind: 'csv', text: choice === PASTE ? pasted : await datasetText(choice) };
    props.onTrain({ optimizer, learningRate: lr, steps: stepCount, data, ...(batch && rowsPerStep !== undefined ? { batch: rowsPerStep } : {}),
      ...(slow ? { pace: SLOW_PACE } : {}),
    });
  };

  const last = state.finalLoss ?? state.losses[state.losses.length - 1];
  const target = defaults.target;
  return (
    <div className="train">
      <div className="train-form">
        <label>
          optimizer{' '}
          <select value={optimizer} onChange={(e) => setOptimizer(e.target.value)} data-testid="train-optimizer">
            <option value="sgd">SGD</option>
            <option value="momentum">momentum</option>
            <option value="adam">Adam</option>
          </select>
        </label>
        <label>
          learning rate{' '}
          <input className="short" value={learningRate} onChange={(e) => setLearningRate(e.target.value)} data-testid="train-lr" />
        </label>
        <label>
          steps{' '}
          <input className="short" value={steps} onChange={(e) => setSteps(e.target.value)} data-testid="train-steps" />
        </label>
        {batch && (
          <label>
            batch{' '}
            <input
              className={`short${batchValid ? '' : ' invalid'}`}
              value={batchSize}
              placeholder="all rows"
              onChange={(e) => setBatchSize(e.target.value)}
              title="rows per step (empty: every row)"
              data-testid="train-batch"
            />
          </label>
        )}
        <label title={`at most ${SLOW_PACE} steps a second, to watch the run`}>
          <input type="checkbox" checked={slow} onChange={(e) => setSlow(e.target.checked)} data-testid="train-slow" /> slow motion
        </label>
        {inputNames.length > 0 && !batch && (
          <label>
            data{' '}
            <select value={choice} onChange={(e) => setDataChoice(e.target.value)} data-testid="train-data">
              {names.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </label>
        )}
      </div>
      {batch?.picker}
      {inputNames.length > 0 && !batch && choice === PASTE && (
        <label className="upload small">
          upload a CSV file{' '}
          <input
            type="file"
            accept=".csv,text/csv,text/plain"
            onChange={(e) => void e.target.files?.[0]?.text().then(setPasted)}
            data-testid="train-upload"
          />
        </label>
      )}
      {inputNames.length > 0 && !batch && choice === PASTE && (
        <textarea
          className="csv"
          rows={5}
          value={pasted}
          onChange={(e) => setPasted(e.target.value)}
          aria-label="CSV data"
          data-testid="train-csv"
        />
      )}
      <div className="toolbar">
        <button type="button" onClick={() => void start()} disabled={disabled || running || !valid} data-testid="train-start">train</button>
        <button type="button" onClick={props.onStop} disabled={!running} data-testid="train-stop">stop</button>
        <button type="button" onClick={props.onReset} disabled={running || state.status === 'idle'} data-testid="train-reset">reset</button>
        <span data-testid="train-status" data-status={state.status}>
          {statusText(state)}
          {last !== undefined && (
            <>
              {' · '}loss{' '}
              <strong data-testid="train-loss" data-value={exact(last)}>{short(last, 4)}</strong>
            </>
          )}
          {target !== undefined && (
            <span className={last !== undefined && last < target ? 'good-text' : 'muted'}>
              {' '}(target &lt; {target}{last !== undefined && last < target ? ' ✓' : ''})
            </span>
          )}
          {state.stepsPerSecond !== undefined && state.stepsPerSecond > 0 && (
            <span className="muted" data-testid="steps-per-second" data-value={state.stepsPerSecond}>
              {' · '}{Math.round(state.stepsPerSecond).toLocaleString('en-US')} steps/s
            </span>
          )}
        </span>
      </div>
      {state.message && <pre className="notice bad">{state.message}</pre>}
      <div className="train-views">
        <LossChart steps={state.steps} losses={state.losses} target={target} />
        {batch?.info.task && <ClassifierView task={batch.info.task} metrics={state.metrics ?? batch.preview} points={batch.points} />}
      </div>
      <p className="muted small">
        {batch
          ? `Minimises the program's output over the ${batch.rows} rows of the inputs shown under Values, ${rowsPerStep === undefined || rowsPerStep >= batch.rows ? 'all at once' : `${rowsPerStep} rows at a time (reshuffled every epoch)`}, starting from the params shown there; they follow the run live.`
          : tensor
          ? 'Minimises the program\'s output on the input values shown under Values (the whole batch at once), starting from the params shown there; they follow the run live.'
          : 'Minimises the mean of the program\'s output over the data rows (full batch), starting from the params shown under Values; they follow the run live.'}
        {' '}Reset puts back the params from before the run.
      </p>
    </div>
  );
}

function statusText(s: TrainingState): string {
  const at = s.steps.length > 0 ? `step ${s.steps[s.steps.length - 1]}` : '';
  switch (s.status) {
    case 'idle': return 'not trained yet';
    case 'running': return `training… ${at}`;
    case 'steps': return `done: ${at}`;
    case 'until': return `reached the target at ${at}`;
    case 'stopped': return `stopped at ${at}`;
    case 'diverged': return `diverged at ${at}: the loss or gradient is not finite (try a smaller learning rate)`;
    case 'failed': return 'could not train';
  }
}

/**
 * The loss per step. When every loss is positive the y axis is logarithmic:
 * the curve plots log10(loss) on a linear scale, labelled in powers of ten
 * (uPlot's own log scale loops on ranges of 30 decades, which training
 * to 1e-31 reaches).
 */
function LossChart({ steps, losses, target }: { steps: number[]; losses: number[]; target: number | undefined }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const logScale = losses.every((l) => l > 0) && (target === undefined || target > 0);

  useEffect(() => {
    const width = Math.max(320, (host.current?.clientWidth ?? 560) - 8);
    const shown = (v: number | null) => (v === null ? '--' : short(logScale ? 10 ** v : v, 4));
    const series: uPlot.Series[] = [
      { label: 'step' },
      { label: 'loss', stroke: '#1f5fbf', width: 2, value: (_u, v) => shown(v) },
    ];
    if (target !== undefined) series.push({ label: 'target', stroke: '#2e9d57', dash: [6, 4], width: 1, value: (_u, v) => shown(v) });
    const yAxis: uPlot.Axis = logScale
      ? { label: 'loss (log scale)', incrs: [1, 2, 5, 10, 20], values: (_u, splits) => splits.map((v) => `1e${v}`), size: 60 }
      : { label: 'loss', size: 60 };
    const plot = new uPlot({
      width,
      height: 240,
      scales: { x: { time: false } },
      axes: [{ label: 'step' }, yAxis],
      series,
      legend: { show: true },
    }, target !== undefined ? [[], [], []] : [[], []], host.current!);
    chart.current = plot;
    // The panel may be hidden when the chart is made: follow the host's width.
    const resize = new ResizeObserver(() => {
      const w = host.current?.clientWidth ?? 0;
      if (w > 0 && w - 8 !== plot.width) plot.setSize({ width: w - 8, height: 240 });
    });
    resize.observe(host.current!);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [logScale, target]);

  useEffect(() => {
    const y = (v: number) => (logScale ? Math.log10(v) : v);
    const data: uPlot.AlignedData = target !== undefined
      ? [steps, losses.map(y), steps.map(() => y(target))]
      : [steps, losses.map(y)];
    chart.current?.setData(data);
  }, [steps, losses, target, logScale]);

  return <div className="chart" ref={host} data-testid="loss-chart" />;
}
