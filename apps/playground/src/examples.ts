/**
 * The bundled examples and datasets: the repository's examples/*.txt
 * (inlined at build time, vite `?raw`) and examples/data/*.csv (their
 * headers known at build time, the large files fetched when chosen; see
 * build/datasets-plugin.ts), so the menu shows the programs the CLI
 * documentation uses.
 */
import files from 'virtual:datasets';

const programs = import.meta.glob<string>('../../../examples/*.txt', { query: '?raw', import: 'default', eager: true });

const baseName = (path: string) => path.replace(/^.*\//, '').replace(/\.[^.]*$/, '');

/** Menu titles and order for the examples the issue names; others follow by file name. */
const TITLES: Record<string, string> = {
  neuron: 'micrograd neuron',
  rosenbrock: 'Rosenbrock',
  logistic: 'logistic regression',
  xor: 'XOR network',
  softmax: 'softmax regression (tensors)',
  moons: 'two-moons MLP (tensors)',
  digits: 'handwritten digits MLP (tensors)',
  cancer: 'breast cancer, logistic (tensors)',
  attention: 'attention head (tensors)',
};

export interface Example {
  /** The file's base name; its dataset, if any, is examples/data/ID.csv. */
  id: string;
  title: string;
  source: string;
}

export const EXAMPLES: readonly Example[] = Object.entries(programs)
  .map(([path, source]): Example => {
    const id = baseName(path);
    return { id, title: TITLES[id] ?? id, source };
  })
  .sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));

function rank(id: string): number {
  const i = Object.keys(TITLES).indexOf(id);
  return i < 0 ? Infinity : i;
}

/** A bundled CSV file: its columns and row count (its text is loaded with `datasetText`). */
export interface DatasetInfo {
  name: string;
  columns: readonly string[];
  rows: number;
}

export const DATASETS: readonly DatasetInfo[] = files.map(({ name, columns, rows }) => ({ name, columns, rows }));

const loaded = new Map<string, Promise<string>>();

/** A bundled dataset's text: inlined, or fetched once (the large ones). */
export function datasetText(name: string): Promise<string> {
  const file = files.find((f) => f.name === name);
  if (!file) return Promise.reject(new Error(`no bundled dataset ${name}`));
  if (file.text !== undefined) return Promise.resolve(file.text);
  let text = loaded.get(name);
  if (!text) {
    text = fetch(new URL(file.url!, document.baseURI)).then((r) => {
      if (!r.ok) throw new Error(`could not load ${name}: HTTP ${r.status}`);
      return r.text();
    });
    text.catch(() => loaded.delete(name));
    loaded.set(name, text);
  }
  return text;
}

/** The held-out file that goes with a training file: `digits-test.csv` for `digits-train.csv`. */
export function testSetOf(name: string): DatasetInfo | undefined {
  if (!name.endsWith('-train.csv')) return undefined;
  const test = name.replace(/-train\.csv$/, '-test.csv');
  return DATASETS.find((d) => d.name === test);
}

/** Training hints from a `# target: mean loss < X with \`autodiff fit ... --lr R\`` comment. */
export interface TrainingHint {
  target?: number;
  learningRate?: number;
  steps?: number;
  optimizer?: string;
  batch?: number;
}

export function trainingHint(source: string): TrainingHint {
  const line = /^#\s*target:(.*)$/m.exec(source)?.[1];
  if (line === undefined) return {};
  const flag = (name: string) => new RegExp(`--${name}[ =]([^\\s\`]+)`).exec(line)?.[1];
  const target = /loss\s*<\s*([-+0-9.eE]+)/.exec(line)?.[1];
  const lr = flag('lr');
  const steps = flag('steps');
  const optimizer = flag('optimizer');
  const batch = flag('batch');
  return {
    ...(batch !== undefined ? { batch: Number(batch) } : {}),
    ...(target !== undefined ? { target: Number(target) } : {}),
    ...(lr !== undefined ? { learningRate: Number(lr) } : {}),
    ...(steps !== undefined ? { steps: Number(steps) } : {}),
    ...(optimizer !== undefined ? { optimizer } : {}),
  };
}

/** Whether a header names exactly these columns (in any order). */
export function columnsFit(header: readonly string[], columns: readonly string[]): boolean {
  const have = header.map((c) => c.trim()).sort();
  const want = [...columns].sort();
  return have.length === want.length && have.every((c, i) => c === want[i]);
}

/**
 * The bundled datasets whose columns are exactly these (the inputs, or a tensor program's `X[0]`... columns),
 * the example's own (`ID.csv` or `ID-train.csv`) first; held-out files (`*-test.csv`) are not offered on their own.
 */
export function datasetsFor(columns: readonly string[], preferred?: string): DatasetInfo[] {
  if (columns.length === 0) return [];
  const usable = DATASETS.filter((d) => columnsFit(d.columns, columns) && !DATASETS.some((t) => testSetOf(t.name) === d));
  const own = (d: DatasetInfo) => d.name === `${preferred}.csv` || d.name === `${preferred}-train.csv`;
  return [...usable.filter(own), ...usable.filter((d) => !own(d))];
}

/** The first data row of a small (inlined) bundled dataset, by column name (for starting values of the inputs). */
export function firstRow(name: string): Map<string, number> {
  const text = files.find((f) => f.name === name)?.text ?? '';
  const [header, row] = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const values = new Map<string, number>();
  if (header === undefined || row === undefined) return values;
  const cells = row.split(',');
  header.split(',').forEach((column, i) => {
    const v = Number(cells[i]);
    if (Number.isFinite(v)) values.set(column.trim(), v);
  });
  return values;
}

/** Starting values for a scalar program's inputs: the first row of its dataset (the example's own first). */
export function startingRow(inputNames: readonly string[], tensor: boolean, exampleId?: string): Map<string, number> {
  const dataset = tensor ? undefined : datasetsFor(inputNames, exampleId)[0];
  return dataset ? firstRow(dataset.name) : new Map();
}
