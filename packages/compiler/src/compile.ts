/** The public API: source text -> checked program -> IR -> generated code. */
import { generateModule, type Language } from '@autodiff/codegen';
import { printIR, type Program } from '@autodiff/ir';
import { analyze, type CheckedProgram, type Diagnostic } from '@autodiff/parser';
import { lower } from './lower.js';
import { DEFAULT_CONTEXT, PASSES, type PassContext } from './passes.js';

export interface Stage {
  pass: string;
  ir: Program;
}

export interface Compilation {
  /** Errors and warnings, in source order. */
  diagnostics: Diagnostic[];
  /** Present when there are no errors. */
  checked?: CheckedProgram;
  /** The final IR: the value and one gradient output per param. */
  ir?: Program;
  /** IR after lowering and after each pass. */
  stages?: Stage[];
}

export function compileSource(source: string, context: PassContext = DEFAULT_CONTEXT): Compilation {
  const { checked, diagnostics } = analyze(source);
  if (!checked) return { diagnostics };
  let ir = lower(checked);
  const stages: Stage[] = [{ pass: 'lower', ir }];
  for (const pass of PASSES) {
    ir = pass.run(ir, context);
    stages.push({ pass: pass.name, ir });
  }
  return { diagnostics, checked, ir, stages };
}

/**
 * Every stage's IR as text, each under a `# after PASS` heading: one string
 * per stage (joined, they are the whole printout), as they can be large.
 */
export function stageTexts(stages: readonly Stage[]): string[] {
  return stages.map((s, i) => `${i === 0 ? '' : '\n'}# after ${s.pass}\n${printIR(s.ir)}`);
}

export interface EmitOptions {
  language: Language;
  sourceName: string;
  source?: string;
}

export function emitModule(ir: Program, options: EmitOptions): string {
  return generateModule(ir, options);
}

/** A param's or input's value in the named API: a number, or a Float64Array for a tensor. */
export type NamedValue = number | Float64Array;

/**
 * The generated functions, as a program importing the module would see them.
 * Tensor programs take each dimension name's size as a trailing argument of
 * the flat forms, in `dimNames` order (generated.md, v2).
 */
export interface CompiledFunctions {
  paramNames: readonly string[];
  inputNames: readonly string[];
  /** Present for programs with a shaped declaration. */
  paramShapes?: readonly (readonly (number | string)[])[];
  inputShapes?: readonly (readonly (number | string)[])[];
  dimNames?: readonly string[];
  paramSize?: number;
  forward(p: Record<string, NamedValue>, x?: Record<string, NamedValue>): number;
  backward(p: Record<string, NamedValue>, x?: Record<string, NamedValue>): { value: number; grad: Record<string, NamedValue> };
  forwardFlat(p: Float64Array, x?: Float64Array, ...dims: number[]): number;
  backwardFlat(p: Float64Array, x: Float64Array, grad: Float64Array, ...dims: number[]): number;
}

/** Generate JavaScript for `ir` and load it in memory (no file, no import). */
export function loadCompiled(ir: Program): CompiledFunctions {
  const body = generateModule(ir, { language: 'js', sourceName: '(in memory)', format: 'function-body' });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(body)() as CompiledFunctions;
}
