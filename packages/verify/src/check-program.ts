/** `autodiff check` as a library call: sample points, check the gradient at each. */
import type { PassContext } from '@autodiff/compiler';
import { seededRandom } from '@autodiff/runtime';
import { checkPrepared, fixedElements, type GradientCheck } from './check-gradient.js';
import { layoutOf, resolveDims } from './layout.js';
import { differencePlan, type DifferencePlan } from './plan.js';
import { prepare, type Program } from './program.js';
import { samplePoints } from './sample.js';
import { FINITE_DIFFERENCE_TOLERANCE } from './tolerance.js';

export interface ProgramCheckOptions {
  points: number;
  seed: number;
  tolerance?: number;
  context?: PassContext;
  /**
   * The size of each dimension name (default 3 each); a name the program
   * does not have, or a size that is not an integer from 1 to 1,000,000, is a
   * DimensionError.
   */
  dims?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
}

export interface ProgramCheck {
  seed: number;
  /** Points asked for; `checks` is shorter when too few usable points were found. */
  requested: number;
  checks: GradientCheck[];
  /** The finite differences taken at every point. */
  plan: DifferencePlan;
  /** The size of every dimension name of the program (empty for a program without any). */
  dims: ReadonlyMap<string, number>;
  /** Param elements that `onehot` reads as labels: finite differences leave them out (`plan`). */
  labelElements: number;
  /** Every check passed, and at least one point was checked. */
  ok: boolean;
}

export function checkProgram(program: Program, options: ProgramCheckOptions): ProgramCheck {
  const prepared = prepare(program, options.context);
  const tolerance = options.tolerance ?? FINITE_DIFFERENCE_TOLERANCE;
  const dims = resolveDims(prepared.checked, options.dims);
  const layout = layoutOf(prepared, dims);
  // Its own stream of the seed: the sample of elements does not move the points.
  const labels = fixedElements(prepared, layout, options.context);
  const plan = differencePlan(layout.paramSize, seededRandom((options.seed ^ 0x5bd1e995) >>> 0), labels);
  const points = samplePoints(prepared, {
    count: options.points, seed: options.seed, tolerance, plan, dims, ...(options.context ? { context: options.context } : {}),
  });
  const checks = points.map((p) => checkPrepared(prepared, p, tolerance, plan));
  return {
    seed: options.seed, requested: options.points, checks, plan, dims: layout.dims, labelElements: labels.size,
    ok: checks.length > 0 && checks.every((c) => c.ok),
  };
}
