/**
 * The playground page: the editor and values on the left, the views of the
 * compiled program (graph, derivatives, code, training) on the right. All
 * compiling and number crunching happens in the compile worker.
 */
import type { Span } from '@autodiff/parser';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Editor, type EditorHandle } from './editor/Editor.js';
import { datasetsFor, EXAMPLES, firstRow, trainingHint, type Example } from './examples.js';
import { hashFor, programFromHash } from './share.js';
import { CodeView } from './views/CodeView.js';
import { GraphView } from './views/GraphView.js';
import { MathView } from './views/MathView.js';
import { IDLE, TrainPanel, type TrainingState, type TrainRequest } from './views/TrainPanel.js';
import { ValuesPanel } from './views/ValuesPanel.js';
import { WorkerClient, type CompiledReply } from './worker-client.js';
import type { EditorDiagnostic, Evaluation, ProgramModel } from './worker/protocol.js';

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

/**
 * Values for names that have none yet: params as `autodiff fit` would
 * initialise them (its default distribution and seed), inputs from the first
 * row of the program's dataset, or 1.
 */
function withDefaults(values: ReadonlyMap<string, number>, model: ProgramModel, exampleId?: string): Map<string, number> {
  const next = new Map(values);
  model.paramNames.forEach((name, i) => { if (!next.has(name)) next.set(name, model.initialParams[i]!); });
  const dataset = datasetsFor(model.inputNames, exampleId)[0];
  const row = dataset ? firstRow(dataset.text) : new Map<string, number>();
  for (const name of model.inputNames) if (!next.has(name)) next.set(name, row.get(name) ?? 1);
  return next;
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
  const [values, setValues] = useState<Map<string, number>>(new Map());
  const [evaluation, setEvaluation] = useState<Evaluation | undefined>();
  const [tab, setTab] = useState<Tab>('graph');
  const [training, setTraining] = useState<TrainingState>(IDLE);
  const [shareNote, setShareNote] = useState<string | undefined>();
  const [source, setSource] = useState(start.source);

  // Mutable state read by worker callbacks (which outlive renders).
  const live = useRef({ compiledId: 0, lastReply: 0, exampleId: start.example?.id });
  const run = useRef<{ id: number; before: Map<string, number> } | undefined>(undefined);

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
        setValues((v) => withDefaults(v, model, live.current.exampleId));
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
        if (reply.compileId === live.current.compiledId) setEvaluation(reply.evaluation);
        return;
      case 'progress':
        if (reply.id !== current?.id) return;
        setTraining((t) => appendLosses(t, reply.losses));
        setParams(reply.params);
        return;
      case 'trained':
        if (reply.id !== current?.id) return;
        setTraining((t) => ({ ...t, status: reply.reason, finalLoss: reply.loss }));
        setParams(reply.params);
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
    setValues((v) => {
      const next = new Map(v);
      const names = compiledRef.current?.model.paramNames ?? [];
      names.forEach((name, i) => next.set(name, params[i]!));
      return next;
    });
  };
  const compiledRef = useRef(compiled);
  compiledRef.current = compiled;

  const model = compiled?.model;
  const paramValues = useMemo(() => model?.paramNames.map((n) => values.get(n) ?? 0) ?? [], [model, values]);
  const inputValues = useMemo(() => model?.inputNames.map((n) => values.get(n) ?? 0) ?? [], [model, values]);

  useEffect(() => {
    if (compiled) client.evaluate({ compileId: compiled.id, params: paramValues, inputs: inputValues });
  }, [client, compiled, paramValues, inputValues]);

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

  const randomize = () => {
    if (!model) return;
    setValues((v) => {
      const next = new Map(v);
      for (const name of model.paramNames) next.set(name, model.initScale * (2 * Math.random() - 1));
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
              paramNames={model.paramNames}
              inputNames={model.inputNames}
              values={values}
              evaluation={evaluation}
              onChange={(name, v) => setValues((old) => new Map(old).set(name, v))}
              onRandomize={randomize}
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
            {!model && <p className="muted">Compiling…</p>}
            {model && tab === 'graph' && <GraphView graph={model.graph} evaluation={evaluation} onHover={onHover} />}
            {model && tab === 'math' && <MathView math={model.math} />}
            {model && tab === 'code' && <CodeView code={model.typescript} />}
            {model && (
              <div hidden={tab !== 'train'}>
                <TrainPanel
                  inputNames={model.inputNames}
                  inputValues={inputValues}
                  datasets={datasets}
                  defaults={hint}
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

function appendLosses(t: TrainingState, points: readonly { step: number; loss: number }[]): TrainingState {
  let steps = [...t.steps, ...points.map((p) => p.step)];
  let losses = [...t.losses, ...points.map((p) => p.loss)];
  if (steps.length > MAX_CURVE_POINTS) {
    steps = steps.filter((_, i) => i % 2 === 0 || i === steps.length - 1);
    losses = losses.filter((_, i) => i % 2 === 0 || i === losses.length - 1);
  }
  return { ...t, steps, losses };
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
