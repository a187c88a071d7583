/** From a compilation to what the views show (plain data), plus what the worker keeps. */
import { emitModule, loadCompiled, type Compilation, type CompiledFunctions } from '@autodiff/compiler';
import { gradsOf, opNamed, outputsOf, topoOrder, valueOf, type Program, type Node } from '@autodiff/ir';
import { capPerCode, LineIndex, type CheckedProgram, type Diagnostic } from '@autodiff/parser';
import { initialParams, initialTensorParams, seededRandom } from '@autodiff/runtime';
import { FIT_DEFAULTS } from '@autodiff/train';
import type { EditorDiagnostic, MathModel, ProgramModel, TooLarge } from '../worker/protocol.js';
import { batchInfoOf } from './batch.js';
import { boxedNodes, graphModelOf } from './graph-model.js';
import { offsetsOf } from './layout.js';
import { latexName, toLatex } from './latex.js';
import { sourceMapOf } from './spans.js';

/** Graphs with more boxes than this are not drawn (a layout of thousands of boxes helps nobody). */
export const GRAPH_LIMIT = 300;
/** Programs with more IR nodes than this are not typeset. */
export const MATH_LIMIT = 1000;

export interface LoadedProgram {
  checked: CheckedProgram;
  ir: Program;
  compiled: CompiledFunctions;
  /** The boxed nodes, when the graph is drawn. */
  graphNodes: Node[];
  model: ProgramModel;
  /** The source (the prediction binding is compiled again, as an export, when training needs it). */
  source: string;
}

/**
 * The diagnostics the editor marks: as the CLI shows them, the first few of
 * each code, and then one mark that counts the rest (an editor with 100,000
 * marks is no help, and slow).
 */
export function editorDiagnostics(diagnostics: readonly Diagnostic[], source: string): EditorDiagnostic[] {
  const lines = new LineIndex(source);
  const mark = (d: Diagnostic): EditorDiagnostic => {
    const { line, column } = lines.position(d.span.start);
    const notes = (d.notes ?? []).map((n) => {
      const at = lines.position(n.span.start);
      return ` (${n.message}, at ${at.line}:${at.column})`;
    });
    const severity = d.severity === 'error' ? 'error' : 'warning';
    return { from: d.span.start, to: d.span.end, severity, code: d.code, message: d.message + notes.join(''), line, column };
  };
  const { shown, hidden } = capPerCode(diagnostics);
  return [
    ...shown.map(mark),
    ...hidden.map(({ count, first }) => {
      const m = mark(first);
      return { ...m, message: `... and ${count.toLocaleString('en-US')} more like this (${m.message})` };
    }),
  ];
}

const tooLarge = (nodeCount: number, limit: number): TooLarge => ({ tooLarge: true, nodeCount, limit });

export function loadProgram(compilation: Compilation, source: string): LoadedProgram | undefined {
  const { checked, ir } = compilation;
  if (!checked || !ir) return undefined;
  const boxed = boxedNodes(ir);
  const graphNodes = boxed.length <= GRAPH_LIMIT ? boxed : [];
  const reachable = topoOrder(outputsOf(ir)).length;
  // Spans and binding names serve only the graph and the math: skip them for huge programs.
  const sourceMap = boxed.length <= GRAPH_LIMIT || reachable <= MATH_LIMIT
    ? sourceMapOf(checked, ir)
    : { spans: new Map(), bindingNames: new Map() };
  const compiled = loadCompiled(ir);
  // A shaped declaration gives the module of tensor programs; its flat API takes each param and input as
  // its elements (row-major) and each dimension name's size. Otherwise every leaf is one number.
  const tensor = compiled.paramShapes !== undefined;
  const paramShapes = tensor ? ir.params.map((p) => [...p.shape]) : ir.params.map(() => []);
  const inputShapes = tensor ? ir.inputs.map((x) => [...x.shape]) : ir.inputs.map(() => []);
  const paramSize = offsetsOf(paramShapes, new Map()).total;
  const model: ProgramModel = {
    paramNames: checked.params.map((p) => p.name),
    inputNames: checked.inputs.map((x) => x.name),
    tensor,
    paramShapes,
    inputShapes,
    dimNames: tensor ? [...(compiled.dimNames ?? [])] : [],
    labels: ir.inputs.map((x) => labelCount(ir, x)),
    // As `autodiff fit` starts: a tensor program's matrices glorot and its vectors 0; a scalar program's uniform.
    initialParams: [...(tensor && paramShapes.every((s) => s.every((d) => typeof d === 'number'))
      ? initialTensorParams(paramShapes as number[][], undefined, seededRandom(FIT_DEFAULTS.seed))
      : initialParams(paramSize, FIT_DEFAULTS.init, seededRandom(FIT_DEFAULTS.seed)))],
    initScale: FIT_DEFAULTS.init.scale,
    typescript: emitModule(ir, { language: 'ts', sourceName: 'playground.txt', source }),
    graph: boxed.length <= GRAPH_LIMIT ? graphModelOf(ir, sourceMap) : tooLarge(boxed.length, GRAPH_LIMIT),
    math: reachable <= MATH_LIMIT ? mathOf(checked, ir, sourceMap.bindingNames) : tooLarge(reachable, MATH_LIMIT),
  };
  const batch = tensor ? batchInfoOf(checked) : undefined;
  if (batch) model.batch = batch;
  return { checked, ir, compiled, graphNodes, model, source };
}

/** For an input that `onehot` reads: its number of classes (its values must be integers below it); else null. */
function labelCount(ir: Program, input: Node): number | null {
  let k: number | null = null;
  for (const n of topoOrder(outputsOf(ir))) {
    const classes = n.args[0] === input ? opNamed(n.op).labels?.(n.attrs) : undefined; // onehot's (the op table's `labels`)
    if (classes !== undefined) k = Math.min(k ?? Infinity, classes);
  }
  return k;
}

function mathOf(checked: CheckedProgram, ir: Program, bindingNames: ReadonlyMap<Node, string>): MathModel {
  const statements = checked.program.statements;
  const last = statements[statements.length - 1];
  const output = last?.kind === 'bind' ? last.target.name : 'f';
  const grads = gradsOf(ir) ?? [];
  const { roots, definitions } = toLatex([valueOf(ir), ...grads], { names: bindingNames });
  return {
    outputName: latexName(output),
    value: roots[0]!,
    partials: grads.map((_, i) => ({ param: latexName(ir.params[i]!.name!), latex: roots[i + 1]! })),
    definitions,
  };
}
