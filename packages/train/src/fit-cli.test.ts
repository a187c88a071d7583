/**
 * `autodiff fit` and `autodiff eval --params` as a user runs them: the built
 * CLI (packages/cli/dist) in a child process. Trained params are checked with
 * the tape engine, independently of the generated code that trained them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze } from '@autodiff/parser';
import { interpret } from '@autodiff/runtime';
import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = join(REPO, 'packages/cli/dist/autodiff.mjs');
const EXAMPLES = join(REPO, 'examples');

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function autodiff(args: string[], cwd = REPO): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const scratchDirs: string[] = [];
process.once('exit', () => scratchDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function scratch(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'autodiff-fit-'));
  scratchDirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Mean of the program's output over the CSV rows at `params`, on the tape engine. */
function tapeMeanLoss(source: string, csv: string, params: Record<string, number>): number {
  const checked = analyze(source).checked!;
  const inputs = checked.inputs.map((r) => r.name);
  const data = readCsv(csv, inputs).dataset!;
  let sum = 0;
  for (let r = 0; r < data.rows; r++) {
    const values = new Map(Object.entries(params));
    inputs.forEach((name, c) => values.set(name, data.values[r * inputs.length + c]!));
    sum += interpret(checked, values).value;
  }
  return sum / data.rows;
}

const NO_STACK = /\n\s+at .*:\d+:\d+\)?\n/;

describe('autodiff fit: the examples reach their targets from the default seed', () => {
  for (const name of ['neuron', 'xor', 'logistic']) {
    it(name, () => {
      const source = readFileSync(join(EXAMPLES, `${name}.txt`), 'utf8');
      const match = /^# target: mean loss < (\S+) with `autodiff (fit [^`]+)`/m.exec(source);
      expect(match, 'a "# target: mean loss < X with `autodiff fit ...`" comment').not.toBeNull();
      const run = autodiff(match![2]!.split(/\s+/).filter((a) => a !== ''), EXAMPLES); // the comment's exact command
      expect(run.status, run.stderr).toBe(0);
      const params = JSON.parse(run.stdout) as Record<string, number>;
      const paramOrder = analyze(source).checked!.params.map((r) => r.name);
      expect(Object.keys(params)).toEqual(paramOrder);
      const data = /--data (\S+)/.exec(match![2]!)![1]!;
      const loss = tapeMeanLoss(source, readFileSync(join(EXAMPLES, data), 'utf8'), params);
      expect(loss).toBeLessThan(Number(match![1]));
      // progress: plain lines on stderr when it is not a terminal, then a summary
      expect(run.stderr).toMatch(/^step +1\/1000 +loss \S+ +\d+ steps\/s$/m);
      expect(run.stderr).toMatch(/^step 1000\/1000 +loss \S+ +\d+ steps\/s$/m);
      expect(run.stderr).toMatch(/^final loss \S+ \(mean over \d+ rows\)$/m);
    });
  }
});

describe('autodiff fit: bad data gives exit 1, FILE:ROW:COL and no output file', () => {
  const cases: [string, string, string][] = [
    ['empty file', '', 'bad.csv:1:1: error[D001]: the file is empty: expected a header row naming the columns x1, x2, y'],
    ['header only', 'x1,x2,y\n', 'bad.csv:2:1: error[D002]: no data rows after the header'],
    ['missing column', 'x1,y\n1,2\n', "bad.csv:1:3: error[D003]: no column 'x2'"],
    ['extra cell', 'x1,x2,y\n1,2,3\n1,2,3,4\n', 'bad.csv:3:4: error[D010]: extra cell: this row has 4 cells'],
    ['missing cell', 'x1,x2,y\n1,2,3\n4,5\n', "bad.csv:3:3: error[D009]: this row has 2 cells but the header names 3 columns: no value for column 'y'"],
    ['non-numeric cell', 'x1,x2,y\n1,2,3\n4,five,6\n', "bad.csv:3:2: error[D007]: 'five' in column 'x2' is not a finite number"],
    ['empty cell', 'x1,x2,y\n1,,3\n', "bad.csv:2:2: error[D008]: empty cell in column 'x2'"],
    ['no header', '1,2,3\n', 'bad.csv:1:1: error[D013]: the first row must be a header'],
  ];
  for (const [what, csv, message] of cases) {
    it(what, () => {
      const dir = scratch({ 'bad.csv': csv });
      const run = autodiff(['fit', join(EXAMPLES, 'neuron.txt'), '--data', 'bad.csv', '--out', 'out.json'], dir);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.startsWith(message), run.stderr).toBe(true);
      expect(run.stderr).not.toMatch(NO_STACK);
      expect(existsSync(join(dir, 'out.json'))).toBe(false);
    });
  }

  it('a column that is no input is ignored, with a one-line note', () => {
    const dir = scratch({ 'ids.csv': 'id,x1,x2,y\n1,0.5,1,0.2\n2,-1,0.5,0.1\n' });
    const run = autodiff(['fit', join(EXAMPLES, 'neuron.txt'), '--data', 'ids.csv', '--steps', '5', '--out', 'out.json'], dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('ids.csv'))).toEqual([
      "ids.csv:1:1: note[D004]: column 'id' is not an input of the program; it is ignored",
    ]);
    expect(existsSync(join(dir, 'out.json'))).toBe(true);
  });

  it('an unreadable data file', () => {
    const dir = scratch();
    const run = autodiff(['fit', join(EXAMPLES, 'neuron.txt'), '--data', 'nowhere.csv', '--out', 'out.json'], dir);
    expect([run.status, run.stderr]).toEqual([1, 'nowhere.csv:1:1: error[E205]: cannot read file: no such file\n']);
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
  });

  it('a bad --params file', () => {
    const dir = scratch({ 'p.json': '{"w1": 1, "w2": 2}\n' });
    const run = autodiff(['fit', join(EXAMPLES, 'neuron.txt'), '--data', join(EXAMPLES, 'data/neuron.csv'), '--params', 'p.json', '--out', 'out.json'], dir);
    expect([run.status, run.stderr]).toEqual([1, "p.json:1:1: error[P003]: no value for param 'b'\n"]);
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
  });

  it('a run that diverges exits 1 and writes nothing', () => {
    const dir = scratch({ 'log.txt': 'param w\nlog(w)\n' });
    const run = autodiff(['fit', 'log.txt', '--optimizer', 'sgd', '--lr', '1', '--params', '/dev/null', '--out', 'out.json'], dir);
    expect(run.status).toBe(1); // /dev/null is not JSON: fails before training
    writeFileSync(join(dir, 'start.json'), '{"w": 0.5}');
    const diverged = autodiff(['fit', 'log.txt', '--optimizer', 'sgd', '--lr', '1', '--params', 'start.json', '--out', 'out.json'], dir);
    expect(diverged.status).toBe(1);
    expect(diverged.stderr).toMatch(/^log\.txt: error\[E212\]: training diverged at step \d+: the loss or its gradient is not finite/m);
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
  });
});

describe('autodiff fit: the command line', () => {
  const neuron = join(EXAMPLES, 'neuron.txt');
  const data = join(EXAMPLES, 'data/neuron.csv');

  it('bad flag values are usage errors (exit 2) and write nothing', () => {
    const dir = scratch();
    const bad: [string[], string][] = [
      [['--optimizer', 'rmsprop'], "--optimizer must be sgd, momentum or adam, not 'rmsprop'"],
      [['--lr', '0'], "--lr must be a positive number, not '0'"],
      [['--steps', '1.5'], "--steps must be a whole number >= 0, not '1.5'"],
      [['--batch', '0'], "--batch must be a whole number >= 1, not '0'"],
      [['--seed', 'x'], "--seed must be a whole number from 0 to 4294967295, not 'x'"],
      [['--init', 'cauchy:1'], "--init must be uniform:A or normal:S with a number A or S >= 0, glorot or he, not 'cauchy:1'"],
      [['--until', 'low'], "--until must be a finite number, not 'low'"],
      [['--bogus', '1'], "unknown option '--bogus'"],
      [['--step', '1'], "unknown option '--step'; did you mean '--steps'?"],
    ];
    for (const [flags, message] of bad) {
      const run = autodiff(['fit', neuron, '--data', data, ...flags, '--out', 'out.json'], dir);
      expect(run.status, flags.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('Usage:');
    }
    const noData = autodiff(['fit', neuron, '--out', 'out.json'], dir);
    expect(noData.status).toBe(2);
    expect(noData.stderr).toContain('--data is required');
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
  });

  it('--out writes the same JSON that stdout gets; --params with --steps 0 gives the params back', () => {
    const dir = scratch();
    const printed = autodiff(['fit', neuron, '--data', data, '--steps', '30', '--batch', '8', '--seed', '5', '--init', 'normal:0.3']);
    expect(printed.status, printed.stderr).toBe(0);
    const written = autodiff(['fit', neuron, '--data', data, '--steps', '30', '--batch', '8', '--seed', '5', '--init', 'normal:0.3', '--out', 'p.json'], dir);
    expect([written.status, written.stdout]).toEqual([0, '']);
    expect(readFileSync(join(dir, 'p.json'), 'utf8')).toBe(printed.stdout);
    const again = autodiff(['fit', neuron, '--data', data, '--steps', '0', '--params', 'p.json'], dir);
    expect(again.stdout).toBe(printed.stdout);
  });

  it('--until stops early', () => {
    const run = autodiff(['fit', join(EXAMPLES, 'xor.txt'), '--data', join(EXAMPLES, 'data/xor.csv'), '--until', '0.01']);
    expect(run.status, run.stderr).toBe(0);
    const steps = Number(/^trained (\d+) steps/m.exec(run.stderr)![1]);
    expect(steps).toBeGreaterThan(10);
    expect(steps).toBeLessThan(1000);
    expect(run.stderr).toMatch(/stopped: loss over all rows \S+ < --until 0\.01/);
    // The progress counts the steps taken, as the summary does (the step that stops is not taken).
    const lastShown = /^step +(\d+)\/1000/gm;
    const shown = [...run.stderr.matchAll(lastShown)].map((m) => Number(m[1]));
    expect(shown.at(-1)).toBe(steps);
  });

  it('--until with --batch stops on the loss over all rows, which the summary reports', () => {
    const run = autodiff(['fit', join(EXAMPLES, 'neuron.txt'), '--data', join(EXAMPLES, 'data/neuron.csv'), '--batch', '2', '--until', '0.05', '--steps', '2000']);
    expect(run.status, run.stderr).toBe(0);
    const stopped = Number(/stopped: loss over all rows (\S+) </.exec(run.stderr)![1]);
    const final = Number(/^final loss (\S+) \(mean over 40 rows\)$/m.exec(run.stderr)![1]);
    expect(stopped).toBeLessThan(0.05);
    expect(final).toBe(stopped);
  });

  it('a program without inputs trains without --data', () => {
    const run = autodiff(['fit', join(EXAMPLES, 'rosenbrock.txt'), '--lr', '0.05', '--steps', '5000']);
    expect(run.status, run.stderr).toBe(0);
    const { x, y } = JSON.parse(run.stdout) as { x: number; y: number };
    expect(Math.abs(x - 1)).toBeLessThan(0.01);
    expect(Math.abs(y - 1)).toBeLessThan(0.02);
  });

  it('any param name works, __proto__ included, in declaration order', () => {
    const source = 'param __proto__, constructor\ninput t\n(__proto__ - t)^2 + (constructor + t)^2\n';
    const dir = scratch({ 'odd.txt': source, 'odd.csv': 't\n1\n2\n' });
    const run = autodiff(['fit', 'odd.txt', '--data', 'odd.csv', '--lr', '0.05', '--steps', '2000', '--out', 'p.json'], dir);
    expect(run.status, run.stderr).toBe(0);
    const text = readFileSync(join(dir, 'p.json'), 'utf8');
    expect(text).toMatch(/^\{"__proto__": \S+, "constructor": \S+\}\n$/);
    const params = JSON.parse(text) as Record<string, number>;
    // the minimum of the mean loss: __proto__ = mean(t) = 1.5, constructor = -1.5
    expect(Math.abs(params['__proto__']! - 1.5)).toBeLessThan(1e-6);
    expect(Math.abs(params['constructor']! + 1.5)).toBeLessThan(1e-6);
    const evaluated = autodiff(['eval', 'odd.txt', '--params', 'p.json', '--at', 't=1', '--json'], dir);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect(Object.keys((JSON.parse(evaluated.stdout) as { gradient: object }).gradient)).toEqual(['__proto__', 'constructor']);
  });
});

describe('autodiff eval --params', () => {
  const neuron = join(EXAMPLES, 'neuron.txt');

  it('evaluates with the saved params exactly as with the same values in --at', () => {
    const dir = scratch({ 'p.json': '{"w1": 0.25, "w2": -1.5, "b": 0.125}\n' });
    const saved = autodiff(['eval', neuron, '--params', 'p.json', '--at', 'x1=2,x2=0.5,y=1', '--json'], dir);
    const given = autodiff(['eval', neuron, '--at', 'w1=0.25,w2=-1.5,b=0.125,x1=2,x2=0.5,y=1', '--json']);
    expect(saved.status, saved.stderr).toBe(0);
    expect(saved.stdout).toBe(given.stdout);
    const tanh = Math.tanh(0.25 * 2 - 1.5 * 0.5 + 0.125);
    expect((JSON.parse(saved.stdout) as { value: number }).value).toBeCloseTo((tanh - 1) ** 2, 14);
  });

  it('--at overrides a saved param', () => {
    const dir = scratch({ 'p.json': '{"w1": 0.25, "w2": -1.5, "b": 0.125}\n' });
    const saved = autodiff(['eval', neuron, '--params', 'p.json', '--at', 'b=1,x1=2,x2=0.5,y=1', '--json'], dir);
    const given = autodiff(['eval', neuron, '--at', 'w1=0.25,w2=-1.5,b=1,x1=2,x2=0.5,y=1', '--json']);
    expect(saved.stdout).toBe(given.stdout);
  });

  it('a bad params file: exit 1 with FILE:ROW:COL', () => {
    const dir = scratch({ 'p.json': '{\n  "w1": 0.25,\n  "w2": "big",\n  "b": 0\n}\n' });
    const run = autodiff(['eval', neuron, '--params', 'p.json', '--at', 'x1=2,x2=0.5,y=1'], dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`p.json:3:3: error[P005]: the value of param 'w2' is not a number (numbers, or the strings "NaN", "Infinity", "-Infinity")\n`);
  });
});
