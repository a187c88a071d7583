/** Run the built `autodiff` CLI as a user would, and small file helpers for tests. */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED = resolve(REPO, '../shared');
export const CLI = join(REPO, 'packages/cli/dist/autodiff.mjs');

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export function autodiff(args: string[], options: { cwd?: string } = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd ?? REPO, encoding: 'utf8', maxBuffer: 1 << 30 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same, asynchronously, so independent runs overlap on both cores. */
export function autodiffAsync(args: string[], options: { cwd?: string } = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: options.cwd ?? REPO, encoding: 'utf8', maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ status, stdout, stderr });
    });
  });
}

/** Run `tasks` with at most `limit` in flight. */
export async function inBatches<T>(tasks: (() => Promise<T>)[], limit = 4): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

const tempDirs: string[] = [];
process.once('exit', () => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'autodiff-test-'));
  tempDirs.push(dir);
  return dir;
}

export function writeTemp(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Relative error with an absolute floor, as the reference data's README asks. */
export function close(actual: number, expected: number, rel = 1e-9, abs = 1e-12): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= Math.max(abs, rel * Math.abs(expected));
}

/** JSON numbers from `eval --json`: non-finite values arrive as strings. */
export function jsonNumber(v: number | string): number {
  return typeof v === 'number' ? v : Number(v);
}
