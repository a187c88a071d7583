/** `autodiff check` as a library call: sample points, check the gradient at each. */
import type { PassContext } from '@autodiff/compiler';
import { checkPrepared, type GradientCheck } from './check-gradient.js';
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
  /** Every check passed, and at least one point was checked. */
  ok: boolean;
}

export function checkProgram(program: Program, options: ProgramCheckOptions): ProgramCheck {
  const prepared = prepare(program, options.context);
  const tolerance = options.tolerance ?? FINITE_DIFFERENCE_TOLERANCE;
  const points = samplePoints(prepared, { count: options.points, seed: options.seed, tolerance, ...(options.context ? { context: options.context } : {}) });
  const checks = points.map((p) => checkPrepared(prepared, p, tolerance));
  return { seed: options.seed, requested: options.points, checks, ok: checks.length > 0 && checks.every((c) => c.ok) };
}
