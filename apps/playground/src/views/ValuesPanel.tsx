/**
 * A number field and a slider for every scalar param and input; for a
 * tensor, a grid or nested-list field (TensorViews); a size field for each
 * dimension name. The output value, each partial derivative (a table or a
 * heatmap for a tensor param), and whether the three witnesses agree on them.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { concreteShape, elementCount, elementIndex, offsetsOf, typeText } from '../analysis/layout.js';
import type { LeafValue, Values } from '../values.js';
import type { Agreement, Evaluation, ProgramModel } from '../worker/protocol.js';
import { exact, short } from './format.js';
import { TensorEditor, TensorGradient } from './TensorViews.js';

const SLIDER_RANGE = 5;
/** The largest size a dimension name may be given here. */
export const MAX_DIM = 10_000;
/** The witnesses table lists at most this many param elements. */
const WITNESS_ROWS = 64;

interface ValuesPanelProps {
  model: ProgramModel;
  values: Values;
  /** Each dimension name's size. */
  dims: ReadonlyMap<string, number>;
  evaluation: Evaluation | undefined;
  /** The compilation the evaluation was made for (tests wait for it). */
  evaluatedCompile?: number | undefined;
  onChange: (name: string, value: LeafValue) => void;
  onDimChange: (name: string, size: number) => void;
  /** New random params: uniform (a scalar program's, as fit draws them), glorot or he (a tensor program's). */
  onRandomize: (scheme: 'uniform' | 'glorot' | 'he') => void;
  /** Where a batch program's rows come from (bundled datasets, a CSV). */
  dataPicker?: ReactNode;
}

export function ValuesPanel({ model, values, dims, evaluation, evaluatedCompile, onChange, onDimChange, onRandomize, dataPicker }: ValuesPanelProps) {
  const { paramNames, inputNames } = model;
  const paramOffsets = offsetsOf(model.paramShapes, dims).offsets;
  // The gradient shown is the evaluation's, for the sizes it was made with (the page may be a step ahead).
  const evaluatedDims = new Map(model.dimNames.map((d, k) => [d, evaluation?.dims[k] ?? dims.get(d)!]));
  const gradientOffsets = offsetsOf(model.paramShapes, evaluatedDims).offsets;
  const current = evaluation !== undefined && evaluation.error === undefined;

  const row = (name: string, kind: 'param' | 'input', index: number) => {
    const v = values.get(name);
    const x = typeof v === 'number' ? v : 0;
    const grad = kind === 'param' && current ? evaluation.gradient[paramOffsets[index]!] : undefined;
    return (
      <tr key={`${kind}:${name}`} className={kind}>
        <th scope="row" title={kind}>{name}</th>
        <td>
          <NumberField name={name} value={x} onChange={(y) => onChange(name, y)} />
        </td>
        <td>
          <input
            type="range"
            aria-label={`${name} slider`}
            data-testid={`value-slider-${name}`}
            min={-SLIDER_RANGE}
            max={SLIDER_RANGE}
            step={0.01}
            value={Math.max(-SLIDER_RANGE, Math.min(SLIDER_RANGE, x))}
            onChange={(e) => onChange(name, Number(e.target.value))}
          />
        </td>
        <td className="grad">
          {kind === 'param' && grad !== undefined ? (
            <span data-testid={`gradient-${name}`} data-value={exact(grad)} title={exact(grad)}>
              ∂/∂{name} = {short(grad)}
            </span>
          ) : kind === 'input' ? <span className="muted">input</span> : null}
        </td>
      </tr>
    );
  };

  const tensor = (name: string, kind: 'param' | 'input', index: number) => {
    const declared = (kind === 'param' ? model.paramShapes : model.inputShapes)[index]!;
    const shape = concreteShape(declared, dims);
    const v = values.get(name);
    const elements = typeof v === 'number' || v === undefined ? new Array<number>(elementCount(shape)).fill(0) : v;
    let gradient: number[] | undefined;
    if (kind === 'param' && current) {
      const start = gradientOffsets[index]!;
      gradient = evaluation.gradient.slice(start, start + elementCount(concreteShape(declared, evaluatedDims)));
    }
    return (
      <div key={`${kind}:${name}`} className={`tensor-leaf ${kind}`} data-testid={`tensor-${name}`}>
        <div className="tensor-head">
          <strong>{name}</strong> <span className="muted">{kind} {typeText(declared)}{declared.some((d) => typeof d === 'string') ? ` = ${typeText(shape)}` : ''}</span>
        </div>
        <div className="tensor-body">
          <TensorEditor name={name} shape={shape} values={elements} onChange={(e) => onChange(name, e)} />
          {gradient && (
            <div className="tensor-gradient">
              <span className="grad-title">∂/∂{name}</span>
              <TensorGradient name={name} shape={concreteShape(declared, evaluatedDims)} values={gradient} />
            </div>
          )}
        </div>
      </div>
    );
  };

  const isScalar = (kind: 'param' | 'input', i: number) => (kind === 'param' ? model.paramShapes : model.inputShapes)[i]!.length === 0;
  const leaves = [
    ...paramNames.map((n, i) => ({ name: n, kind: 'param' as const, i })),
    ...inputNames.map((n, i) => ({ name: n, kind: 'input' as const, i })),
  ];
  const scalars = leaves.filter((l) => isScalar(l.kind, l.i));
  const tensors = leaves.filter((l) => !isScalar(l.kind, l.i));

  return (
    <section
      className="panel values"
      aria-label="values"
      data-testid="values"
      data-evaluated-point={evaluation ? JSON.stringify([evaluation.params, evaluation.inputs]) : undefined}
      data-evaluated-dims={evaluation ? JSON.stringify(evaluation.dims) : undefined}
      data-evaluated-compile={evaluation ? evaluatedCompile : undefined}
    >
      <div className="panel-head">
        <h2>Values</h2>
        {paramNames.length > 0 && !model.tensor && (
          <button type="button" onClick={() => onRandomize('uniform')} title="new random params, drawn as training draws them">randomize params</button>
        )}
        {paramNames.length > 0 && model.tensor && (
          <span className="randomise">
            randomise params{' '}
            <button type="button" onClick={() => onRandomize('glorot')} data-testid="randomise-glorot"
              title="uniform on ±sqrt(6 / (fan-in + fan-out)) for every param">glorot</button>
            <button type="button" onClick={() => onRandomize('he')} data-testid="randomise-he"
              title="normal with deviation sqrt(2 / fan-in) for every param">he</button>
          </span>
        )}
      </div>
      {model.dimNames.length > 0 && (
        <div className="dims">
          {model.dimNames.map((d) => (
            <label key={d} title="a dimension name: its size is given with the data">
              size of <code>{d}</code>{' '}
              <DimField name={d} value={dims.get(d)!} onChange={(size) => onDimChange(d, size)} />
            </label>
          ))}
          <span className="muted small">inputs of a new size get new random data</span>
        </div>
      )}
      {dataPicker}
      {scalars.length > 0 && (
        <table>
          <tbody>
            {scalars.map((l) => row(l.name, l.kind, l.i))}
          </tbody>
        </table>
      )}
      {tensors.map((l) => tensor(l.name, l.kind, l.i))}
      <div className="output">
        value ={' '}
        {evaluation && evaluation.error === undefined ? (
          <strong data-testid="output-value" data-value={exact(evaluation.value)} title={exact(evaluation.value)}>
            {short(evaluation.value, 8)}
          </strong>
        ) : <span className="muted">…</span>}
      </div>
      {evaluation?.error !== undefined && (
        <p className="notice bad" data-testid="evaluation-error">The generated code could not evaluate these values: {evaluation.error}</p>
      )}
      {current && (
        <AgreementBadge agreement={evaluation.agreement} model={model} dims={evaluatedDims} gradient={evaluation.gradient} />
      )}
    </section>
  );
}

/** A dimension name's size: an integer from 1 to MAX_DIM, committed when the text is one. */
function DimField({ name, value, onChange }: { name: string; value: number; onChange: (size: number) => void }) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText((t) => (Number(t) === value ? t : String(value))), [value]);
  const v = Number(text);
  const valid = Number.isInteger(v) && v >= 1 && v <= MAX_DIM;
  return (
    <input
      type="number"
      min={1}
      max={MAX_DIM}
      step={1}
      className={`dim${valid ? '' : ' invalid'}`}
      aria-label={`size of ${name}`}
      data-testid={`dim-size-${name}`}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const size = Number(e.target.value);
        if (Number.isInteger(size) && size >= 1 && size <= MAX_DIM) onChange(size);
      }}
    />
  );
}

/**
 * Keeps its own text, so a half-typed number (`-`, `1e`) stays on screen; the
 * value is committed whenever the text parses, and the text follows the value
 * when something else (the slider, training) changes it.
 */
function NumberField({ name, value, onChange }: { name: string; value: number; onChange: (v: number) => void }) {
  const [text, setText] = useState(exact(value));
  useEffect(() => {
    setText((t) => (Number(t) === value && t.trim() !== '' ? t : exact(value)));
  }, [value]);
  return (
    <input
      type="number"
      step="any"
      aria-label={name}
      title={exact(value)}
      data-testid={`value-input-${name}`}
      data-value={exact(value)}
      // Wide enough for every digit (a trained param has 17): none is cut off.
      style={{ width: `calc(${Math.max(8, text.length + 1)}ch + 28px)` }}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const v = Number(e.target.value);
        if (e.target.value.trim() !== '' && Number.isFinite(v)) onChange(v);
      }}
    />
  );
}

function AgreementBadge({ agreement, model, dims, gradient }: {
  agreement: Agreement | { error: string };
  model: ProgramModel;
  dims: ReadonlyMap<string, number>;
  gradient: readonly number[];
}) {
  if ('error' in agreement) {
    return <div className="badge bad" data-testid="agreement-badge" data-ok="false">check failed: {agreement.error}</div>;
  }
  const { ok, engineError, finiteDifferenceError, tolerance } = agreement;
  // One row per param element: `W[0, 1]` for a tensor's.
  const labels: string[] = [];
  model.paramNames.forEach((name, i) => {
    const shape = concreteShape(model.paramShapes[i]!, dims);
    if (shape.length === 0) labels.push(name);
    else for (let k = 0; k < elementCount(shape); k++) labels.push(`${name}[${elementIndex(k, shape).join(', ')}]`);
  });
  const shown = labels.slice(0, WITNESS_ROWS);
  return (
    <details className="agreement">
      <summary>
        <span className={`badge ${ok ? 'good' : 'bad'}`} data-testid="agreement-badge" data-ok={String(ok)}>
          {ok ? '✓ compiled = tape = finite differences' : '✗ the gradients disagree'}
        </span>
      </summary>
      <p className="muted">
        Compiled code vs tape engine: largest relative error {engineError.toExponential(1)} (allowed {tolerance.engines}).
        Against central finite differences: {finiteDifferenceError.toExponential(1)} (allowed {tolerance.finiteDifferences}).
      </p>
      <table className="witnesses">
        <thead>
          <tr><th>param</th><th>compiled</th><th>tape</th><th>finite differences</th></tr>
        </thead>
        <tbody>
          {shown.map((label, i) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{exact(gradient[i]!)}</td>
              <td>{exact(agreement.tape[i]!)}</td>
              <td>{Number.isNaN(agreement.finiteDifference[i]!) && !Number.isNaN(gradient[i]!) ? '(not sampled)' : exact(agreement.finiteDifference[i]!)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {labels.length > shown.length && <p className="muted small">… and {labels.length - shown.length} more elements</p>}
    </details>
  );
}
