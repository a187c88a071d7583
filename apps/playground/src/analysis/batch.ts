/**
 * Batch programs (as `autodiff fit` reads them): every input's first
 * dimension is the one dimension name, so a data row is one element along it
 * and a CSV has one column per element of a row (`X[0]`, `X[1]`, `y`). When
 * such a program also has a per-row prediction and a label input, training
 * can report an accuracy: `sign(score)` against labels in {-1, 1} (or 0/1),
 * or the largest of k class scores against labels that `onehot(y, k)` reads.
 */
import { labelInputs, type CheckedProgram } from '@autodiff/parser';

export interface ClassifierTask {
  /** The binding whose value is the prediction per row (`score` [n], `logits` [n, k]). */
  binding: string;
  /** The input holding each row's label. */
  label: string;
  /** The input holding each row's features, and a row's shape (`[2]`: a plane to draw the boundary on; `[64]`: 8x8 images). */
  features: string;
  featureShape: number[];
  /** 'sign': one score per row, its sign the class; 'argmax': one score per class. */
  kind: 'sign' | 'argmax';
  classes: number;
}

export interface BatchInfo {
  /** The dimension name that counts rows. */
  dim: string;
  /** Per input, in input order: its elements per row. */
  rowSizes: number[];
  /** The CSV columns a row reads, every input's in input order. */
  columns: string[];
  task?: ClassifierTask;
}

/** The columns one input reads per row: `x` for a scalar, `x[0]`... for [k], `x[0,0]`... for [a, b] (as the CLI names them). */
export function columnsOf(name: string, rowShape: readonly number[]): string[] {
  if (rowShape.length === 0) return [name];
  const out: string[] = [];
  const count = rowShape.reduce((a, b) => a * b, 1);
  for (let f = 0; f < count; f++) {
    const index: number[] = [];
    let rest = f;
    for (let k = rowShape.length - 1; k >= 0; k--) {
      index.unshift(rest % rowShape[k]!);
      rest = Math.floor(rest / rowShape[k]!);
    }
    out.push(`${name}[${index.join(',')}]`);
  }
  return out;
}

export function batchInfoOf(checked: CheckedProgram): BatchInfo | undefined {
  if (checked.dimNames.length !== 1 || checked.inputs.length === 0) return undefined;
  const dim = checked.dimNames[0]!;
  const rows = checked.inputs.map((x) => x.shape.slice(1));
  if (!checked.inputs.every((x) => x.shape[0] === dim) || rows.some((s) => s.some((d) => typeof d !== 'number'))) return undefined;
  const rowShapes = rows as number[][];
  const info: BatchInfo = {
    dim,
    rowSizes: rowShapes.map((s) => s.reduce((a, b) => a * b, 1)),
    columns: checked.inputs.flatMap((x, i) => columnsOf(x.name, rowShapes[i]!)),
  };
  const task = taskOf(checked, rowShapes, dim);
  return task ? { ...info, task } : info;
}

function taskOf(checked: CheckedProgram, rowShapes: number[][], dim: string): ClassifierTask | undefined {
  const onehot = labelInputs(checked);
  const scalars = checked.inputs.filter((_, i) => rowShapes[i]!.length === 0).map((x) => x.name);
  const label = scalars.find((n) => onehot.has(n)) ?? scalars[scalars.length - 1];
  const featureIndex = checked.inputs.findIndex((x, i) => x.name !== label && rowShapes[i]!.length === 1);
  if (label === undefined || featureIndex < 0) return undefined;
  const classes = onehot.get(label);
  // The last binding (before the output) that is one score per row, or one per class per row.
  const shapeOf = (name: string) => checked.shapes.get(checked.bindings.get(name)!) ?? [];
  const want = (s: readonly (number | string)[]) =>
    classes === undefined ? s.length === 1 && s[0] === dim : s.length === 2 && s[0] === dim && s[1] === classes;
  const names = [...checked.bindings.keys()].filter((n) => checked.bindings.get(n) !== checked.output && want(shapeOf(n)));
  const binding = names[names.length - 1];
  if (binding === undefined) return undefined;
  return {
    binding,
    label,
    features: checked.inputs[featureIndex]!.name,
    featureShape: rowShapes[featureIndex]!,
    kind: classes === undefined ? 'sign' : 'argmax',
    classes: classes ?? 2,
  };
}
