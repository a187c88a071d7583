/** `autodiff compile FILE [-o OUT] [--emit ts|js|ir]` */
import { basename } from 'node:path';
import { emitModule, stageTexts } from '@autodiff/compiler';
import { fileMessage } from './diagnostics.js';
import { InputError, UsageError } from './failures.js';
import { writeOutput } from './output.js';
import { compileFile, generating, readSource } from './source.js';

export interface CompileOptions {
  output?: string | undefined;
  emit?: string | undefined;
  /** Bindings to export as functions of their own (`--export NAME`, repeatable). */
  exports?: readonly string[];
}

export async function compileCommand(path: string, options: CompileOptions): Promise<void> {
  const emit = options.emit ?? 'ts';
  if (emit !== 'ts' && emit !== 'js' && emit !== 'ir') throw new UsageError(`--emit must be ts, js or ir, not '${emit}'`);
  const file = readSource(path);
  const { ir, stages } = compileFile(file, [...new Set(options.exports ?? [])]);
  let chunks: string[];
  try {
    chunks = emit === 'ir' ? stageTexts(stages) : [generating(path, () => emitModule(ir, { language: emit, sourceName: basename(path), source: file.text }))];
  } catch (e) {
    // V8 cannot make a string this long (the program is near the compiler's size limits).
    if (e instanceof RangeError && /string length/i.test(e.message)) throw new InputError([fileMessage(path, 'outputTooLarge')]);
    throw e;
  }
  if (options.output === undefined) for (const chunk of chunks) process.stdout.write(chunk);
  else await writeOutput(options.output, chunks, [{ path: file.path, what: 'source file' }]);
}
