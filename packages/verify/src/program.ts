/** A program ready to be checked: its checked AST (for the tape) and its loaded compiled code. */
import { compileSource, loadCompiled, type Compilation, type CompiledFunctions, type PassContext } from '@autodiff/compiler';
import type { Program as IRProgram } from '@autodiff/ir';
import type { CheckedProgram, Diagnostic } from '@autodiff/parser';
import type { PointValue } from './layout.js';

/** Source text, or the result of `compileSource`. */
export type Program = string | Compilation;

/**
 * Values of a program's params and inputs, by name: numbers, or for a tensor
 * its concrete shape and row-major elements (`{ shape: [2, 3], data }`).
 * The sizes of dimension names are read from the shapes.
 */
export type Point = ReadonlyMap<string, PointValue> | Readonly<Record<string, PointValue>>;

/** The program does not compile; `diagnostics` says why (format them with the parser's `formatDiagnostic`). */
export class ProgramError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; '));
    this.name = 'ProgramError';
  }
}

export interface PreparedProgram {
  checked: CheckedProgram;
  ir: IRProgram;
  compiled: CompiledFunctions;
}

// Loading generated code (new Function) costs more than running it: once per IR.
const loaded = new WeakMap<IRProgram, CompiledFunctions>();

export function prepare(program: Program, context?: PassContext): PreparedProgram {
  const compilation = typeof program === 'string' ? compileSource(program, context) : program;
  const { checked, ir } = compilation;
  if (!checked || !ir) throw new ProgramError(compilation.diagnostics);
  let compiled = loaded.get(ir);
  if (!compiled) {
    compiled = loadCompiled(ir);
    loaded.set(ir, compiled);
  }
  return { checked, ir, compiled };
}

export function pointMap(point: Point): ReadonlyMap<string, PointValue> {
  return point instanceof Map ? point : new Map(Object.entries(point));
}
