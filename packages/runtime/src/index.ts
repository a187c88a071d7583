export { Value, topologicalOrder } from './value.js';
export { BINARY_OPERATIONS, interpret, UNARY_FUNCTIONS, UNARY_OPERATIONS, type InterpretResult } from './interpret.js';
export { directionalDifference, finiteDifferenceGradient, finiteDifferencePartials } from './finiteDiff.js';
export * from './optim/index.js';
export { stridesOf, Tensor, tensorTopologicalOrder, type ReduceOptions, type TensorIndexEntry } from './tensor.js';
export { inferDims, interpretTensor, type InterpretTensorResult, type TensorData, type TensorValue } from './interpret-tensor.js';
