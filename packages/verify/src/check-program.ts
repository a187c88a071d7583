/** `autodiff check` as a library call: sample points, check the gradient at each. */
import type { PassContext } from '@autodiff/compiler';
import { seededRandom } from '@autodiff/runtime';
import { checkPrepared, type GradientCheck } from './check-gradient.js';
import { differencePlan, type DifferencePlan } from './plan.js';
import { prepare, type Program } from './program.js';
import { samplePoints } from './sample.js';
import { FINITE_DIFFERENCE_TOLERANCE } from './tolerance.js';

export interface ProgramCheckOptions {
  points: number;
  seed: number;
  tolerance?: number;
  context?: PassContext;
}

export interface ProgramCheck {
  seed: number;
  /** Points asked for; `checks` is shorter when too few usable points were found. */
  requested: number;
  checks: GradientCheck[];
  /** The finite differences taken at every point. */
  plan: DifferencePlan;
  /** Every check passed, and at least one point was checked. */
  ok: boolean;
}

export function checkProgram(program: Program, options: ProgramCheckOptions): ProgramCheck {
  const prepared = prepare(program, options.context);
  const tolerance = options.tolerance ?? FINITE_DIFFERENCE_TOLERANCE;
  // Its own stream of the seed: the sample of elements does not move the points.
  const plan = differencePlan(prepared.checked.params.length, seededRandom((options.seed ^ 0x5bd1e995) >>> 0));
  const points = samplePoints(prepared, { count: options.points, seed: options.seed, tolerance, plan, ...(options.context ? { context: options.context } : {}) });
  const checks = points.map((p) => checkPrepared(prepared, p, tolerance, plan));
  return { seed: options.seed, requested: options.points, checks, plan, ok: checks.length > 0 && checks.every((c) => c.ok) };
}
