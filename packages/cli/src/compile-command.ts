/** `autodiff compile FILE [-o OUT] [--emit ts|js|ir] [--export NAME...] [--watch]` */
import { basename } from 'node:path';
import { emitModule, stageTexts } from '@autodiff/compiler';
import { fileMessage } from './diagnostics.js';
import { InputError, UsageError } from './failures.js';
import { writeOutput } from './output.js';
import { compileFile, generating, readSource, type SourceFile } from './source.js';
import { watchCompile } from './watch.js';

export interface CompileOptions {
  output?: string | undefined;
  emit?: string | undefined;
  /** Bindings to export as functions of their own (`--export NAME`, repeatable). */
  exports?: readonly string[];
  /** Recompile whenever the file changes, until interrupted (`--watch`; needs `output`). */
  watch?: boolean;
}

type Emit = 'ts' | 'js' | 'ir';

/** The output for a source file, in chunks (the IR of a large program is long); an InputError if the program is wrong. */
export function compileChunks(file: SourceFile, emit: Emit, exports: readonly string[]): string[] {
  const { ir, stages } = compileFile(file, [...new Set(exports)]);
  try {
    return emit === 'ir' ? stageTexts(stages) : [generating(file.path, () => emitModule(ir, { language: emit, sourceName: basename(file.path), source: file.text }))];
  } catch (e) {
    // V8 cannot make a string this long (the program is near the compiler's size limits).
    if (e instanceof RangeError && /string length/i.test(e.message)) throw new InputError([fileMessage(file.path, 'outputTooLarge')]);
    throw e;
  }
}

export async function compileCommand(path: string, options: CompileOptions): Promise<void> {
  const emit = options.emit ?? 'ts';
  if (emit !== 'ts' && emit !== 'js' && emit !== 'ir') throw new UsageError(`--emit must be ts, js or ir, not '${emit}'`);
  const exports = options.exports ?? [];
  if (options.watch) {
    if (options.output === undefined) throw new UsageError('--watch needs -o OUT: the file to keep up to date');
    await watchCompile(path, options.output, (file) => compileChunks(file, emit, exports));
    return;
  }
  const chunks = compileChunks(readSource(path), emit, exports);
  if (options.output === undefined) for (const chunk of chunks) process.stdout.write(chunk);
  else await writeOutput(options.output, chunks, [{ path, what: 'source file' }]);
}
