/** Reading source files, reporting diagnostics, writing outputs atomically. */
import { randomBytes } from 'node:crypto';
import { readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { compileSource, type Compilation } from '@autodiff/compiler';
import { diagnostic, formatDiagnostic, type Diagnostic } from '@autodiff/parser';
import { InputError } from './failures.js';

export interface SourceFile {
  path: string;
  text: string;
}

function reason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

export function readSource(path: string): SourceFile {
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (e) {
    const d = diagnostic('unreadableFile', { start: 0, end: 0 }, reason(e));
    throw new InputError([`${path}:1:1: error: ${d.message}`]);
  }
}

/** Print warnings to stderr; throw an InputError holding every diagnostic if any is an error. */
export function report(file: SourceFile, diagnostics: readonly Diagnostic[]): void {
  const lines = diagnostics.map((d) => formatDiagnostic(d, file.path, file.text));
  if (diagnostics.some((d) => d.severity === 'error')) throw new InputError(lines);
  for (const line of lines) process.stderr.write(line + '\n');
}

/** Compile a file; report its diagnostics; return the IR. */
export function compileFile(file: SourceFile): Required<Pick<Compilation, 'ir' | 'checked' | 'stages'>> {
  const result = compileSource(file.text);
  report(file, result.diagnostics);
  return { ir: result.ir!, checked: result.checked!, stages: result.stages! };
}

/** Refuse an output path that names one of the run's input files (before any work is done). */
export function checkOutputPath(path: string, inputs: readonly { path: string; what: string }[]): void {
  const target = resolve(path);
  for (const input of inputs) {
    let same = target === resolve(input.path);
    try {
      same ||= realpathSync(target) === realpathSync(input.path);
    } catch {
      // One of them does not exist yet: they are not the same file.
    }
    if (same) throw new InputError([`${path}: error: refusing to overwrite the ${input.what} with the output; choose another output path`]);
  }
}

/**
 * Write via a temporary file and a rename, so a failed run never leaves a
 * half-written output, and refuse to overwrite the source file itself.
 */
export function writeAtomically(path: string, text: string, source: SourceFile): void {
  checkOutputPath(path, [{ path: source.path, what: 'source file' }]);
  const target = resolve(path);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, target);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw new InputError([`${path}: error: cannot write output: ${reason(e)}`]);
  }
}
