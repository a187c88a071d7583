export { compileSource, emitModule, inputsOfExports, loadCompiled, stageTexts, type Compilation, type CompileOptions, type CompiledFunctions, type EmitOptions, type Stage } from './compile.js';
export { lower, lowerWithSources, type SourceMap } from './lower.js';
export { DEFAULT_CONTEXT, PASSES, type Pass, type PassContext } from './passes.js';
export { ExportNameError } from '@autodiff/codegen';
