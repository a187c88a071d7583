/** The public API: source text -> checked program -> IR -> generated code. */
import { generateModule, type Language } from '@autodiff/codegen';
import { printIR, type IRFunction } from '@autodiff/ir';
import { analyze, type CheckedProgram, type Diagnostic } from '@autodiff/parser';
import { lower } from './lower.js';
import { DEFAULT_CONTEXT, PASSES, type PassContext } from './passes.js';

export interface Stage {
  pass: string;
  ir: IRFunction;
}

export interface Compilation {
  /** Errors and warnings, in source order. */
  diagnostics: Diagnostic[];
  /** Present when there are no errors. */
  checked?: CheckedProgram;
  /** The final IR, with `grads`. */
  ir?: IRFunction;
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

export function emitModule(ir: IRFunction, options: EmitOptions): string {
  return generateModule(ir, options);
}

/** The generated functions, as a program importing the module would see them. */
export interface CompiledFunctions {
  paramNames: readonly string[];
  inputNames: readonly string[];
  forward(p: Record<string, number>, x?: Record<string, number>): number;
  backward(p: Record<string, number>, x?: Record<string, number>): { value: number; grad: Record<string, number> };
  forwardFlat(p: Float64Array, x?: Float64Array): number;
  backwardFlat(p: Float64Array, x: Float64Array, grad: Float64Array): number;
}

/** Generate JavaScript for `ir` and load it in memory (no file, no import). */
export function loadCompiled(ir: IRFunction): CompiledFunctions {
  const body = generateModule(ir, { language: 'js', sourceName: '(in memory)', format: 'function-body' });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(body)() as CompiledFunctions;
}
