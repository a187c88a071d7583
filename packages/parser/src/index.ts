export * from './ast.js';
export * from './diagnostics.js';
export { parse, MAX_NESTING, MAX_SOURCE_LENGTH, MAX_TOKENS, type ParseResult } from './parse.js';
export { analyze, boundedEditDistance, check, isReserved, nearestName, CONSTANTS, MAX_HINTED_NAME, MAX_HINTS, type CheckResult } from './check.js';
export { inferShapes, isTensorProgram, labelInputs, literalArguments, MAX_ELEMENTS, type Resolved, type ShapeCheck } from './shapes.js';
export { MAX_DIMENSION } from './check.js';
