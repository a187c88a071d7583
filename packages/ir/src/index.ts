export * from './node.js';
export * from './graph.js';
export * from './ops.js';
export * from './func.js';
export * from './simplify.js';
export * from './text.js';
