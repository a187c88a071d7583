/**
 * Small views of tensors under Values: an editable grid (or a nested-list
 * text field) for a param's or input's elements, and a param's gradient as
 * a table (up to TABLE_LIMIT elements) or a heatmap with its min and max.
 */
import { useEffect, useRef, useState, type MouseEvent } from 'react';
import { elementCount, elementIndex, nestedListText, parseNestedList } from '../analysis/layout.js';
import { exact, short } from './format.js';

/** Tensors up to this many elements (and rank 2) are edited in a grid and their gradients shown as a table. */
export const TABLE_LIMIT = 64;
/** Larger tensors are not offered as text (a few hundred kilobytes of numbers in a text field help nobody). */
const TEXT_LIMIT = 20_000;
/** A heatmap draws at most this many rows (the min and max are over every element). */
const HEATMAP_ROWS = 256;

/** Rows and columns for showing a shape flat: the last axis across, everything before it down. */
function grid(shape: readonly number[]): { rows: number; columns: number } {
  const columns = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  return { rows: columns === 0 ? 0 : elementCount(shape) / columns, columns };
}

const indexText = (name: string, flat: number, shape: readonly number[]) => `${name}[${elementIndex(flat, shape).join(', ')}]`;

interface TensorEditorProps {
  name: string;
  shape: readonly number[];
  values: readonly number[];
  onChange: (values: number[]) => void;
}

/** A grid of number fields for a small tensor of rank 1 or 2; a text field taking a nested list for the rest. */
export function TensorEditor({ name, shape, values, onChange }: TensorEditorProps) {
  if (shape.length <= 2 && values.length <= TABLE_LIMIT) {
    const { rows, columns } = grid(shape);
    return (
      <div className="tensor-scroll">
      <table className="tensor-grid" data-testid={`value-grid-${name}`}>
        <tbody>
          {Array.from({ length: rows }, (_, r) => (
            <tr key={r}>
              {Array.from({ length: columns }, (_, c) => {
                const i = r * columns + c;
                return (
                  <td key={c}>
                    <CellField
                      label={indexText(name, i, shape)}
                      testId={`value-cell-${name}-${i}`}
                      value={values[i]!}
                      onChange={(v) => onChange(values.map((old, k) => (k === i ? v : old)))}
                    />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    );
  }
  // A larger tensor is a heatmap; its elements can still be edited as a nested list (when that is a reasonable size).
  return (
    <div className="tensor-large">
      <Heatmap name={name} testId={`value-heatmap-${name}`} prefix="" shape={shape} values={values} />
      {values.length > TEXT_LIMIT ? (
        <p className="muted small" data-testid={`value-text-${name}`}>{values.length.toLocaleString('en-US')} elements: too many to edit as text.</p>
      ) : (
        <details className="tensor-edit">
          <summary data-testid={`value-edit-${name}`}>edit as a nested list</summary>
          <ListField name={name} shape={shape} values={values} onChange={onChange} />
        </details>
      )}
    </div>
  );
}

/**
 * One element's field: shows the number short (six digits; the exact one in its tooltip); while typing,
 * it keeps its own text (`-`, `1e`) and commits whenever the text is a number, as the scalar fields do.
 */
function CellField({ label, testId, value, onChange }: { label: string; testId: string; value: number; onChange: (v: number) => void }) {
  const [editing, setEditing] = useState<string | undefined>();
  useEffect(() => {
    setEditing((t) => (t === undefined || (Number(t) === value && t.trim() !== '') ? t : exact(value)));
  }, [value]);
  return (
    <input
      type="text"
      inputMode="decimal"
      className="cell"
      aria-label={label}
      title={`${label} = ${exact(value)}`}
      data-testid={testId}
      data-value={exact(value)}
      // As wide as its text, so a long number (−1.23457e-5) is not cut off.
      style={{ width: `calc(${Math.max(6, (editing ?? short(value, 6)).length + 1)}ch + 8px)` }}
      value={editing ?? short(value, 6)}
      onBlur={() => setEditing(undefined)}
      onChange={(e) => {
        setEditing(e.target.value);
        const v = Number(e.target.value);
        if (e.target.value.trim() !== '' && !Number.isNaN(v)) onChange(v);
      }}
    />
  );
}

/** A nested list (`[[1, 2], [3, 4]]`); the values change whenever the text is a list of the right shape. */
function ListField({ name, shape, values, onChange }: TensorEditorProps) {
  const [text, setText] = useState(() => nestedListText(values, shape));
  const [problem, setProblem] = useState<string | undefined>();
  // The values this text last gave: other changes (a new size, training) replace the text.
  const committed = useRef<readonly number[]>(values);
  useEffect(() => {
    if (committed.current === values) return;
    committed.current = values;
    setText(nestedListText(values, shape));
    setProblem(undefined);
  }, [values, shape]);
  return (
    <div className="tensor-text">
      <textarea
        rows={Math.min(8, Math.max(2, shape.length >= 2 ? shape[0]! : 2))}
        spellCheck={false}
        aria-label={`${name} as a nested list`}
        data-testid={`value-text-${name}`}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const parsed = parseNestedList(e.target.value, shape);
          if ('error' in parsed) {
            setProblem(parsed.error);
            return;
          }
          setProblem(undefined);
          committed.current = parsed.values;
          onChange(parsed.values);
        }}
      />
      {problem && <span className="field-problem" data-testid={`value-problem-${name}`}>{problem}</span>}
    </div>
  );
}

/** A param's gradient: a table of every element when small, else a heatmap (red positive, blue negative) with min and max. */
export function TensorGradient({ name, shape, values }: { name: string; shape: readonly number[]; values: readonly number[] }) {
  if (values.length <= TABLE_LIMIT) {
    const { rows, columns } = grid(shape);
    return (
      <div className="tensor-scroll">
      <table className="tensor-grad" data-testid={`gradient-${name}`} data-kind="table" aria-label={`gradient of ${name}`}>
        <tbody>
          {Array.from({ length: rows }, (_, r) => (
            <tr key={r}>
              {Array.from({ length: columns }, (_, c) => {
                const i = r * columns + c;
                const v = values[i]!;
                return (
                  <td key={c} data-index={i} data-value={exact(v)} title={`∂/∂${indexText(name, i, shape)} = ${exact(v)}`}>
                    {short(v, 4)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    );
  }
  return <Heatmap name={name} testId={`gradient-${name}`} prefix="∂/∂" shape={shape} values={values} />;
}

/** A tensor's elements as colours (last axis across), with min, max and the element under the pointer. */
function Heatmap({ name, testId, prefix, shape, values }: {
  name: string; testId: string; prefix: string; shape: readonly number[]; values: readonly number[];
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<number | undefined>();
  const { rows: allRows, columns } = grid(shape);
  const rows = Math.min(allRows, HEATMAP_ROWS);
  const cell = Math.max(2, Math.min(14, Math.floor(280 / Math.max(columns, 1))));
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) nonFinite++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const reach = Math.max(Math.abs(min), Math.abs(max));

  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const v = values[r * columns + c]!;
        context.fillStyle = colour(v, reach);
        context.fillRect(c * cell, r * cell, cell, cell);
      }
    }
  }, [values, rows, columns, cell, reach]);

  const pick = (e: MouseEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const c = Math.floor((e.clientX - box.left) / cell);
    const r = Math.floor((e.clientY - box.top) / cell);
    setHover(r >= 0 && r < rows && c >= 0 && c < columns ? r * columns + c : undefined);
  };
  return (
    <div
      className="heatmap"
      data-testid={testId}
      data-kind="heatmap"
      data-min={exact(min)}
      data-max={exact(max)}
      aria-label={prefix ? `gradient of ${name}` : `values of ${name}`}
    >
      <canvas ref={canvas} width={columns * cell} height={rows * cell} onMouseMove={pick} onMouseLeave={() => setHover(undefined)} />
      <div className="heatmap-legend">
        <span>min <strong title={exact(min)}>{short(min, 4)}</strong></span>
        <span className="heatmap-scale" />
        <span>max <strong title={exact(max)}>{short(max, 4)}</strong></span>
        {nonFinite > 0 && <span className="bad-text">{nonFinite} not finite (grey)</span>}
        {allRows > rows && <span className="muted">first {rows} of {allRows} rows</span>}
      </div>
      <div className="muted small heatmap-hover">
        {hover !== undefined ? `${prefix}${indexText(name, hover, shape)} = ${short(values[hover], 6)}` : `${values.length} elements; hover for one`}
      </div>
    </div>
  );
}

/** Blue (negative) through white (0) to red (positive), relative to the largest magnitude; grey for NaN and infinities. */
function colour(v: number, reach: number): string {
  if (!Number.isFinite(v)) return '#9aa1ac';
  const t = reach > 0 ? Math.min(1, Math.abs(v) / reach) : 0;
  const fade = (full: number) => Math.round(255 + (full - 255) * t);
  return v >= 0 ? `rgb(${fade(200)}, ${fade(40)}, ${fade(40)})` : `rgb(${fade(31)}, ${fade(95)}, ${fade(191)})`;
}
