export { checkGradient, checkPrepared, type CheckOptions, type DirectionCheck, type GradientCheck, type ParamCheck } from './check-gradient.js';
export { differencePlan, DIRECTIONS, MAX_ELEMENTS, type DifferencePlan } from './plan.js';
export { prepare, ProgramError, type Point, type PreparedProgram, type Program } from './program.js';
export { samplePoints, type SampleOptions } from './sample.js';
export { checkProgram, type ProgramCheck, type ProgramCheckOptions } from './check-program.js';
export {
  DEFAULT_DIMENSION_SIZE, DimensionError, isTensorProgram, MAX_DIMENSION_SIZE, pointValueText, resolveDims, type PointValue,
} from './layout.js';
export { seededRandom } from '@autodiff/runtime';
export { ENGINE_TOLERANCE, FINITE_DIFFERENCE_TOLERANCE, relativeError } from './tolerance.js';
