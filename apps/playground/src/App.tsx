/**
 * The playground page: the editor and values on the left, the views of the
 * compiled program (graph, derivatives, code, training) on the right. All
 * compiling and number crunching happens in the compile worker.
 */
import type { Span } from '@autodiff/parser';
import { initialTensorParams, seededRandom } from '@autodiff/runtime';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { loadBatchData, type BatchData, type DataChoice } from './batch-data.js';
import { Editor, type EditorHandle } from './editor/Editor.js';
import { datasetsFor, EXAMPLES, startingRow, trainingHint, type Example } from './examples.js';
import { DataSource } from './views/DataSource.js';
import type { PlanePoint } from './views/DecisionBoundary.js';
import { hashFor, programFromHash } from './share.js';
import { CodeView } from './views/CodeView.js';
import { GraphView } from './views/GraphView.js';
import { MathView } from './views/MathView.js';
import { IDLE, TrainPanel, type TrainingState, type TrainRequest } from './views/TrainPanel.js';
import { ValuesPanel } from './views/ValuesPanel.js';
import { dimSizes, flatten, unflatten, withDefaults, type LeafValue } from './values.js';
import { WorkerClient, type CompiledReply } from './worker-client.js';
import { inputValuesOf } from './worker/rows.js';
import type { EditorDiagnostic, Evaluation, Metrics, ProgramModel } from './worker/protocol.js';

type Tab = 'graph' | 'math' | 'code' | 'train';
const TABS: { id: Tab; title: string }[] = [
  { id: 'graph', title: 'Graph' },
  { id: 'math', title: 'Derivatives' },
  { id: 'code', title: 'Generated code' },
  { id: 'train', title: 'Train' },
];

/** Longer programs are not mirrored into the URL (browsers cap URL length). */
const MAX_SHARED_LENGTH = 50_000;
/** The loss curve keeps at most this many points (halving the density when full). */
const MAX_CURVE_POINTS = 4000;

interface Compiled {
  id: number;
  model: ProgramModel;
}

function startingProgram(): { source: string; example?: Example } {
  const shared = programFromHash(window.location.hash);
  if (shared !== undefined) return { source: shared };
  const example = EXAMPLES[0];
  return example ? { source: example.source, example } : { source: 'param x\nx^2\n' };
}

export function App() {
  const client = useMemo(() => new WorkerClient(), []);
  const start = useMemo(startingProgram, []);
  const editor = useRef<EditorHandle>(null);
  const [example, setExample] = useState<Example | undefined>(start.example);
  const [diagnostics, setDiagnostics] = useState<EditorDiagnostic[]>([]);
  const [compiled, setCompiled] = useState<Compiled | undefined>();
  const [status, setStatus] = useState<'checking' | 'ok' | 'errors'>('checking');
  const [internalError, setInternalError] = useState<string | undefined>();
  const [values, setValues] = useState<Map<string, LeafValue>>(new Map());
  // Sizes the user gave dimension names (kept by name across edits of the program).
  const [dims, setDims] = useState<Map<string, number>>(new Map());
  const [evaluated, setEvaluated] = useState<{ compileId: number; layout: string; evaluation: Evaluation } | undefined>();
  const [tab, setTab] = useState<Tab>('graph');
  const [training, setTraining] = useState<TrainingState>(IDLE);
  const [shareNote, setShareNote] = useState<string | undefined>();
  const [source, setSource] = useState(start.source);
  // A batch program's rows (a bundled or given CSV); none: random inputs of the size field's length.
  const [batchData, setBatchData] = useState<(BatchData & { columns: string }) | undefined>();
  const [dataState, setDataState] = useState<{ loading: boolean; error?: string }>({ loading: false });
  const [preview, setPreview] = useState<{ compileId: number; metrics: Metrics } | undefined>();
  // The example whose own dataset is loaded once its program has compiled.
  const pendingDataset = useRef<string | undefined>(start.example?.id);

  // Mutable state read by worker callbacks (which outlive renders).
  const live = useRef({ compiledId: 0, lastReply: 0, exampleId: start.example?.id, dims: new Map<string, number>() });
  live.current.dims = dims;
  const run = useRef<{ id: number; before: Map<string, LeafValue> } | undefined>(undefined);

  const check = useCallback(async (text: string): Promise<EditorDiagnostic[]> => {
    const reply: CompiledReply = await client.compile(text);
    if (reply.id > live.current.lastReply) {
      live.current.lastReply = reply.id;
      setDiagnostics(reply.diagnostics);
      setInternalError(reply.error);
      setSource(reply.source);
      if (reply.model) {
        const model = reply.model;
        live.current.compiledId = reply.id;
        setCompiled({ id: reply.id, model });
        setValues((v) => withDefaults(v, live.current.dims, model, startingRow(model.inputNames, model.tensor, live.current.exampleId)));
      }
      const errors = reply.diagnostics.some((d) => d.severity === 'error') || reply.error !== undefined;
      setStatus(client.busy ? 'checking' : errors ? 'errors' : 'ok');
      if (reply.source.length <= MAX_SHARED_LENGTH) window.history.replaceState(null, '', hashFor(reply.source));
    }
    return reply.diagnostics;
  }, [client]);

  // Replies that are not compilations: evaluations and training.
  useEffect(() => client.listen((reply) => {
    const current = run.current;
    switch (reply.kind) {
      case 'evaluated':
        if (reply.compileId === live.current.compiledId) {
          const shown = compiledRef.current;
          if (shown?.id === reply.compileId) setEvaluated({ compileId: reply.compileId, layout: layoutOf(shown.model), evaluation: reply.evaluation });
        }
        return;
      case 'progress':
        if (reply.id !== current?.id) return;
        setTraining((t) => ({
          ...appendLosses(t, reply.losses), stepsPerSecond: reply.stepsPerSecond, ...(reply.metrics ? { metrics: reply.metrics } : {}),
        }));
        setParams(reply.params);
        return;
      case 'trained':
        if (reply.id !== current?.id) return;
        setTraining((t) => ({
          ...t, status: reply.reason, finalLoss: reply.loss, stepsPerSecond: reply.stepsPerSecond, ...(reply.metrics ? { metrics: reply.metrics } : {}),
        }));
        setParams(reply.params);
        return;
      case 'predicted':
        if (reply.compileId === live.current.compiledId) setPreview({ compileId: reply.compileId, metrics: reply.metrics });
        return;
      case 'failed':
        if (reply.id === current?.id) setTraining({ ...IDLE, status: 'failed', message: reply.message });
        else setInternalError(reply.message);
        return;
      case 'compiled':
        return;
    }
  }), [client]);

  const setParams = (params: readonly number[]) => {
    const shown = compiledRef.current?.model;
    if (!shown) return;
    setValues((v) => new Map([...v, ...unflatten(shown.paramNames, shown.paramShapes, params, dimSizes(shown, live.current.dims))]));
  };
  const compiledRef = useRef(compiled);
  compiledRef.current = compiled;

  const model = compiled?.model;
  // The latest evaluation, while the program shown has the same params, inputs and shapes (an edit
  // elsewhere keeps the numbers up until the new ones come); the graph's numbers only for its own compilation.
  const evaluation = evaluated && model && evaluated.layout === layoutOf(model) ? evaluated.evaluation : undefined;
  const graphEvaluation = evaluated?.compileId === compiled?.id ? evaluated?.evaluation : undefined;
  const sizes = useMemo(() => (model ? dimSizes(model, dims) : new Map<string, number>()), [model, dims]);
  const dimValues = useMemo(() => model?.dimNames.map((d) => sizes.get(d)!) ?? [], [model, sizes]);
  const paramValues = useMemo(() => flatten(model?.paramNames ?? [], values), [model, values]);
  const inputValues = useMemo(() => flatten(model?.inputNames ?? [], values), [model, values]);

  const running = training.status === 'running';
  useEffect(() => {
    // Not while training: the params change every few milliseconds, and the worker is busy with the run.
    if (compiled && !running) client.evaluate({ compileId: compiled.id, params: paramValues, inputs: inputValues, dims: dimValues });
  }, [client, compiled, paramValues, inputValues, dimValues, running]);

  // The rows chosen for a batch program, while they are what the inputs hold (same columns, same count).
  const batch = model?.batch;
  const data = batch && batchData && batchData.columns === batch.columns.join(',') && sizes.get(batch.dim) === batchData.train.rows
    ? batchData : undefined;
  const rowCount = batch ? sizes.get(batch.dim)! : 0;

  /** Reads the chosen rows into the inputs (the dimension's size becomes their count). */
  const pickData = useCallback(async (choice: DataChoice) => {
    const shown = compiledRef.current?.model;
    const info = shown?.batch;
    if (!shown || !info) return;
    if (choice.kind === 'random') {
      setBatchData(undefined);
      return;
    }
    setDataState({ loading: true });
    try {
      const loaded = await loadBatchData(choice, info);
      const next = new Map(live.current.dims).set(info.dim, loaded.train.rows);
      setDims(next);
      setValues((v) => withDefaults(new Map([...v, ...inputValuesOf(shown.inputNames, info, loaded.train)]), next, shown));
      setBatchData({ ...loaded, columns: info.columns.join(',') });
      setDataState({ loading: false });
    } catch (error) {
      setDataState({ loading: false, error: error instanceof Error ? error.message : String(error) });
    }
  }, []);

  // An example's own dataset (moons.csv for moons.txt), once its program has compiled.
  useEffect(() => {
    const id = pendingDataset.current;
    if (!model || id === undefined || id !== live.current.exampleId) return;
    pendingDataset.current = undefined;
    const own = model.batch ? datasetsFor(model.batch.columns, id)[0] : undefined;
    if (own && (own.name === `${id}.csv` || own.name === `${id}-train.csv`)) void pickData({ kind: 'bundled', name: own.name });
  }, [model, pickData]);

  // A classifier's boundary and accuracy at the params shown, before (and between) runs.
  const task = batch?.task;
  useEffect(() => {
    if (!compiled || !task || running || tab !== 'train') return;
    client.predict({
      compileId: compiled.id,
      params: paramValues,
      data: { kind: 'rows', train: { rows: rowCount, inputs: Float64Array.from(inputValues) }, ...(data?.test ? { test: data.test } : {}) },
    });
  }, [client, compiled, task, running, tab, paramValues, inputValues, rowCount, data]);

  const points = useMemo((): PlanePoint[] => {
    if (!batch?.task || batch.task.featureShape[0] !== 2 || batch.task.featureShape.length !== 1) return [];
    const x = values.get(batch.task.features);
    const y = values.get(batch.task.label);
    if (typeof x === 'number' || typeof y === 'number' || !x || !y) return [];
    return Array.from({ length: Math.min(y.length, x.length / 2) }, (_, r) => ({ x: x[2 * r]!, y: x[2 * r + 1]!, label: y[r]! }));
  }, [batch, values]);

  /** A dimension's new size: inputs (and params) of a different size get new data. */
  const changeDim = (name: string, size: number) => {
    const next = new Map(dims).set(name, size);
    setDims(next);
    if (model) setValues((v) => withDefaults(v, next, model, startingRow(model.inputNames, model.tensor, live.current.exampleId)));
  };

  // A link pasted into this tab's address bar opens its program.
  useEffect(() => {
    const onHash = () => {
      const shared = programFromHash(window.location.hash);
      if (shared !== undefined && shared !== source) editor.current?.setText(shared);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [source]);

  const chooseExample = (id: string) => {
    const chosen = EXAMPLES.find((e) => e.id === id);
    if (!chosen) return;
    stopTraining();
    setExample(chosen);
    live.current.exampleId = chosen.id;
    pendingDataset.current = chosen.id;
    setBatchData(undefined);
    setDataState({ loading: false });
    setPreview(undefined);
    setValues(new Map());
    setTraining(IDLE);
    editor.current?.setText(chosen.source);
  };

  const stopTraining = () => {
    if (training.status === 'running') client.stop();
  };

  const train = (request: TrainRequest) => {
    if (!compiled) return;
    const id = client.train(compiled.id, paramValues, request);
    run.current = { id, before: new Map(values) };
    setTraining({ status: 'running', steps: [], losses: [] });
  };

  const resetTraining = () => {
    const before = run.current?.before;
    run.current = undefined;
    if (before) setValues(before);
    setTraining(IDLE);
  };

  /** New random params: a scalar program's uniform (as fit draws them); a tensor program's glorot or he, from a fresh seed. */
  const randomize = (scheme: 'uniform' | 'glorot' | 'he') => {
    if (!model) return;
    setValues((v) => {
      const next = new Map(v);
      if (scheme !== 'uniform') {
        const shapes = model.paramShapes.map((s) => s.map((d) => (typeof d === 'number' ? d : sizes.get(d)!)));
        const drawn = initialTensorParams(shapes, { kind: scheme }, seededRandom(Math.floor(Math.random() * 2 ** 32)));
        return new Map([...next, ...unflatten(model.paramNames, model.paramShapes, drawn, sizes)]);
      }
      const draw = () => model.initScale * (2 * Math.random() - 1);
      for (const name of model.paramNames) {
        const old = next.get(name);
        next.set(name, typeof old === 'number' || old === undefined ? draw() : old.map(draw));
      }
      return next;
    });
  };

  const share = () => {
    const url = window.location.href;
    navigator.clipboard.writeText(url).then(
      () => setShareNote('link copied'),
      () => setShareNote('copy the address bar: it holds the program'),
    );
    setTimeout(() => setShareNote(undefined), 2500);
  };

  const onHover = useCallback((spans: readonly Span[]) => {
    editor.current?.highlight(status === 'errors' ? [] : spans.map((s) => ({ from: s.start, to: s.end })));
  }, [status]);

  const hint = useMemo(() => trainingHint(source), [source]);
  const picker = batch && (
    <DataSource
      dim={batch.dim}
      columns={batch.columns}
      datasets={datasetsFor(batch.columns, example?.id)}
      data={data}
      loading={dataState.loading}
      error={dataState.error}
      onPick={(choice) => void pickData(choice)}
    />
  );
  const datasets = useMemo(() => datasetsFor(model?.inputNames ?? [], example?.id), [model, example]);
  const errors = diagnostics.filter((d) => d.severity === 'error');

  return (
    <div className="app">
      <header>
        <h1>autodiff <span>playground</span></h1>
        <p className="tagline">Type a formula; see its value, its gradient, the graph backpropagation walks, and the code.</p>
        <div className="header-tools">
          <label>
            example{' '}
            <select value={example?.id ?? ''} onChange={(e) => chooseExample(e.target.value)} data-testid="examples-menu">
              {example === undefined && <option value="">(shared program)</option>}
              {EXAMPLES.map((e) => <option key={e.id} value={e.id}>{e.title}</option>)}
            </select>
          </label>
          <button type="button" onClick={share} data-testid="share">copy share link</button>
          {shareNote && <span className="muted">{shareNote}</span>}
        </div>
      </header>
      <main>
        <div className="left">
          <section className="panel source" aria-label="source">
            <div className="panel-head">
              <h2>Program</h2>
              <span className={`status ${status}`} data-testid="compile-status" data-state={status} data-compile-id={compiled?.id ?? 0}>
                {status === 'checking' ? 'checking…' : status === 'ok' ? 'compiled' : `${errors.length} error${errors.length === 1 ? '' : 's'}`}
              </span>
            </div>
            <Editor ref={editor} initialText={start.source} check={check} onEdit={() => setStatus('checking')} />
            <Diagnostics diagnostics={diagnostics} onPick={(d) => editor.current?.reveal(d.from)} />
            {internalError && <p className="notice bad" data-testid="internal-error">internal error: {internalError}</p>}
          </section>
          {model && (
            <ValuesPanel
              model={model}
              values={values}
              dims={sizes}
              evaluation={evaluation}
              evaluatedCompile={evaluated?.compileId}
              onChange={(name, v) => setValues((old) => new Map(old).set(name, v))}
              onDimChange={changeDim}
              onRandomize={randomize}
              dataPicker={picker}
            />
          )}
        </div>
        <div className="right">
          <nav className="tabs" role="tablist">
            {TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                aria-selected={tab === t.id}
                className={tab === t.id ? 'active' : ''}
                onClick={() => setTab(t.id)}
                data-testid={`tab-${t.id}`}
              >
                {t.title}
              </button>
            ))}
          </nav>
          {status === 'errors' && model && <p className="notice stale">Showing the last version that compiled.</p>}
          <div className="tab-body">
            {!model && (status !== 'checking' || internalError !== undefined
              ? <ProgramErrors errors={errors} internalError={internalError} />
              : <p className="muted" data-testid="compiling">Compiling…</p>)}
            {model && tab === 'graph' && <GraphView graph={model.graph} evaluation={graphEvaluation} onHover={onHover} />}
            {model && tab === 'math' && <MathView math={model.math} />}
            {model && tab === 'code' && <CodeView code={model.typescript} />}
            {model && (
              <div hidden={tab !== 'train'}>
                <TrainPanel
                  tensor={model.tensor}
                  dims={dimValues}
                  inputNames={model.inputNames}
                  inputValues={inputValues}
                  datasets={datasets}
                  defaults={hint}
                  batch={batch && {
                    info: batch,
                    rows: rowCount,
                    data,
                    picker,
                    points,
                    preview: preview?.compileId === compiled?.id ? preview?.metrics : undefined,
                  }}
                  state={training}
                  disabled={status !== 'ok'}
                  onTrain={train}
                  onStop={() => client.stop()}
                  onReset={resetTraining}
                />
              </div>
            )}
          </div>
        </div>
      </main>
    </div>
  );
}

/** What the flat layout of a program's values depends on: evaluations of one layout fit any program with it. */
function layoutOf(model: ProgramModel): string {
  return JSON.stringify([model.paramNames, model.paramShapes, model.inputNames, model.inputShapes, model.dimNames]);
}

function appendLosses(t: TrainingState, points: readonly { step: number; loss: number }[]): TrainingState {
  let steps = [...t.steps, ...points.map((p) => p.step)];
  let losses = [...t.losses, ...points.map((p) => p.loss)];
  if (steps.length > MAX_CURVE_POINTS) {
    steps = steps.filter((_, i) => i % 2 === 0 || i === steps.length - 1);
    losses = losses.filter((_, i) => i % 2 === 0 || i === losses.length - 1);
  }
  return { ...t, steps, losses };
}

/** What the right pane shows while no version of the program has compiled yet: why not. */
function ProgramErrors({ errors, internalError }: { errors: EditorDiagnostic[]; internalError: string | undefined }) {
  return (
    <div className="notice bad" data-testid="program-error">
      <p>The program does not compile{errors.length > 0 ? `: ${errors.length} error${errors.length === 1 ? '' : 's'}` : ''}. Fix it in the editor to see its graph, derivatives and code.</p>
      {errors.length > 0 && (
        <ul>
          {errors.slice(0, 10).map((d, i) => <li key={i} data-code={d.code}>{d.line}:{d.column}: error[{d.code}]: {d.message}</li>)}
          {errors.length > 10 && <li>… and {errors.length - 10} more (listed under the editor)</li>}
        </ul>
      )}
      {internalError && <p>internal error: {internalError}</p>}
    </div>
  );
}

function Diagnostics({ diagnostics, onPick }: { diagnostics: EditorDiagnostic[]; onPick: (d: EditorDiagnostic) => void }) {
  if (diagnostics.length === 0) return null;
  return (
    <ul className="diagnostics" data-testid="diagnostics">
      {diagnostics.map((d, i) => (
        <li
          key={i}
          className={d.severity}
          data-testid="diagnostic"
          data-line={d.line}
          data-column={d.column}
          data-severity={d.severity}
          data-code={d.code}
        >
          <button type="button" onClick={() => onPick(d)}>
            {d.line}:{d.column}: {d.severity}: {d.message}
          </button>
        </li>
      ))}
    </ul>
  );
}
