/** Every op of the IR, by name: the op table (ops.ts) has exactly one entry for each. */
export const ELEMENTWISE_OPS = [
  'add', 'sub', 'mul', 'div', 'neg', 'pow',
  'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'exp', 'log', 'log1p', 'sqrt', 'abs',
  'sigmoid', 'relu', 'softplus', 'gelu', 'min', 'max',
  'sech2', 'sign', 'gate', 'tieShare', 'unlessZero', 'zeroBaseMask', 'isEqual',
] as const;

export const STRUCTURAL_OPS = [
  'broadcast', 'sum', 'mean', 'amax', 'amin', 'logsumexp', 'softmax', 'log_softmax',
  'matmul', 'transpose', 'reshape', 'index', 'scatter', 'stack', 'onehot', 'count',
] as const;

export type ElementwiseOpName = (typeof ELEMENTWISE_OPS)[number];
export type StructuralOpName = (typeof STRUCTURAL_OPS)[number];
export type OpName = ElementwiseOpName | StructuralOpName;
