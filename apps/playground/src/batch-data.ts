/**
 * The rows a batch program's inputs hold (see analysis/batch.ts): where
 * they came from, and loading them (a bundled training file brings its
 * held-out file along: `digits-test.csv` with `digits-train.csv`).
 */
import type { BatchInfo } from './analysis/batch.js';
import { datasetText, testSetOf } from './examples.js';
import type { Rows } from './worker/protocol.js';
import { rowsOfCsv } from './worker/rows.js';

/** Where a batch program's rows come from: random numbers, a bundled file, or a CSV the user gave. */
export type DataChoice = { kind: 'random' } | { kind: 'bundled'; name: string } | { kind: 'text'; name: string; text: string };

/** Rows read for the inputs, and held-out rows when the file has them. */
export interface BatchData {
  /** What the rows are, for people: `moons.csv`, `my-points.csv (uploaded)`. */
  label: string;
  choice: DataChoice;
  train: Rows;
  test?: Rows & { name: string };
}

/** Reads the chosen data (fetching a large bundled file). */
export async function loadBatchData(choice: Exclude<DataChoice, { kind: 'random' }>, batch: BatchInfo): Promise<BatchData> {
  if (choice.kind === 'text') return { label: choice.name, choice, train: rowsOfCsv(choice.text, batch, choice.name) };
  const test = testSetOf(choice.name);
  const [train, held] = await Promise.all([
    datasetText(choice.name).then((t) => rowsOfCsv(t, batch, choice.name)),
    test ? datasetText(test.name).then((t) => rowsOfCsv(t, batch, test.name)) : undefined,
  ]);
  return { label: choice.name, choice, train, ...(held && test ? { test: { ...held, name: test.name } } : {}) };
}
