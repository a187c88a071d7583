/**
 * The compile API of `@autodiff/cli` (`import { compile, load, ad } from '@autodiff/cli'`).
 *
 * - {@link compile} turns a program's source text into the module `autodiff compile` writes (or
 *   its IR), with the diagnostics as data; it never throws on bad source.
 * - {@link load} compiles a program in memory and returns its functions, ready to call; bad
 *   source throws one {@link CompileError}.
 * - {@link ad} is `load` as a tagged template.
 *
 * The same in Node and in the browser: nothing here imports a Node module, and every type the
 * API uses is declared in this file (the package's types are this file's declarations alone).
 */
import { compileSource, DEFAULT_CONTEXT, emitModule, ExportNameError, loadCompiled, stageTexts, type Compilation } from '@autodiff/compiler';
import { messageOf, type MessageArgs } from '@autodiff/diagnostics';
import { formatDiagnostics, LineIndex, type Diagnostic as SourceDiagnostic } from '@autodiff/parser';
import { unknownBindingArgs } from './bindings.js';
import { CLI_DIAGNOSTICS, fileMessage } from './diagnostics.js';

/** What {@link compile} produces: a TypeScript module, the same module as JavaScript, or the IR after each pass. */
export type Emit = 'ts' | 'js' | 'ir';

/** Options of {@link compile}. */
export interface CompileOptions {
  /**
   * The file the source comes from, for diagnostics (`loss.ad:3:18: ...`) and, without its
   * folders, for the generated module's header. Default `'<input>'`.
   */
  fileName?: string;
  /** `'ts'` (default): a TypeScript module; `'js'`: the same as JavaScript (ESM); `'ir'`: the IR after lowering and after each pass. */
  emit?: Emit;
  /**
   * Bindings to export as functions of their own, beside `forward` and `backward`: a binding
   * `score` becomes `score(p, x)` and `scoreFlat(p, x, out, ...dims)` (as `autodiff compile
   * --export score`). A name that is not a binding of the program is an error diagnostic (E232).
   */
  exports?: readonly string[];
}

/** Options of {@link load}. */
export interface LoadOptions {
  /** The file the source comes from, for the diagnostics of a {@link CompileError}. Default `'<input>'`. */
  fileName?: string;
  /** Bindings to export: their functions are in {@link CompiledFunctions.exportFlat}. */
  exports?: readonly string[];
}

/** How bad a diagnostic is: an `'error'` stops compilation, a `'warning'` does not. */
export type Severity = 'error' | 'warning';

/** A place in the source: 1-based line and column, and the offset and length of the text meant. */
export interface SourcePosition {
  /** 1-based line. A line ends at `\n`, `\r\n` or a lone `\r`. */
  readonly line: number;
  /** 1-based column, in UTF-16 code units (JavaScript string indices) from the start of the line. */
  readonly column: number;
  /** 0-based offset of the place in the source string (after a leading byte order mark, if any, is dropped). */
  readonly offset: number;
  /** How many UTF-16 code units the diagnostic is about, from `offset` (0 at the end of the input, or for the whole file). */
  readonly length: number;
}

/** A second place a diagnostic points at, e.g. where a `(` that is never closed was opened. */
export interface DiagnosticNote extends SourcePosition {
  /** What is at that place, e.g. `the '(' is opened here`. */
  readonly message: string;
}

/**
 * One problem found in a program, as data. `code` is stable (`E006`: an operand is missing;
 * the README lists them); `message` is one line, without the position. A diagnostic about the
 * options rather than a place in the text (an unknown `exports` name, E232) is at line 1,
 * column 1, with length 0.
 */
export interface Diagnostic extends SourcePosition {
  /** The stable code of the problem: `E0xx` syntax, `E1xx` names, `E3xx` shapes, `W2xx` warnings, `E209`, `E232`, `E233`, `E235` an output too large, the `exports` option, internal errors. */
  readonly code: string;
  /** `'error'` (no code is generated) or `'warning'`. */
  readonly severity: Severity;
  /** What is wrong, in one line, without the file name and position. */
  readonly message: string;
  /** Further places it points at (empty for most). */
  readonly notes: readonly DiagnosticNote[];
}

/** What {@link compile} returns. */
export interface CompileResult {
  /**
   * The generated module (or, with `emit: 'ir'`, the IR printout), byte for byte what
   * `autodiff compile` writes for the same file; absent when there is an error diagnostic.
   */
  code?: string;
  /** Every error and warning, in source order (warnings too when `code` is present). */
  diagnostics: Diagnostic[];
  /**
   * The diagnostics as the `autodiff` command prints them (`file:line:col: error[CODE]:
   * message`, the source line and a caret under the fault, at most 50 per code and the rest
   * counted), lines joined with `\n`, no final newline; `''` when there are none.
   */
  formatted: string;
}

/** A param's or input's value in the named API: a number, or a `Float64Array` (row-major) for a tensor. */
export type NamedValue = number | Float64Array;

/**
 * A compiled program's functions, as a program importing its generated module sees them
 * (the module's contract: params and inputs by name, or flat `Float64Array`s in declaration
 * order for hot loops). Tensor programs take each dimension name's size as a trailing
 * argument of the flat forms, in `dimNames` order.
 */
export interface CompiledFunctions {
  /** The params, in declaration order: the order of the flat arrays. */
  readonly paramNames: readonly string[];
  /** The inputs, in declaration order. */
  readonly inputNames: readonly string[];
  /** Each param's shape (`[]` for a scalar); present for programs with a shaped declaration. */
  readonly paramShapes?: readonly (readonly (number | string)[])[];
  /** Each input's shape, dimension names as strings; present for programs with a shaped declaration. */
  readonly inputShapes?: readonly (readonly (number | string)[])[];
  /** The dimension names, in order of first appearance; present for programs with a shaped declaration. */
  readonly dimNames?: readonly string[];
  /** How many numbers all params hold together: the length of the flat `p` and `grad`; present for programs with a shaped declaration. */
  readonly paramSize?: number;
  /** The program's output at `p` and `x` (a missing or mistyped value throws a `TypeError` or `RangeError` naming it). */
  forward(p: Record<string, NamedValue>, x?: Record<string, NamedValue>): number;
  /** The output and its gradient with respect to every param (`grad` has one entry per param, fresh arrays for tensors). */
  backward(p: Record<string, NamedValue>, x?: Record<string, NamedValue>): { value: number; grad: Record<string, NamedValue> };
  /** The output, from flat params and inputs (nothing is checked or allocated). */
  forwardFlat(p: Float64Array, x?: Float64Array, ...dims: number[]): number;
  /** The output, returned, and its gradient, written into `grad` (nothing is checked or allocated). */
  backwardFlat(p: Float64Array, x: Float64Array, grad: Float64Array, ...dims: number[]): number;
  /** Each exported binding's flat function (see {@link LoadOptions.exports}): writes its value into `out`, row-major. */
  readonly exportFlat?: Readonly<Record<string, (p: Float64Array, x: Float64Array, out: Float64Array, ...dims: number[]) => void>>;
}

/** What {@link load} and {@link ad} throw when the program has an error: every diagnostic, as data and as text. */
export class CompileError extends Error {
  /** Every error and warning of the program, as {@link compile} gives them. */
  readonly diagnostics: readonly Diagnostic[];
  /** The diagnostics as the `autodiff` command prints them (also the error's `message`). */
  readonly formatted: string;

  /** A CompileError for these diagnostics (`formatted` is their text, as in {@link CompileResult.formatted}). */
  constructor(diagnostics: readonly Diagnostic[], formatted: string, options?: { cause?: unknown }) {
    super(formatted, options);
    this.name = 'CompileError';
    this.diagnostics = diagnostics;
    this.formatted = formatted;
  }
}

const DEFAULT_FILE_NAME = '<input>';
const EMITS: readonly string[] = ['ts', 'js', 'ir'];

type CliKind = keyof typeof CLI_DIAGNOSTICS;

/** Diagnostics found so far, as data and as the command's text. */
class Report {
  readonly diagnostics: Diagnostic[] = [];
  readonly lines: string[] = [];
  errors = false;

  constructor(readonly fileName: string, readonly text: string) {}

  /** The program's own diagnostics (each at a span of the text). */
  addSource(found: readonly SourceDiagnostic[]): void {
    if (found.length === 0) return;
    const index = new LineIndex(this.text);
    const at = (span: { start: number; end: number }): SourcePosition => {
      const { line, column } = index.position(span.start);
      return { line, column, offset: span.start, length: Math.max(0, span.end - span.start) };
    };
    for (const d of found) {
      this.diagnostics.push({
        code: d.code, severity: severity(d.severity), message: d.message, ...at(d.span),
        notes: (d.notes ?? []).map((n) => ({ message: n.message, ...at(n.span) })),
      });
      if (d.severity === 'error') this.errors = true;
    }
    for (const line of formatDiagnostics(found, this.fileName, this.text)) this.lines.push(line);
  }

  /** A diagnostic about the whole file or the options (no place in the text): the command's row and text. */
  addFile<K extends CliKind>(kind: K, ...args: MessageArgs<(typeof CLI_DIAGNOSTICS)[K]>): void {
    const row = CLI_DIAGNOSTICS[kind];
    this.diagnostics.push({
      code: row.code, severity: severity(row.severity), message: messageOf(row, args), line: 1, column: 1, offset: 0, length: 0, notes: [],
    });
    this.lines.push(fileMessage(this.fileName, kind, ...args));
    if (row.severity === 'error') this.errors = true;
  }

  /** What went wrong in `run`: the input's fault where it is (an export name the module uses, a huge output), else a bug. */
  addThrown(e: unknown): void {
    if (e instanceof ExportNameError) this.addFile('exportNameTaken', e.message);
    // V8 cannot make a string this long (the program is near the compiler's size limits).
    else if (e instanceof RangeError && /string length/i.test(e.message)) this.addFile('outputTooLarge');
    else this.addFile('internalError', e instanceof Error ? e.message : String(e));
  }

  get formatted(): string {
    return this.lines.join('\n');
  }
}

function severity(s: string): Severity {
  return s === 'error' ? 'error' : 'warning';
}

/** Checks what plain JavaScript may pass: arguments of the wrong type are a TypeError (bad source never is). */
function checkArguments(api: string, source: unknown, options: unknown): void {
  if (typeof source !== 'string') throw new TypeError(`${api}: the source must be a string, not ${describe(source)}`);
  if (options === null || typeof options !== 'object') throw new TypeError(`${api}: the options must be an object, not ${describe(options)}`);
  const { fileName, emit, exports } = options as Record<string, unknown>;
  if (fileName !== undefined && typeof fileName !== 'string') throw new TypeError(`${api}: options.fileName must be a string, not ${describe(fileName)}`);
  if (emit !== undefined && !EMITS.includes(emit as string)) throw new TypeError(`${api}: options.emit must be 'ts', 'js' or 'ir', not ${describe(emit)}`);
  if (exports !== undefined && !(Array.isArray(exports) && exports.every((e) => typeof e === 'string'))) {
    throw new TypeError(`${api}: options.exports must be an array of strings`);
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value) : value === null ? 'null' : typeof value;
}

/** The file name without its folders, as the generated module's header gives it (the command uses the path's basename). */
function baseName(fileName: string): string {
  return fileName.replace(/^.*[\\/]/, '') || fileName;
}

/**
 * Compile `source` and, if it has no error, make something of the result. Everything thrown
 * on the way becomes a diagnostic: no input makes this throw.
 */
function run<T>(source: string, fileName: string, exports: readonly string[], make: (compiled: Required<Pick<Compilation, 'ir' | 'stages'>>, text: string) => T) {
  // A byte order mark is no character of the program (the command drops it when it reads a file).
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const report = new Report(fileName, text);
  let value: T | undefined;
  try {
    const result = compileSource(text, DEFAULT_CONTEXT, { exports: [...new Set(exports)] });
    report.addSource(result.diagnostics);
    if (result.unknownExports) {
      for (const name of result.unknownExports) report.addFile('unknownBinding', ...unknownBindingArgs(result.checked!, name, "the option 'exports'"));
    } else if (!report.errors && result.ir && result.stages) {
      value = make({ ir: result.ir, stages: result.stages }, text);
    } else if (!report.errors) {
      report.addFile('internalError', 'the compiler gave no IR and no error');
    }
  } catch (e) {
    report.addThrown(e);
  }
  return { value: report.errors ? undefined : value, report };
}

/**
 * Compiles a program's source text to a standalone module: what `autodiff compile` writes
 * (byte for byte, given the file's path as `fileName`), or its IR.
 *
 * Never throws on bad source: syntax, name and shape errors, and any internal error, are
 * returned as diagnostics (then `code` is absent). It throws only a `TypeError` for arguments
 * of the wrong type (which TypeScript rejects anyway). A leading byte order mark is ignored.
 *
 * @example
 * ```ts
 * const { code, diagnostics, formatted } = compile(text, { fileName: 'loss.ad', emit: 'js' });
 * if (code === undefined) console.error(formatted);   // loss.ad:3:18: error[E006]: ...
 * ```
 */
export function compile(source: string, options: CompileOptions = {}): CompileResult {
  checkArguments('compile', source, options);
  const fileName = options.fileName ?? DEFAULT_FILE_NAME;
  const emit = options.emit ?? 'ts';
  const { value, report } = run(source, fileName, options.exports ?? [], ({ ir, stages }, text) =>
    emit === 'ir' ? stageTexts(stages).join('') : emitModule(ir, { language: emit, sourceName: baseName(fileName), source: text }));
  return value === undefined ? { diagnostics: report.diagnostics, formatted: report.formatted } : { code: value, diagnostics: report.diagnostics, formatted: report.formatted };
}

/**
 * Compiles a program in memory and returns its functions (generated JavaScript, evaluated with
 * `new Function`: no file, no import; a page whose Content Security Policy forbids
 * `'unsafe-eval'` cannot use it, but can use {@link compile} at build time).
 *
 * @throws {CompileError} when the program has an error (every diagnostic is in it; warnings alone do not throw).
 * @throws {TypeError} for arguments of the wrong type.
 *
 * @example
 * ```ts
 * const f = load('param w\ninput x\n(w*x - 1)^2');
 * f.backward({ w: 3 }, { x: 2 });   // { value: 25, grad: { w: 20 } }
 * ```
 */
export function load(source: string, options: LoadOptions = {}): CompiledFunctions {
  checkArguments('load', source, options);
  let cause: unknown;
  const { value, report } = run(source, options.fileName ?? DEFAULT_FILE_NAME, options.exports ?? [], ({ ir }): CompiledFunctions => {
    try {
      return loadCompiled(ir);
    } catch (e) {
      cause = e;
      throw e;
    }
  });
  if (value === undefined) throw new CompileError(report.diagnostics, report.formatted, cause === undefined ? undefined : { cause });
  return value;
}

/** A number as a literal of the language: negative numbers (and -0) in parentheses, so `x^${-2}` means `x^(-2)`. */
function literal(value: number): string {
  return value < 0 || Object.is(value, -0) ? `(-${String(-value)})` : String(value);
}

/**
 * {@link load} as a tagged template: the program's functions, compiled in memory.
 * Interpolated values must be finite numbers; each is written into the source as a literal.
 * Each call compiles again: keep the result rather than calling it in a loop.
 *
 * @throws {CompileError} when the program has an error.
 * @throws {TypeError} for an interpolated value that is not a finite number.
 *
 * @example
 * ```ts
 * const target = 1;
 * const f = ad`
 *   param w
 *   input x
 *   loss = (w*x - ${target})^2
 * `;
 * f.backward({ w: 3 }, { x: 2 }).grad.w;   // 20
 * ```
 */
export function ad(strings: TemplateStringsArray, ...values: number[]): CompiledFunctions {
  if (!Array.isArray(strings)) throw new TypeError('ad is a tagged template: write ad`...`');
  let source = '';
  for (let i = 0; i < strings.length; i++) {
    const part = strings[i];
    if (typeof part !== 'string') throw new TypeError('ad`...`: the template has an invalid escape sequence');
    source += part;
    if (i < values.length) {
      const value: unknown = values[i];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new TypeError(`ad\`...\`: interpolation ${i + 1} is ${typeof value === 'number' ? String(value) : describe(value)}; only finite numbers can be written into a formula`);
      }
      source += literal(value);
    }
  }
  return load(source);
}
