/**
 * A number field and a slider for every param and input, the output value,
 * each partial derivative, and whether the three witnesses agree on them.
 */
import { useEffect, useState } from 'react';
import type { Agreement, Evaluation } from '../worker/protocol.js';
import { exact, short } from './format.js';

const SLIDER_RANGE = 5;

interface ValuesPanelProps {
  paramNames: readonly string[];
  inputNames: readonly string[];
  values: ReadonlyMap<string, number>;
  evaluation: Evaluation | undefined;
  onChange: (name: string, value: number) => void;
  onRandomize: () => void;
}

export function ValuesPanel({ paramNames, inputNames, values, evaluation, onChange, onRandomize }: ValuesPanelProps) {
  const row = (name: string, kind: 'param' | 'input', index: number) => {
    const v = values.get(name) ?? 0;
    const grad = kind === 'param' ? evaluation?.gradient[index] : undefined;
    return (
      <tr key={`${kind}:${name}`} className={kind}>
        <th scope="row" title={kind}>{name}</th>
        <td>
          <NumberField name={name} value={v} onChange={(x) => onChange(name, x)} />
        </td>
        <td>
          <input
            type="range"
            aria-label={`${name} slider`}
            data-testid={`value-slider-${name}`}
            min={-SLIDER_RANGE}
            max={SLIDER_RANGE}
            step={0.01}
            value={Math.max(-SLIDER_RANGE, Math.min(SLIDER_RANGE, v))}
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

  return (
    <section
      className="panel values"
      aria-label="values"
      data-testid="values"
      data-evaluated-point={evaluation ? JSON.stringify([evaluation.params, evaluation.inputs]) : undefined}
    >
      <div className="panel-head">
        <h2>Values</h2>
        {paramNames.length > 0 && (
          <button type="button" onClick={onRandomize} title="new random params, drawn as training draws them">randomize params</button>
        )}
      </div>
      <table>
        <tbody>
          {paramNames.map((n, i) => row(n, 'param', i))}
          {inputNames.map((n, i) => row(n, 'input', i))}
        </tbody>
      </table>
      <div className="output">
        value ={' '}
        {evaluation ? (
          <strong data-testid="output-value" data-value={exact(evaluation.value)} title={exact(evaluation.value)}>
            {short(evaluation.value, 8)}
          </strong>
        ) : <span className="muted">…</span>}
      </div>
      {evaluation && <AgreementBadge agreement={evaluation.agreement} paramNames={paramNames} gradient={evaluation.gradient} />}
    </section>
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
      data-testid={`value-input-${name}`}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const v = Number(e.target.value);
        if (e.target.value.trim() !== '' && Number.isFinite(v)) onChange(v);
      }}
    />
  );
}

function AgreementBadge({ agreement, paramNames, gradient }: {
  agreement: Agreement | { error: string };
  paramNames: readonly string[];
  gradient: readonly number[];
}) {
  if ('error' in agreement) {
    return <div className="badge bad" data-testid="agreement-badge" data-ok="false">check failed: {agreement.error}</div>;
  }
  const { ok, engineError, finiteDifferenceError, tolerance } = agreement;
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
          {paramNames.map((name, i) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{exact(gradient[i]!)}</td>
              <td>{exact(agreement.tape[i]!)}</td>
              <td>{exact(agreement.finiteDifference[i]!)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
