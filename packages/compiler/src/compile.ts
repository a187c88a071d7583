/** The public API: source text -> checked program -> IR -> generated code. */
import { generateModule, type Language } from '@autodiff/codegen';
import { exportsOf, printIR, topoOrder, type Program } from '@autodiff/ir';
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
  /** Names given to export that are not bindings of the program (then there is no IR). */
  unknownExports?: string[];
}

export interface CompileOptions {
  /** Bindings to export as functions of their own beside forward and backward (`compile --export NAME`). */
  exports?: readonly string[];
}

export function compileSource(source: string, context: PassContext = DEFAULT_CONTEXT, options: CompileOptions = {}): Compilation {
  const { checked, diagnostics } = analyze(source);
  if (!checked) return { diagnostics };
  const bindings = new Set(checked.program.statements.flatMap((s) => (s.kind === 'bind' ? [s.target.name] : [])));
  const unknownExports = (options.exports ?? []).filter((name) => !bindings.has(name));
  if (unknownExports.length > 0) return { diagnostics, checked, unknownExports };
  let ir = lower(checked, options.exports);
  const stages: Stage[] = [{ pass: 'lower', ir }];
  for (const pass of PASSES) {
    ir = pass.run(ir, context);
    stages.push({ pass: pass.name, ir });
  }
  // An exported binding is evaluated: "bound but never used by the output" (W201) is not true of it.
  const exported = new Set(options.exports ?? []);
  const used = (d: Diagnostic) => d.code === 'W201' && exported.has(source.slice(d.span.start, d.span.end));
  return { diagnostics: exported.size === 0 ? diagnostics : diagnostics.filter((d) => !used(d)), checked, ir, stages };
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
  /** Large matrix products on a WebAssembly SIMD kernel where the host has one (default true). */
  wasm?: boolean;
}

export function emitModule(ir: Program, options: EmitOptions): string {
  return generateModule(ir, options);
}

/** The inputs the exported bindings read (their values need no labels, say), by name. */
export function inputsOfExports(ir: Program): Set<string> {
  const reached = topoOrder(exportsOf(ir).map((e) => e.node));
  return new Set(reached.filter((n) => n.op === 'input').map((n) => n.name!));
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
  /** Each exported binding's flat function (`compile --export NAME`): writes its value into `out`, row-major. */
  exportFlat?: Readonly<Record<string, (p: Float64Array, x: Float64Array, out: Float64Array, ...dims: number[]) => void>>;
}

/** Generate JavaScript for `ir` and load it in memory (no file, no import). */
export function loadCompiled(ir: Program, options: { wasm?: boolean } = {}): CompiledFunctions {
  const body = generateModule(ir, { language: 'js', sourceName: '(in memory)', format: 'function-body', ...options });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(body)() as CompiledFunctions;
}
