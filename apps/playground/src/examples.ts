/**
 * The bundled examples and datasets: the repository's examples/*.txt and
 * examples/data/*.csv, inlined at build time (vite `?raw`), so the menu
 * always shows the same programs the CLI documentation uses.
 */
const programs = import.meta.glob<string>('../../../examples/*.txt', { query: '?raw', import: 'default', eager: true });
const datasets = import.meta.glob<string>('../../../examples/data/*.csv', { query: '?raw', import: 'default', eager: true });

const baseName = (path: string) => path.replace(/^.*\//, '').replace(/\.[^.]*$/, '');

/** Menu titles and order for the examples the issue names; others follow by file name. */
const TITLES: Record<string, string> = {
  neuron: 'micrograd neuron',
  rosenbrock: 'Rosenbrock',
  logistic: 'logistic regression',
  xor: 'XOR network',
  softmax: 'softmax regression (tensors)',
  moons: 'two-moons MLP (tensors)',
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

export const DATASETS: readonly { name: string; text: string }[] = Object.entries(datasets)
  .map(([path, text]) => ({ name: `${baseName(path)}.csv`, text }))
  .sort((a, b) => a.name.localeCompare(b.name));

/** Training hints from a `# target: mean loss < X with \`autodiff fit ... --lr R\`` comment. */
export interface TrainingHint {
  target?: number;
  learningRate?: number;
  steps?: number;
  optimizer?: string;
}

export function trainingHint(source: string): TrainingHint {
  const line = /^#\s*target:(.*)$/m.exec(source)?.[1];
  if (line === undefined) return {};
  const flag = (name: string) => new RegExp(`--${name}[ =]([^\\s\`]+)`).exec(line)?.[1];
  const target = /loss\s*<\s*([-+0-9.eE]+)/.exec(line)?.[1];
  const lr = flag('lr');
  const steps = flag('steps');
  const optimizer = flag('optimizer');
  return {
    ...(target !== undefined ? { target: Number(target) } : {}),
    ...(lr !== undefined ? { learningRate: Number(lr) } : {}),
    ...(steps !== undefined ? { steps: Number(steps) } : {}),
    ...(optimizer !== undefined ? { optimizer } : {}),
  };
}

/** Whether a CSV's header names exactly these inputs (in any order). */
export function csvFits(text: string, inputs: readonly string[]): boolean {
  const header = text.split(/\r?\n/, 1)[0]!.split(',').map((c) => c.trim()).sort();
  const want = [...inputs].sort();
  return header.length === want.length && header.every((c, i) => c === want[i]);
}

/** The bundled datasets whose columns are exactly these inputs; the one named `preferred` first. */
export function datasetsFor(inputs: readonly string[], preferred?: string): { name: string; text: string }[] {
  if (inputs.length === 0) return [];
  const usable = DATASETS.filter((d) => csvFits(d.text, inputs));
  return [...usable.filter((d) => d.name === `${preferred}.csv`), ...usable.filter((d) => d.name !== `${preferred}.csv`)];
}

/** The first data row of a CSV, by column name (for starting values of the inputs). */
export function firstRow(text: string): Map<string, number> {
  const [header, row] = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const values = new Map<string, number>();
  if (header === undefined || row === undefined) return values;
  const cells = row.split(',');
  header.split(',').forEach((name, i) => {
    const v = Number(cells[i]);
    if (Number.isFinite(v)) values.set(name.trim(), v);
  });
  return values;
}
