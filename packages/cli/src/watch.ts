/**
 * `autodiff compile FILE -o OUT --watch`: compile, then again whenever FILE changes, until
 * interrupted. The folder is watched rather than the file, so an editor that saves by writing
 * a new file and renaming it over the old one is seen too; changes are debounced. A compile
 * that fails prints its diagnostics and writes nothing, so OUT keeps the last good output.
 */
import { realpathSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { printable } from '@autodiff/diagnostics';
import { fileMessage } from './diagnostics.js';
import { InputError, printableLines, UsageError } from './failures.js';
import { checkOutputPath, writeOutput } from './output.js';
import { readSource, reason, type SourceFile } from './source.js';

/** How long a file must be quiet before it is compiled: an editor's save is often several events. */
export const DEBOUNCE_MS = 80;

/** The folders to watch, and the name of the file in each: the path's own, and the file a symlink points to. */
function watchedPlaces(path: string): [string, string][] {
  const places = new Map<string, string>([[resolve(dirname(path)), basename(path)]]);
  try {
    const real = realpathSync(path);
    places.set(dirname(real), basename(real));
  } catch {
    // Not there yet: it is compiled once it appears.
  }
  return [...places];
}

/**
 * Compile `path` to `output` with `build`, then again on every change, until SIGINT (then it
 * resolves, and the command exits 0). Each successful write prints
 * `compiled FILE -> OUT (N ms)` on stderr; each failure its diagnostics.
 */
export function watchCompile(path: string, output: string, build: (file: SourceFile) => readonly string[]): Promise<void> {
  if (output === '') throw new UsageError('the output path is empty: give a file name');
  const inputs = [{ path, what: 'source file' }];
  checkOutputPath(output, inputs);
  const say = (line: string) => process.stderr.write(`${printable(line)}\n`);

  return new Promise<void>((done, fail) => {
    const watchers: FSWatcher[] = [];
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    let again = false;
    let stopping = false;

    const stop = (error?: unknown) => {
      stopping = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
      process.removeListener('SIGINT', interrupted);
      if (error === undefined) done();
      else fail(error);
    };
    // Interrupted while writing: the write's own handler removes its temporary file and ends
    // the process (output.ts); between two writes, stop. This listener is removed only after the
    // signal's other listeners have run: output.ts's leaves the signal to it while it is there.
    const interrupted = () => {
      stopping = true;
      setImmediate(() => {
        if (!running) stop();
      });
    };

    const compileOnce = async () => {
      const started = performance.now();
      let chunks: readonly string[];
      try {
        chunks = build(readSource(path));
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        // One write: a reader sees the diagnostics and the verdict together.
        process.stderr.write(printableLines([...e.lines, `not compiled: ${output} is unchanged`]));
        return;
      }
      try {
        await writeOutput(output, chunks, inputs);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        process.stderr.write(printableLines(e.lines));
        return;
      }
      say(`compiled ${path} -> ${output} (${Math.round(performance.now() - started)} ms)`);
    };

    const run = async () => {
      if (running) {
        again = true; // compiled once more when this run ends
        return;
      }
      running = true;
      do {
        again = false;
        try {
          await compileOnce();
        } catch (e) {
          say(`autodiff: internal error: ${e instanceof Error ? e.message : String(e)}`);
        }
      } while (again && !stopping);
      running = false;
      if (stopping) stop();
    };

    const changed = () => {
      if (stopping) return;
      clearTimeout(timer);
      timer = setTimeout(() => void run(), DEBOUNCE_MS);
    };

    process.on('SIGINT', interrupted);
    try {
      for (const [folder, name] of watchedPlaces(path)) {
        // Some platforms give no file name: then any change in the folder may be the file's.
        const watcher = watch(folder, (_event, file) => {
          if (file === null || file === name) changed();
        });
        watcher.on('error', (e) => stop(new InputError([fileMessage(path, 'unreadableFile', `cannot watch its folder any more: ${reason(e)}`)])));
        watchers.push(watcher);
      }
    } catch (e) {
      stop(new InputError([fileMessage(path, 'unreadableFile', `cannot watch its folder: ${reason(e)}`)]));
      return;
    }
    void run().then(() => {
      if (!stopping) say(`watching ${path} for changes (Ctrl-C stops)`);
    });
  });
}
