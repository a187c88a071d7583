/**
 * `autodiff compile FILE -o OUT --watch`: recompiles on every change (a plain write and an
 * editor's write-and-rename alike), prints the diagnostics of a bad version and keeps the last
 * good output, and exits 0 on SIGINT. Conditions are polled, never waited for a fixed time,
 * with generous limits: the machine may be loaded.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autodiff, CLI, tempDir } from './cli.js';

/** Resolves once `condition` holds (checked every 25 ms); rejects after `ms`, saying what it waited for. */
async function until(what: string, condition: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const GOOD_1 = 'param w\ninput x\n(w*x - 1)^2\n';
const GOOD_2 = 'param w, b\ninput x\n(w*x + b - 1)^2\n';
const BAD = 'param w\ninput x\nh = tanh(w*x + * 2)\nh^2\n';
const GOOD_3 = 'param v\ninput x\nloss = (v*x - 2)^2\n';

describe('autodiff compile --watch', () => {
  it('recompiles on change, keeps the last good output through a bad version, and exits 0 on SIGINT', async () => {
    const dir = tempDir();
    const src = join(dir, 'loss.ad');
    const out = join(dir, 'loss.ts');
    // What `compile` writes for each good version, to compare the watched output with.
    const expected = (text: string) => {
      const file = join(dir, 'expected.ad');
      writeFileSync(file, text);
      const run = autodiff(['compile', file]);
      expect(run.status, run.stderr).toBe(0);
      return run.stdout.replace('from expected.ad.', 'from loss.ad.');
    };
    const [want1, want2, want3] = [expected(GOOD_1), expected(GOOD_2), expected(GOOD_3)];
    const output = () => (existsSync(out) ? readFileSync(out, 'utf8') : '');

    writeFileSync(src, GOOD_1);
    const child = spawn(process.execPath, [CLI, 'compile', 'loss.ad', '-o', 'loss.ts', '--watch'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
    const compiledLines = () => stderr.match(/^compiled loss\.ad -> loss\.ts \(\d+ ms\)$/gm)?.length ?? 0;
    try {
      await until('the first compile', () => output() === want1 && /^watching loss\.ad for changes/m.test(stderr));
      expect(compiledLines()).toBe(1);

      // A plain write.
      writeFileSync(src, GOOD_2);
      await until('the second version', () => output() === want2);
      await until('its line on stderr', () => compiledLines() >= 2);

      // A bad version: the diagnostic, and nothing written.
      writeFileSync(src, BAD);
      await until('the diagnostic', () => /loss\.ad:3:16: error\[E006\]: expected an expression after '\+', found '\*'[^]*not compiled: loss\.ts is unchanged\n/.test(stderr));
      expect(stderr).toMatch(/ {2}3 \| h = tanh\(w\*x \+ \* 2\)\n {4}\| {16}\^\nnot compiled: loss\.ts is unchanged\n/);
      expect(output()).toBe(want2);

      // An editor's save: a new file renamed over the old one.
      writeFileSync(join(dir, '.loss.ad.swp'), GOOD_3);
      renameSync(join(dir, '.loss.ad.swp'), src);
      await until('the recompile after the fix', () => output() === want3);
      await until('its line on stderr', () => compiledLines() >= 3);
      expect(stdout).toBe('');
      expect(stderr).not.toMatch(/internal error|at .*\.m?js:\d+/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output()).toBe(want3);
  });

  it('needs -o (exit 2), and refuses an output that is the source file (exit 1)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.ad'), GOOD_1);
    const noOut = autodiff(['compile', join(dir, 'a.ad'), '--watch']);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toMatch(/--watch needs -o OUT/);
    const self = autodiff(['compile', join(dir, 'a.ad'), '-o', join(dir, 'a.ad'), '--watch']);
    expect(self.status).toBe(1);
    expect(self.stderr).toMatch(/refusing to overwrite the source file/);
  });
});
