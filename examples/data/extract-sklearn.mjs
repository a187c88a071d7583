#!/usr/bin/env node
// Writes digits-train.csv, digits-test.csv, cancer-train.csv and cancer-test.csv (in this
// folder) from the copies of two public UCI data sets that scikit-learn ships:
//
//   node examples/data/extract-sklearn.mjs [SKLEARN_DATA_DIR]
//
// SKLEARN_DATA_DIR is scikit-learn's sklearn/datasets/data folder, holding digits.csv.gz and
// breast_cancer.csv (either may also be gzipped or not). The default is where Debian's
// python3-sklearn installs it. Without installing the package:
//
//   apt-get download python3-sklearn && dpkg-deb -x python3-sklearn_*.deb sklearn-deb
//   node examples/data/extract-sklearn.mjs sklearn-deb/usr/lib/python3/dist-packages/sklearn/datasets/data
//
// (a pip install works too: .../site-packages/sklearn/datasets/data). Plain Node, no
// dependencies; the output depends only on the two input files. See README.md here.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { seededRandom } from './random.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? '/usr/lib/python3/dist-packages/sklearn/datasets/data';


function fail(message) {
  console.error(`extract-sklearn: ${message}`);
  process.exit(1);
}

/** The text of `name` (or `name.gz`) in the source folder, gunzipped if it is gzip. */
function readData(name) {
  const path = [join(source, name), join(source, `${name}.gz`), join(source, name.replace(/\.gz$/, ''))].find(existsSync);
  if (!path) {
    fail(`no ${name} in ${source}: give scikit-learn's sklearn/datasets/data folder (see the comment at the top of this script)`);
  }
  const bytes = readFileSync(path);
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** Rows of numbers; every row must have `width` cells. */
function numbers(lines, width, name) {
  return lines.map((line, i) => {
    const cells = line.split(',').map(Number);
    if (cells.length !== width || cells.some((v) => !Number.isFinite(v))) fail(`${name}: row ${i + 1} is not ${width} numbers`);
    return cells;
  });
}

/** A seeded shuffle, then the last ceil(20%) of the rows are the test split (as sklearn's test_size=0.2). */
function split(rows, seed) {
  const random = seededRandom(seed);
  const order = rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const test = Math.ceil(0.2 * rows.length);
  return { train: order.slice(0, rows.length - test).map((i) => rows[i]), test: order.slice(rows.length - test).map((i) => rows[i]) };
}

function write(name, features, rows) {
  const header = [...Array.from({ length: features }, (_, j) => `X[${j}]`), 'y'].join(',');
  writeFileSync(join(here, name), [header, ...rows.map((r) => r.join(','))].join('\n') + '\n');
  console.log(`wrote ${name}: ${rows.length} rows`);
}

// digits: 1,797 8x8 images, each 64 pixel counts 0..16 and then the digit 0..9, no header.
// Features are scaled to [0, 1] by /16 (exact in binary), labels kept as 0..9 for onehot.
{
  const rows = numbers(readData('digits.csv.gz').trim().split(/\r?\n/), 65, 'digits.csv.gz');
  if (rows.length !== 1797) fail(`digits.csv.gz: expected 1797 rows, found ${rows.length}`);
  const scaled = rows.map((r) => [...r.slice(0, 64).map((v) => v / 16), r[64]]);
  const { train, test } = split(scaled, 1);
  write('digits-train.csv', 64, train);
  write('digits-test.csv', 64, test);
}

// breast cancer: a header line "569,30,malignant,benign" (counts and the names of the classes
// 0 and 1), then 569 rows of 30 features and the class (0 malignant, 1 benign). The label is
// written as y = 1 for benign and -1 for malignant (2 * class - 1), for a loss of y * score.
// Features are standardised with the mean and deviation of the TRAINING split, applied to both
// splits, so nothing about the test rows leaks into training.
{
  const [head, ...lines] = readData('breast_cancer.csv').trim().split(/\r?\n/);
  if (head.trim() !== '569,30,malignant,benign') fail(`breast_cancer.csv: unexpected header '${head}'`);
  const rows = numbers(lines, 31, 'breast_cancer.csv');
  if (rows.length !== 569) fail(`breast_cancer.csv: expected 569 rows, found ${rows.length}`);
  const { train, test } = split(rows, 2);
  const mean = Array.from({ length: 30 }, (_, j) => train.reduce((s, r) => s + r[j], 0) / train.length);
  // The population deviation (divide by n), as sklearn's StandardScaler.
  const deviation = mean.map((m, j) => Math.sqrt(train.reduce((s, r) => s + (r[j] - m) ** 2, 0) / train.length));
  const scale = (r) => [...r.slice(0, 30).map((v, j) => Number(((v - mean[j]) / deviation[j]).toFixed(6))), 2 * r[30] - 1];
  write('cancer-train.csv', 30, train.map(scale));
  write('cancer-test.csv', 30, test.map(scale));
}
