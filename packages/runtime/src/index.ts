export { Value, topologicalOrder } from './value.js';
export { interpret, type InterpretResult } from './interpret.js';
export { finiteDifferenceGradient } from './finiteDiff.js';
export * from './optim/index.js';
