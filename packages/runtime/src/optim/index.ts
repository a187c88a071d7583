export { checkSizes, isOptimizerKind, OPTIMIZER_KINDS, type Optimizer, type OptimizerKind } from './optimizer.js';
export { SGD, Momentum, type MomentumOptions, type SGDOptions } from './sgd.js';
export { Adam, type AdamOptions } from './adam.js';
export { createOptimizer } from './create.js';
export {
  constantSchedule,
  cosineDecay,
  createSchedule,
  isScheduleKind,
  linearDecay,
  stepDecay,
  SCHEDULE_KINDS,
  type Schedule,
  type ScheduleKind,
} from './schedule.js';
export { seededRandom, shuffleInPlace } from './random.js';
export { fans, initialParams, initialTensorParams, type InitSpec } from './init.js';
export { stepValues } from './tape.js';
