#!/usr/bin/env node
// Writes the example datasets (examples/data/*.csv) from a fixed seed, so they
// can be regenerated exactly: `node examples/data/generate.mjs`. Plain Node, no
// dependencies. Numbers are written with 6 decimals.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from './random.mjs';

const here = dirname(fileURLToPath(import.meta.url));


const random = seededRandom(2024);
const between = (lo, hi) => lo + (hi - lo) * random();
const cell = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(6));

function write(name, columns, rows) {
  const text = [columns.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
  writeFileSync(join(here, name), text);
  console.log(`wrote ${name}: ${rows.length} rows`);
}

// neuron.csv: a "teacher" tanh neuron with known weights labels random points,
// so a student neuron (examples/neuron.txt) can fit it exactly.
{
  const [w1, w2, b] = [1.5, -0.8, 0.3];
  const rows = [];
  for (let i = 0; i < 40; i++) {
    const x1 = Number(between(-2, 2).toFixed(6));
    const x2 = Number(between(-2, 2).toFixed(6));
    rows.push([x1, x2, Number(Math.tanh(w1 * x1 + w2 * x2 + b).toFixed(6))]);
  }
  write('neuron.csv', ['x1', 'x2', 'y'], rows);
}

// xor.csv: the four corners of the unit square; y = x1 xor x2.
write('xor.csv', ['x1', 'x2', 'y'], [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]);

// logistic.csv: points on either side of the line x2 = 1.5 x1 + 0.25, none
// within 0.3 of it, so the two classes (y = 1 above, 0 below) are linearly separable.
{
  const rows = [];
  while (rows.length < 60) {
    const x1 = Number(between(-2, 2).toFixed(6));
    const x2 = Number(between(-2, 2).toFixed(6));
    const distance = (x2 - 1.5 * x1 - 0.25) / Math.hypot(1.5, 1);
    if (Math.abs(distance) < 0.3) continue;
    rows.push([x1, x2, distance > 0 ? 1 : 0]);
  }
  write('logistic.csv', ['x1', 'x2', 'y'], rows);
}

// moons.csv: scikit-learn's make_moons(n_samples=100, noise=0.1), as micrograd's demo uses
// it: 50 points on the outer moon (cos t, sin t), labelled -1, and 50 on the inner moon
// (1 - cos t, 1 - sin t - 0.5), labelled 1, t evenly spaced on [0, pi] (as sklearn does),
// each coordinate plus Gaussian noise of deviation 0.1, rows shuffled. Its own seeded
// stream, so the files above do not depend on it.
{
  const random = seededRandom(7);
  const gaussian = () => {
    // Box-Muller: 1 - u is in (0, 1], so the log is finite.
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const half = 50;
  const rows = [];
  for (let i = 0; i < half; i++) {
    const t = (Math.PI * i) / (half - 1);
    rows.push([Math.cos(t), Math.sin(t), -1]);
  }
  for (let i = 0; i < half; i++) {
    const t = (Math.PI * i) / (half - 1);
    rows.push([1 - Math.cos(t), 1 - Math.sin(t) - 0.5, 1]);
  }
  for (const row of rows) {
    row[0] = Number((row[0] + 0.1 * gaussian()).toFixed(6));
    row[1] = Number((row[1] + 0.1 * gaussian()).toFixed(6));
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  write('moons.csv', ['X[0]', 'X[1]', 'y'], rows);
}
