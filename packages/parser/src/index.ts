export * from './ast.js';
export * from './diagnostics.js';
export { parse, MAX_NESTING, type ParseResult } from './parse.js';
export { analyze, check, isReserved, nearestName, CONSTANTS, type CheckResult } from './check.js';
