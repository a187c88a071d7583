/** Reading input files (with a size limit) and reporting a program's diagnostics. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { compileSource, DEFAULT_CONTEXT, ExportNameError, type Compilation } from '@autodiff/compiler';
import { MAX_SHOWN_PER_CODE, printable } from '@autodiff/diagnostics';
import { formatDiagnostics, MAX_SOURCE_LENGTH, type Diagnostic } from '@autodiff/parser';
import { unknownBindingArgs } from './bindings.js';
import { fileMessage, fileMessageAt } from './diagnostics.js';
import { InputError } from './failures.js';

export interface SourceFile {
  path: string;
  text: string;
}

/** The most each kind of input file may hold. A source file holds at most what the compiler reads. */
export const FILE_LIMITS = {
  source: { what: 'a source file', bytes: MAX_SOURCE_LENGTH },
  params: { what: 'a params file', bytes: 64 * 1024 * 1024 },
  data: { what: 'a data file', bytes: 256 * 1024 * 1024 },
} as const;

export type FileKind = keyof typeof FILE_LIMITS;

export function reason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  return e instanceof Error ? e.message : String(e);
}

class TooLarge extends Error {}

/**
 * At most `limit` bytes of a file, as UTF-8. Anything that can be opened is
 * read the same way, a pipe or a device too, and reading stops as soon as the
 * limit is passed (so `/dev/zero` is an error, not an endless read).
 */
function readLimited(path: string, limit: number): string {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (stat.isFile() && stat.size > limit) throw new TooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.allocUnsafe(1 << 16);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > limit) throw new TooLarge();
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** A file's text, without the byte order mark some editors write first. */
export function readSource(path: string, kind: FileKind = 'source'): SourceFile {
  const { what, bytes } = FILE_LIMITS[kind];
  try {
    const text = readLimited(path, bytes);
    return { path, text: text.startsWith('\uFEFF') ? text.slice(1) : text };
  } catch (e) {
    const line = e instanceof TooLarge
      ? fileMessageAt(path, 1, 1, 'fileTooLarge', what, bytes)
      : fileMessageAt(path, 1, 1, 'unreadableFile', reason(e));
    throw new InputError([line]);
  }
}

/**
 * Print warnings to stderr; throw an InputError holding every diagnostic if
 * any is an error. Many diagnostics of one kind are shown up to a limit and
 * then counted.
 */
export function report(file: SourceFile, diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  const lines = formatDiagnostics(diagnostics, file.path, file.text);
  if (diagnostics.some((d) => d.severity === 'error')) throw new InputError(lines);
  process.stderr.write(lines.join('\n') + '\n');
}

/**
 * Compile a file; report its diagnostics; return the IR. `exports` are
 * bindings to export (named on the command line by `flag`).
 */
export function compileFile(
  file: SourceFile, exports: readonly string[] = [], flag = '--export',
): Required<Pick<Compilation, 'ir' | 'checked' | 'stages'>> {
  const result = compileSource(file.text, DEFAULT_CONTEXT, { exports });
  report(file, result.diagnostics);
  if (result.unknownExports) {
    // As many as were given, but shown as the program's diagnostics are: a limited number, then a count.
    const unknown = result.unknownExports;
    const shown = unknown.slice(0, MAX_SHOWN_PER_CODE).map((name) => fileMessage(file.path, 'unknownBinding', ...unknownBindingArgs(result.checked!, name, flag)));
    const more = unknown.length - shown.length;
    throw new InputError(more > 0 ? [...shown, `${printable(file.path)}: ... and ${more.toLocaleString('en-US')} more errors like this [E232]`] : shown);
  }
  return { ir: result.ir!, checked: result.checked!, stages: result.stages! };
}

/** Runs code generation; an exported binding whose name the module already uses is the input's fault (exit 1). */
export function generating<T>(path: string, generate: () => T): T {
  try {
    return generate();
  } catch (e) {
    if (e instanceof ExportNameError) throw new InputError([fileMessage(path, 'exportNameTaken', e.message)]);
    throw e;
  }
}
