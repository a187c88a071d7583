/**
 * Writing an output file. A regular file (or a new one) is replaced atomically:
 * the text goes to a temporary file beside it, which is then renamed over it,
 * so a failed or interrupted run never leaves a half-written output; the
 * file keeps its permissions and owner. Anything else (a FIFO, a device such
 * as /dev/null or /dev/stdout, a terminal) is written straight through, as a
 * shell redirection would: renaming over it would replace it.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, lstatSync, realpathSync, rmSync, statSync, type Stats } from 'node:fs';
import { chmod, chown, open, rename } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileMessage } from './diagnostics.js';
import { InputError, UsageError } from './failures.js';
import { reason } from './source.js';

export interface InputFile {
  path: string;
  /** What the file is, for the message: 'source file', 'data file'. */
  what: string;
}

/** Refuse an output path that names one of the run's input files (before any work is done). */
export function checkOutputPath(path: string, inputs: readonly InputFile[]): void {
  const target = resolve(path);
  for (const input of inputs) {
    let same = target === resolve(input.path);
    try {
      same ||= realpathSync(target) === realpathSync(input.path);
    } catch {
      // One of them does not exist yet: they are not the same file.
    }
    if (same) throw new InputError([fileMessage(path, 'outputIsInput', input.what)]);
  }
}

const STDOUT_NAMES = new Set(['/dev/stdout', '/dev/fd/1', '/proc/self/fd/1', '-']);

/** Temporary files being written, removed if the process is interrupted. */
const pending = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let handling = false;

/**
 * Once a file has been written, the handler stays: one removed after a write
 * would drop a signal that arrived during it (Node delivers it later, to no
 * listener, and the process would carry on). Without a write in progress it
 * leaves the signal to another listener (watch mode's), or dies of it.
 */
function onSignal(signal: NodeJS.Signals): void {
  const writing = pending.size > 0;
  for (const file of pending) rmSync(file, { force: true });
  pending.clear();
  if (!writing && process.listenerCount(signal) > 1) return;
  for (const s of SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, signal); // die of the signal, as without the handler
}

function handleSignals(): void {
  if (handling) return;
  handling = true;
  for (const s of SIGNALS) process.on(s, onSignal);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function writeChunks(path: string, chunks: readonly string[], flags: string): Promise<void> {
  const handle = await open(path, flags, 0o666);
  try {
    for (const chunk of chunks) await handle.writeFile(chunk);
  } finally {
    await handle.close();
  }
}

async function replaceAtomically(target: string, chunks: readonly string[], existing: Stats | undefined): Promise<void> {
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  handleSignals();
  pending.add(temporary);
  try {
    await writeChunks(temporary, chunks, 'wx');
    if (existing) {
      await chmod(temporary, existing.mode & 0o7777);
      await chown(temporary, existing.uid, existing.gid).catch(() => {}); // only root may give a file away
    }
    await rename(temporary, target);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw e;
  } finally {
    pending.delete(temporary);
  }
}

/**
 * Write `text` (or its chunks, in order) to `path`, refusing to overwrite any
 * of `inputs`. Errors are InputErrors naming the path.
 */
export async function writeOutput(path: string, text: string | readonly string[], inputs: readonly InputFile[]): Promise<void> {
  if (path === '') throw new UsageError('the output path is empty: give a file name');
  if (/[\\/]$/.test(path)) throw new InputError([fileMessage(path, 'cannotWrite', 'the path ends with a slash, so it names a directory; give a file name')]);
  checkOutputPath(path, inputs);
  const chunks = typeof text === 'string' ? [text] : text;
  if (STDOUT_NAMES.has(path)) {
    // Opening it fails when stdout is a socket (as a parent process's pipe may be): write to it instead.
    for (const chunk of chunks) process.stdout.write(chunk);
    return;
  }
  try {
    const existing = statOrUndefined(path);
    if (existing?.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    const dangling = existing === undefined && isSymbolicLink(path);
    if (existing === undefined ? dangling : !existing.isFile()) {
      await writeChunks(path, chunks, 'w'); // a FIFO, a device, a terminal: straight through
      return;
    }
    const target = existing ? realpathSync(path) : resolve(path); // a symlink to a file keeps pointing at it
    // A rename would replace a file we may not write (it needs only the folder's permission): refuse, as a shell would.
    if (existing && !writable(target)) throw new InputError([fileMessage(path, 'cannotWrite', 'permission denied: the file is read-only')]);
    await replaceAtomically(target, chunks, existing);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError([fileMessage(path, 'cannotWrite', reason(e))]);
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
