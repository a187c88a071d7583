/**
 * fit's training options (issue 12): held-out rows (--valid, --valid-data),
 * --weight-decay, --schedule and --checkpoint, through the CLI, against
 * hand-derived results.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autodiff, CLI, tempDir, writeTemp } from './cli.js';

const dir = tempDir();

/** A batch program fitting a line to 50 exact points, so every loss goes to 0. */
const LINE = 'param w: [2], b\ninput X: [n, 2], y: [n]\nmean((X @ w + b - y)^2)\n';
const rows = Array.from({ length: 50 }, (_, i) => {
  const [a, c] = [Math.sin(i), Math.cos(3 * i)];
  return `${a},${c},${2 * a - c + 0.5}`;
});
const lineData = writeTemp(dir, 'line.csv', `X[0],X[1],y\n${rows.join('\n')}\n`);
const line = writeTemp(dir, 'line.txt', LINE);
const finalNumber = (stderr: string, label: RegExp) => Number(label.exec(stderr)![1]);

describe('fit --valid and --valid-data', () => {
  it('holds out a fraction of the rows: progress shows both losses, the summary the held-out loss', () => {
    const run = autodiff(['fit', line, '--data', lineData, '--valid', '0.2', '--steps', '400', '--lr', '0.05']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^step +1\/400 +train \S+ +valid \S+ +\d+ steps\/s$/m);
    expect(run.stderr).toMatch(/^step 400\/400 +train \S+ +valid \S+ +\d+ steps\/s$/m);
    expect(run.stderr).toMatch(/^final loss \S+ \(the output over 40 rows\)$/m);
    expect(finalNumber(run.stderr, /^held-out loss (\S+) \(the output over 10 rows\)$/m)).toBeLessThan(1e-3);
  });

  it('--until then stops on the held-out loss', () => {
    const run = autodiff(['fit', line, '--data', lineData, '--valid', '0.2', '--steps', '5000', '--lr', '0.05', '--until', '1e-4']);
    expect(run.status, run.stderr).toBe(0);
    const stopped = finalNumber(run.stderr, /stopped: held-out loss (\S+) < --until 0\.0001/);
    expect(stopped).toBeLessThan(1e-4);
    expect(finalNumber(run.stderr, /^held-out loss (\S+)/m)).toBe(stopped);
    expect(Number(/^trained (\d+) steps/m.exec(run.stderr)![1])).toBeLessThan(5000);
  });

  it('--valid-data reads the held-out rows from a file with the same columns (labels checked too)', () => {
    const held = writeTemp(dir, 'held.csv', `X[0],X[1],y\n${rows.slice(0, 5).join('\n')}\n`);
    const run = autodiff(['fit', line, '--data', lineData, '--valid-data', held, '--steps', '50', '--lr', '0.05']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^final loss \S+ \(the output over 50 rows\)$/m);
    expect(run.stderr).toMatch(/^held-out loss \S+ \(the output over 5 rows\)$/m);
    const classes = writeTemp(dir, 'classes.txt', 'param W: [2, 3]\ninput X: [n, 2], y: [n]\n-mean(sum(onehot(y, 3) * log_softmax(X @ W), axis=1))\n');
    const good = writeTemp(dir, 'classes.csv', 'X[0],X[1],y\n1,0,0\n0,1,2\n');
    const bad = writeTemp(dir, 'bad-labels.csv', 'X[0],X[1],y\n1,0,0\n0,1,3\n');
    const labels = autodiff(['fit', classes, '--data', good, '--valid-data', bad, '--steps', '5']);
    expect(labels.status).toBe(1);
    expect(labels.stderr).toMatch(/bad-labels\.csv:3:3: error\[E229\]: 3 in column 'y' is not a label of onehot\(y, 3\)/);
  });

  it('refuses what cannot work, before training', () => {
    const none = autodiff(['fit', line, '--data', lineData, '--valid', '0.001']);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/line\.csv: error\[E231\]: --valid 0\.001 of 50 rows leaves no rows to hold out/);
    for (const [args, message] of [
      [['--valid', '0.2', '--valid-data', lineData], /give --valid FRACTION or --valid-data FILE, not both/],
      [['--valid', '1'], /--valid must be a fraction between 0 and 1/],
      [['--valid', 'x'], /--valid must be a fraction between 0 and 1/],
    ] as const) {
      const run = autodiff(['fit', line, '--data', lineData, ...args]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });
});

describe('fit --weight-decay and --schedule', () => {
  const pull = writeTemp(dir, 'pull.txt', 'param w\ninput y\n(w - y)^2\n');
  const ones = writeTemp(dir, 'ones.csv', 'y\n1\n');
  const zeros = writeTemp(dir, 'zeros.csv', 'y\n0\n');
  const start = writeTemp(dir, 'start.json', '{"w": 1}');

  it('sgd with decay D settles where 2 (w - 1) + D w = 0: w = 2 / (2 + D)', () => {
    const run = autodiff(['fit', pull, '--data', ones, '--optimizer', 'sgd', '--lr', '0.1', '--steps', '300', '--weight-decay', '2']);
    expect(run.status, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { w: number }).w).toBeCloseTo(0.5, 12);
  });

  it('adam with decay is AdamW: the decay pulls w below the data\'s minimum', () => {
    const plain = JSON.parse(autodiff(['fit', pull, '--data', ones, '--steps', '2000', '--lr', '0.01']).stdout) as { w: number };
    const decayed = JSON.parse(autodiff(['fit', pull, '--data', ones, '--steps', '2000', '--lr', '0.01', '--weight-decay', '0.5']).stdout) as { w: number };
    expect(plain.w).toBeCloseTo(1, 3);
    expect(decayed.w).toBeLessThan(0.99);
    expect(decayed.w).toBeGreaterThan(0.5);
  });

  it('step: the rate drops 10x at half the run and again at three quarters (sgd on w^2: w times 1 - 2 lr per step)', () => {
    const run = autodiff(['fit', pull, '--data', zeros, '--params', start, '--optimizer', 'sgd', '--lr', '0.25', '--steps', '4', '--schedule', 'step']);
    expect(run.status, run.stderr).toBe(0);
    // rates 0.25, 0.25, 0.025, 0.0025
    expect((JSON.parse(run.stdout) as { w: number }).w).toBeCloseTo(0.5 * 0.5 * 0.95 * 0.995, 15);
    const bad = autodiff(['fit', pull, '--data', zeros, '--schedule', 'exp']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--schedule must be constant, linear, cosine or step, not 'exp'/);
  });
});

describe('fit --checkpoint', () => {
  it('needs --out, and does not change the run', () => {
    const usage = autodiff(['fit', line, '--data', lineData, '--checkpoint', '10']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--checkpoint writes the params to --out every N steps: give --out/);
    // Checkpoints replace a file: through stdout they would pile up as several JSON documents.
    const piped = autodiff(['fit', line, '--data', lineData, '--checkpoint', '10', '--out', '/dev/stdout']);
    expect(piped.status).toBe(2);
    expect(piped.stderr).toMatch(/--checkpoint replaces --out every N steps, so --out must be a file, not '\/dev\/stdout'/);
    const out = join(dir, 'checkpointed.json');
    const run = autodiff(['fit', line, '--data', lineData, '--steps', '30', '--checkpoint', '10', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const plain = autodiff(['fit', line, '--data', lineData, '--steps', '30']);
    expect(readFileSync(out, 'utf8')).toBe(plain.stdout);
  });

  it('a reader of the progress that stops early (2>&1 | head -1) does not stop the run: --out is written', async () => {
    const sub = mkdtempSync(join(dir, 'head-'));
    const out = join(sub, 'params.json');
    const child = spawn(process.execPath, [CLI, 'fit', line, '--data', lineData, '--steps', '3000', '--out', out]);
    child.stderr.once('data', () => child.stderr.destroy());
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    expect(code).toBe(0);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { w: number[] }).w).toHaveLength(2);
    expect(readdirSync(sub)).toEqual(['params.json']);
  });

  it('Ctrl-C ends a run that writes a checkpoint every step (a signal during a write is not lost)', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const out = join(dir, `every-step-${trial}.json`);
      const child = spawn(process.execPath, [CLI, 'fit', line, '--data', lineData, '--steps', '100000000', '--checkpoint', '1', '--out', out]);
      const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));
      const began = Date.now();
      while (!existsSync(out) && Date.now() - began < 60_000) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGINT');
      const ended = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 20_000))]);
      if (ended === 'running') child.kill('SIGKILL');
      expect(ended).toBe('SIGINT');
      JSON.parse(readFileSync(out, 'utf8')); // the last checkpoint is whole
    }
  });

  it('an interrupted run leaves its last checkpoint, complete, and --params resumes from it', async () => {
    const out = join(dir, 'interrupted.json');
    const child = spawn(process.execPath, [CLI, 'fit', line, '--data', lineData, '--steps', '100000000', '--lr', '0.05', '--checkpoint', '50', '--out', out]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    let running = true;
    void exited.then(() => { running = false; });
    try {
      // Generous: this machine may be busy with other test files.
      const began = Date.now();
      while (running && !existsSync(out) && Date.now() - began < 60_000) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      expect(running, `fit exited before it was interrupted: ${stderr}`).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    await exited;
    expect(existsSync(out), `no checkpoint was written: ${stderr}`).toBe(true);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as { w: number[]; b: number };
    expect(saved.w).toHaveLength(2);
    // The checkpoint is at least 50 steps in (loss 0.0074 there): well below the start's 2.8 (w and b start at 0).
    const scored = autodiff(['eval', line, '--params', out, '--data', lineData]);
    expect(scored.status, scored.stderr).toBe(0);
    const initial = finalNumber(autodiff(['fit', line, '--data', lineData, '--steps', '0']).stderr, /^final loss (\S+)/m);
    expect(Number(/^value: (\S+)/.exec(scored.stdout)![1])).toBeLessThan(initial / 10);
    const resumed = autodiff(['fit', line, '--data', lineData, '--params', out, '--steps', '10']);
    expect(resumed.status, resumed.stderr).toBe(0);
  });
});
