/**
 * Where a batch program's rows come from: random numbers (as many as the
 * dimension's size field says), a bundled dataset whose columns fit, a CSV
 * file uploaded from disk, or one pasted in. Columns as the CLI reads them:
 * `X[0]`, `X[1]`, ..., `y`.
 */
import { useState } from 'react';
import type { BatchData, DataChoice } from '../batch-data.js';
import type { DatasetInfo } from '../examples.js';

interface DataSourceProps {
  /** The dimension the rows count (`n`), and the columns a row has. */
  dim: string;
  columns: readonly string[];
  datasets: readonly DatasetInfo[];
  data: BatchData | undefined;
  loading: boolean;
  error: string | undefined;
  onPick: (choice: DataChoice) => void;
}

const RANDOM = '(random)';
const PASTE = '(paste a CSV)';

export function DataSource({ dim, columns, datasets, data, loading, error, onPick }: DataSourceProps) {
  const [pasting, setPasting] = useState(false);
  const [pasted, setPasted] = useState(`${columns.join(',')}\n`);
  const selected = pasting ? PASTE : data?.choice.kind === 'bundled' ? data.choice.name : data ? data.label : RANDOM;
  const shownColumns = columns.length > 6 ? `${columns.slice(0, 4).join(', ')}, … ${columns[columns.length - 1]}` : columns.join(', ');

  const choose = (value: string) => {
    setPasting(value === PASTE);
    if (value === RANDOM) onPick({ kind: 'random' });
    else if (value !== PASTE && datasets.some((d) => d.name === value)) onPick({ kind: 'bundled', name: value });
  };
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setPasting(false);
    onPick({ kind: 'text', name: `${file.name} (uploaded)`, text: await file.text() });
  };

  return (
    <div className="data-source" data-testid="data-source">
      <label>
        rows of {dim}{' '}
        <select value={selected} onChange={(e) => choose(e.target.value)} data-testid="data-choice">
          <option value={RANDOM}>random numbers</option>
          {datasets.map((d) => <option key={d.name} value={d.name}>{d.name} ({d.rows} rows)</option>)}
          {data?.choice.kind === 'text' && <option value={data.label}>{data.label}</option>}
          <option value={PASTE}>paste a CSV…</option>
        </select>
      </label>
      <label className="upload">
        upload CSV{' '}
        <input type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void upload(e.target.files?.[0])} data-testid="data-upload" />
      </label>
      {pasting && (
        <div className="paste">
          <textarea rows={5} value={pasted} onChange={(e) => setPasted(e.target.value)} aria-label="CSV rows" data-testid="data-paste" spellCheck={false} />
          <button type="button" onClick={() => onPick({ kind: 'text', name: 'pasted CSV', text: pasted })} data-testid="data-paste-use">use these rows</button>
        </div>
      )}
      <span className="muted small" data-testid="data-status" data-rows={data?.train.rows ?? ''} data-test-rows={data?.test?.rows ?? ''}>
        {loading ? 'loading…'
          : data ? `${data.train.rows} rows from ${data.label}${data.test ? `; held out for testing: ${data.test.name} (${data.test.rows} rows)` : ''}`
            : `columns ${shownColumns}`}
      </span>
      {error && <pre className="notice bad" data-testid="data-error">{error}</pre>}
    </div>
  );
}
