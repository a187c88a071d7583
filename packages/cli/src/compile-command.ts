/** `autodiff compile FILE [-o OUT] [--emit ts|js|ir]` */
import { emitModule, printStages } from '@autodiff/compiler';
import { basename } from 'node:path';
import { UsageError } from './failures.js';
import { compileFile, readSource, writeAtomically } from './source.js';

export interface CompileOptions {
  output?: string;
  emit?: string;
}

export function compileCommand(path: string, options: CompileOptions): void {
  const emit = options.emit ?? 'ts';
  if (emit !== 'ts' && emit !== 'js' && emit !== 'ir') throw new UsageError(`--emit must be ts, js or ir, not '${emit}'`);
  const file = readSource(path);
  const { ir, stages } = compileFile(file);
  const text = emit === 'ir'
    ? printStages(stages)
    : emitModule(ir, { language: emit, sourceName: basename(path), source: file.text });
  if (options.output === undefined) process.stdout.write(text);
  else writeAtomically(options.output, text, file);
}
