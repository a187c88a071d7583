/**
 * Our compiler's output for a workload: compiled with `compileSource`, loaded
 * in memory with `loadCompiled` (the same JavaScript the emitted module holds),
 * and, to confirm the two run alike, the emitted ES module written to a
 * temporary folder and imported.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileSource, emitModule, loadCompiled, type CompiledFunctions } from '@autodiff/compiler';
import type { CheckedProgram } from '@autodiff/parser';
import { formatDiagnostic } from '@autodiff/parser';
import type { Program } from '@autodiff/ir';
import type { GradientFn, ValueFn } from './gradient.js';

export interface Generated {
  checked: CheckedProgram;
  ir: Program;
  functions: CompiledFunctions;
  /** The emitted JavaScript module. */
  module: string;
}

export function compileProgram(source: string, sourceName: string): Generated {
  const { checked, ir, diagnostics } = compileSource(source);
  if (!checked || !ir) throw new Error(diagnostics.map((d) => formatDiagnostic(d, sourceName, source)).join('\n'));
  return { checked, ir, functions: loadCompiled(ir), module: emitModule(ir, { language: 'js', sourceName }) };
}

/** The text of `function NAME(...) {...}` in an emitted module (its body ends at the first line that is just `}`). */
export function functionText(module: string, name: string): string {
  const start = module.indexOf(`function ${name}(`);
  const end = module.indexOf('\n}\n', start);
  if (start < 0 || end < 0) throw new Error(`no function ${name} in the emitted module`);
  return module.slice(start, end + 2);
}

let folder: string | undefined;

/** Imports the emitted module from a file, as a program using it would. */
export async function importModule(module: string, name: string): Promise<{ forwardFlat: ValueFn; backwardFlat: GradientFn }> {
  folder ??= mkdtempSync(join(tmpdir(), 'autodiff-bench-'));
  const file = join(folder, `${name}.mjs`);
  writeFileSync(file, module);
  return (await import(pathToFileURL(file).href)) as { forwardFlat: ValueFn; backwardFlat: GradientFn };
}

export function removeImportedModules(): void {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
}
