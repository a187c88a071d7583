import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSource, loadCompiled } from '@autodiff/compiler';
import { finiteDifferenceGradient, interpret, seededRandom, SGD } from '@autodiff/runtime';
import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.js';
import { datasetFromRows, noData } from './dataset.js';
import type { Model } from './model.js';
import { fit, splitDataset, Trainer, type StepInfo } from './fit.js';
import { tapeModel } from './tape-model.js';

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '../../../examples');

function compile(source: string) {
  const { ir, checked, diagnostics } = compileSource(source);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { compiled: loadCompiled(ir!), tape: tapeModel(checked!), checked: checked! };
}

function example(name: string) {
  const program = compile(readFileSync(join(EXAMPLES, `${name}.txt`), 'utf8'));
  const read = readCsv(readFileSync(join(EXAMPLES, 'data', `${name}.csv`), 'utf8'), program.compiled.inputNames);
  expect(read.problems).toBeUndefined();
  return { ...program, data: read.dataset! };
}

describe('fit: the loss is the mean of the output over the batch', () => {
  // loss = (w - y)^2 over y = 1, 3: mean loss (w-1)^2/2 + (w-3)^2/2, mean gradient 2w - 4
  const { compiled } = compile('param w\ninput y\n(w - y)^2\n');
  const data = datasetFromRows(['y'], [[1], [3]]);

  it('SGD steps by hand: w 0 -> 1 -> 1.5 with lr 0.25', () => {
    const seen: StepInfo[] = [];
    const result = fit(compiled, data, { optimizer: 'sgd', lr: 0.25, steps: 2, params: Float64Array.of(0), onStep: (s) => void seen.push(s) });
    expect(seen.map((s) => [s.step, s.loss, s.lr, s.rows, s.updated])).toEqual([[1, 5, 0.25, 2, true], [2, 2, 0.25, 2, true]]);
    expect(result.params[0]).toBe(1.5);
    expect(result.steps).toBe(2);
    expect(result.stopped).toBe('steps');
    expect(result.loss).toBe((0.5 ** 2 + 1.5 ** 2) / 2); // at the trained w = 1.5
  });

  it('the batch gradient is the finite-difference gradient of the mean loss (tape engine)', () => {
    const { compiled: xor, checked, data: rows } = example('xor');
    const p = Float64Array.from({ length: 17 }, (_, i) => Math.sin(i + 1));
    const trainer = new Trainer(xor, rows, { optimizer: new SGD(17), lr: 1, params: p });
    trainer.step(); // p - 1 * gradient
    const gradient = p.map((v, i) => v - trainer.params[i]!);
    const meanLoss = (q: Float64Array) => {
      let sum = 0;
      for (let r = 0; r < rows.rows; r++) {
        const values = new Map<string, number>();
        checked.params.forEach((ref, i) => values.set(ref.name, q[i]!));
        checked.inputs.forEach((ref, c) => values.set(ref.name, rows.values[r * 3 + c]!));
        sum += interpret(checked, values).value;
      }
      return sum / rows.rows;
    };
    const fd = finiteDifferenceGradient(meanLoss, p);
    fd.forEach((g, i) => expect(Math.abs(gradient[i]! - g), `param ${i}`).toBeLessThan(1e-8));
  });

  it('stops when the batch loss drops below `until`, before updating', () => {
    const result = fit(compiled, data, { optimizer: 'sgd', lr: 0.25, steps: 100, until: 1.5, params: Float64Array.of(0) });
    // losses: 5 at w=0, 2 at w=1, 1.25 at w=1.5 -> stops at step 3 after two updates
    expect([result.stopped, result.steps, result.params[0]]).toEqual(['until', 2, 1.5]);
  });

  it('with mini-batches, `until` judges the loss over all the data, not a lucky batch', () => {
    // Rows y = 1 and y = 3, one per batch. At w = 1 the batch {y = 1} has loss 0, but the data's loss is 2.
    const seen: StepInfo[] = [];
    const result = fit(compiled, data, { optimizer: 'sgd', lr: 0.25, steps: 3, batch: 1, until: 0.5, params: Float64Array.of(1), onStep: (s) => void seen.push(s) });
    const lucky = seen.find((s) => s.loss < 0.5);
    expect(lucky, 'a batch below until').toBeDefined();
    expect(lucky!.dataLoss).toBeGreaterThan(0.5);
    expect(result.stopped).toBe('steps');
    // And it does stop once the data's loss is below until: at w = 2 it is 1, below until = 1.5.
    const stops = fit(compiled, data, { optimizer: 'sgd', lr: 0.25, steps: 50, batch: 1, until: 1.5, params: Float64Array.of(2) });
    expect(stops.stopped).toBe('until');
    expect(stops.loss).toBeLessThan(1.5);
  });

  it('stops when onStep returns false', () => {
    const result = fit(compiled, data, { steps: 100, onStep: (s) => s.step < 7 });
    expect([result.stopped, result.steps]).toEqual(['stopped', 7]);
  });

  it('reports divergence instead of training on NaN', () => {
    const { compiled: log } = compile('param w\nlog(w)\n'); // descending log(w) drives w through 0
    const result = fit(log, noData(), { optimizer: 'sgd', lr: 1, steps: 100, params: Float64Array.of(0.5) });
    expect(result.stopped).toBe('diverged');
    expect(result.steps).toBeLessThan(100);
  });

  it('steps: 0 returns the starting params', () => {
    const result = fit(compiled, data, { steps: 0, params: Float64Array.of(0.7) });
    expect([result.steps, result.params[0], result.stopped]).toEqual([0, 0.7, 'steps']);
  });

  it('is reproducible from the seed (initialisation and batch order)', () => {
    const { compiled: xor, data: rows } = example('xor');
    const run = (seed: number) => Array.from(fit(xor, rows, { steps: 50, batch: 3, seed }).params);
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it('refuses data whose columns are not the inputs', () => {
    expect(() => fit(compiled, datasetFromRows(['x'], [[1]]))).toThrow(/columns \(x\) must be the program's inputs in order \(y\)/);
  });
});

describe('compiled and tape routes agree', () => {
  const cases: { name: string; batch?: number }[] = [{ name: 'neuron', batch: 7 }, { name: 'xor', batch: 3 }, { name: 'logistic' }];
  for (const { name, batch } of cases) {
    for (const optimizer of ['sgd', 'momentum', 'adam'] as const) {
      it(`${name}, ${optimizer}${batch ? `, batches of ${batch}` : ''}: the same params after 100 steps (to 1e-9)`, () => {
        const { compiled, tape, data } = example(name);
        const options = { optimizer, lr: optimizer === 'sgd' ? 0.1 : 0.02, steps: 100, ...(batch ? { batch } : {}) };
        const fast = fit(compiled, data, options);
        const slow = fit(tape, data, options);
        expect(slow.steps).toBe(100);
        const start = fit(compiled, data, { ...options, steps: 0 }).params;
        const moved = Math.max(...fast.params.map((v, i) => Math.abs(v - start[i]!)));
        expect(moved).toBeGreaterThan(0.05); // training really moved the params
        fast.params.forEach((v, i) => expect(Math.abs(v - slow.params[i]!), `param ${compiled.paramNames[i]}`).toBeLessThan(1e-9));
        expect(Math.abs(fast.loss - slow.loss)).toBeLessThan(1e-9);
      });
    }
  }
});

describe('the examples reach the targets in their comments', () => {
  for (const name of ['neuron', 'xor', 'logistic']) {
    it(name, () => {
      const { compiled, data } = example(name);
      const source = readFileSync(join(EXAMPLES, `${name}.txt`), 'utf8');
      const target = /^# target: mean loss < (\S+) with `autodiff fit [^`]*?(?:--lr (\S+))?`/m.exec(source);
      expect(target, 'a "# target: mean loss < X with `autodiff fit ...`" comment').not.toBeNull();
      const lr = target![2] === undefined ? {} : { lr: Number(target![2]) };
      const result = fit(compiled, data, lr);
      expect(result.loss).toBeLessThan(Number(target![1]));
    });
  }
});

describe('tapeModel', () => {
  it('gives the tape engine value and gradient for a row', () => {
    const { tape } = compile('param a, b\ninput x\na*x^2 + sin(b*x)\n');
    const grad = new Float64Array(2);
    const value = tape.backwardFlat(Float64Array.of(2, 3), Float64Array.of(0.5), grad);
    expect(value).toBeCloseTo(2 * 0.25 + Math.sin(1.5), 14);
    expect(grad[0]).toBeCloseTo(0.25, 14);
    expect(grad[1]).toBeCloseTo(0.5 * Math.cos(1.5), 14);
    expect(tape.forwardFlat(Float64Array.of(2, 3), Float64Array.of(0.5))).toBe(value);
  });
});

describe('held-out rows', () => {
  const rows = Array.from({ length: 10 }, (_, i) => [i, 10 * i]);
  const data = datasetFromRows(['a', 'b'], rows);

  it('splitDataset holds out a seeded random fraction; the parts are disjoint, keep their rows whole and in order', () => {
    const { train, valid } = splitDataset(data, 0.3, seededRandom(4));
    expect([train.rows, valid.rows]).toEqual([7, 3]);
    const firsts = (d: typeof data) => Array.from({ length: d.rows }, (_, r) => d.values[2 * r]!);
    expect([...firsts(train), ...firsts(valid)].sort((x, y) => x - y)).toEqual(rows.map((r) => r[0]));
    for (const d of [train, valid]) {
      const f = firsts(d);
      expect(f).toEqual([...f].sort((x, y) => x - y));
      f.forEach((v, r) => expect(d.values[2 * r + 1]).toBe(10 * v));
    }
    expect(splitDataset(data, 0.3, seededRandom(4))).toEqual({ train, valid });
    expect(firsts(splitDataset(data, 0.3, seededRandom(5)).valid)).not.toEqual(firsts(valid));
    expect(() => splitDataset(data, 0.01, seededRandom(4))).toThrow(/leaves no rows to hold out/);
    expect(() => splitDataset(data, 1, seededRandom(4))).toThrow(RangeError);
  });

  it('`until` judges the held-out loss, at the start of each epoch; the result reports it', () => {
    // loss (w - y)^2: the training rows pull w to 1, the held-out row sits at 3.
    const { compiled } = compile('param w\ninput y\n(w - y)^2\n');
    const train = datasetFromRows(['y'], [[1], [1]]);
    const valid = datasetFromRows(['y'], [[3]]);
    const seen: StepInfo[] = [];
    const result = fit(compiled, train, { valid, until: 1, optimizer: 'sgd', lr: 0.25, params: Float64Array.of(5), onStep: (i) => { seen.push(i); } });
    // w: 5 -> 3 (gradient 2(w - 1) = 8): the held-out loss is 4 at w = 5, then 0 < 1 at w = 3, where it stops.
    expect(seen.map((i) => i.validLoss)).toEqual([4, 0]);
    expect(result.stopped).toBe('until');
    expect(result.params[0]).toBe(3);
    expect(result.validLoss).toBe(0);
    expect(result.loss).toBe(4);
  });
});

describe('batch programs', () => {
  it('take each batch at once, the inputs one after another, each row-major, with the batch size last', () => {
    // Rows (a[0], a[1], b): the program sees a's two elements for every row of the batch, then b's.
    const data = datasetFromRows(['a[0]', 'a[1]', 'b'], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    const seen: number[][] = [];
    const model: Model = {
      paramNames: ['w'],
      inputNames: ['a', 'b'],
      inputColumns: ['a[0]', 'a[1]', 'b'],
      batchInputSizes: [2, 1],
      forwardFlat: () => 1,
      backwardFlat: (_p, x, grad, n) => {
        seen.push([n!, ...x.subarray(0, 3 * n!)]);
        grad[0] = 0;
        return 1;
      },
    };
    fit(model, data, { steps: 1, optimizer: 'sgd' });
    expect(seen).toEqual([[3, 1, 2, 4, 5, 7, 8, 3, 6, 9]]);
  });
});
