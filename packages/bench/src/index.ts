/** The benchmark's building blocks, for tests and for anyone extending it. `pnpm bench` runs dist/main.js. */
export { deepChain, logisticLoss, recurrence, rosenbrock, sharedProgram, wideSum, xorNetwork } from './programs.js';
export { toSteps, operationCount, type Step, type StepProgram } from './steps.js';
export { rosenbrockGradient, logisticGradient, xorGradient } from './hand.js';
export { agreement, evaluate, TOLERANCE, FLOAT32_TOLERANCE, type Agreement, type Evaluation } from './check.js';
export { timeSideBySide, ratio, median, type Candidate, type Ratio, type Settings, type Timing } from './harness.js';
export type { GradientFn, ValueFn } from './gradient.js';
