/**
 * Random points at which a gradient check is meaningful.
 *
 * Each element of each param and input is drawn from the domain sampler
 * (packages/ir's op table) of an op it is a direct argument of, directly or
 * through broadcasting, indexing, reshaping, transposing or stacking
 * (domains.ts); a variable that feeds several ops uses a different one of
 * them on each draw (one choice for all its elements). An element that
 * `onehot` reads is an integer label in [0, k). Dimension names get the
 * sizes given (default 3). A draw is kept only where
 * the witnesses can be trusted, judged without looking at the compiled
 * gradient (the thing being checked):
 *
 * 1. The value, and the gradient of every node (every element) on the tape, are finite. An
 *    infinite node gradient means some op sits on the edge of its domain
 *    (`sqrt(0)`, `asin(1)`) where its derivative is infinite, and the chain
 *    rule meets inf * 0 (`sqrt(x - x)`, `sqrt(relu(x))` at x < 0), which
 *    engines may resolve differently while the function itself is flat.
 * 2. Rounding cannot swamp the finite differences. Each tape node v carries
 *    a relative rounding error of about eps, which moves the output by about
 *    eps |v| |d out / d v| (first-order error analysis). Those errors are
 *    independent, so their sum has a size of about eps K, K the root of the
 *    sum of their squares (ROUNDING_MARGIN times it as a bound; their plain
 *    sum would grow with the size of a model and reject every point of a
 *    large one); eps K / h is then what rounding does to a central difference
 *    of step h. It is huge where an intermediate saturates
 *    (`log1p(tanh(x))` at tanh(x) ~ -1) or large terms cancel, and the
 *    forward is then numerically flat or noisy while the true gradient is large.
 * 3. Central differences with steps h, 2h and 4h agree. Truncation error
 *    grows as the step squared, so their differences estimate it; they are
 *    also far apart near a kink (abs, relu, min, max within ~4h of their
 *    switch), a pole or a domain edge, where the function is not smooth at
 *    the scale of the step. This needs no list of which ops have kinks.
 *
 * 2 and 3 must each leave the differences within a tenth of the tolerance,
 * or of 1e-8 if that is larger: central differences get no closer than
 * ~1e-10, and a tighter tolerance should show failing errors, not reject
 * every point.
 * A kink closer than ~1e-11 (relative) to the point would slip through; a
 * continuous draw lands there with negligible probability.
 */
import type { PassContext } from '@autodiff/compiler';
import { directionalDifference, finiteDifferencePartials, seededRandom } from '@autodiff/runtime';
import { domainsOf, type Draw } from './domains.js';
import { flatValues, layoutOf, resolveDims, runTape, type Layout, type PointValue } from './layout.js';
import { differencePlan, type DifferencePlan } from './plan.js';
import { prepare, type PreparedProgram, type Program } from './program.js';
import { FINITE_DIFFERENCE_TOLERANCE, gradientScale, relativeError } from './tolerance.js';

/** For a variable that is no op's direct argument (e.g. the output is the variable itself). */
const ANYWHERE: Draw = (r) => -3 + 6 * r();

/** How far above the typical size of the summed rounding errors (condition 2) a bound is put. */
const ROUNDING_MARGIN = 10;

/** The runtime's central-difference step, relative to max(1, |x|). */
const STEP = Math.cbrt(Number.EPSILON);

export interface SampleOptions {
  count: number;
  seed: number;
  /** The finite-difference tolerance the points will be checked at. */
  tolerance?: number;
  /** Draws tried per point before giving up (default 200). */
  attempts?: number;
  context?: PassContext;
  /** The finite differences the points will be checked with (default: every element, or a sample, and 3 directions). */
  plan?: DifferencePlan;
  /** The size of each dimension name (default 3 each). */
  dims?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
}

/**
 * Up to `count` usable points (fewer if the draws run out); deterministic for
 * a seed. A value is a number for a scalar, `{ shape, data }` for a tensor.
 */
export function samplePoints(program: Program | PreparedProgram, options: SampleOptions): Map<string, PointValue>[] {
  const prepared = isPrepared(program) ? program : prepare(program, options.context);
  const random = seededRandom(options.seed);
  const layout = layoutOf(prepared, resolveDims(prepared.checked, options.dims));
  const { lists, listOf, labels, labelParams } = domainsOf(prepared, layout, options.context);
  const tolerance = options.tolerance ?? FINITE_DIFFERENCE_TOLERANCE;
  const attempts = options.attempts ?? 200;
  const plan = options.plan ?? differencePlan(layout.paramSize, seededRandom(options.seed), labelParams);
  const variables = [...layout.params, ...layout.inputs];
  const points: Map<string, PointValue>[] = [];
  for (let tries = 0; points.length < options.count && tries < attempts * options.count; tries++) {
    const point = new Map<string, PointValue>();
    variables.forEach((v, s) => {
      // One choice per variable and draw, shared by its elements: an X that
      // feeds log(X) and X * W is all inside log's domain, or all inside mul's.
      const pick = random();
      const data = new Float64Array(v.size);
      for (let e = 0; e < v.size; e++) {
        const k = labels[s]![e]!;
        if (k > 0) {
          data[e] = Math.floor(random() * k);
          continue;
        }
        const list = lists[listOf[s]![e]!]!;
        data[e] = list.length === 0 ? ANYWHERE(random) : list[Math.floor(pick * list.length)]!(random);
      }
      point.set(v.name, v.shape.length === 0 ? data[0]! : { shape: [...v.shape], data });
    });
    if (usable(prepared, layout, point, tolerance, plan)) points.push(point);
  }
  return points;
}

function isPrepared(p: Program | PreparedProgram): p is PreparedProgram {
  return typeof p !== 'string' && 'compiled' in p;
}

function usable(program: PreparedProgram, layout: Layout, point: ReadonlyMap<string, PointValue>, tolerance: number, plan: DifferencePlan): boolean {
  try {
    return trusted(program, layout, point, tolerance, plan);
  } catch (e) {
    // A label that is not an integer in range (onehot's argument computed from
    // the draws, say `onehot(y + 1, 3)`): no function at this point.
    if (e instanceof RangeError && layout.tensor) return false;
    throw e;
  }
}

function trusted(program: PreparedProgram, layout: Layout, point: ReadonlyMap<string, PointValue>, tolerance: number, plan: DifferencePlan): boolean {
  const { params, inputs } = flatValues(layout, point);
  const { dimArgs } = layout;
  const f = (p: Float64Array) => program.compiled.forwardFlat(p, inputs, ...dimArgs);
  const value = f(params);
  if (!Number.isFinite(value)) return false;

  let squares = 0; // K^2 above: the sum over computed nodes of (v d out / d v)^2
  for (const v of runTape(program, layout, point).nodes()) {
    for (let i = 0; i < v.grad.length; i++) {
      const g = v.grad[i]!;
      if (!Number.isFinite(g)) return false;
      if (v.computed) squares += (v.data[i]! * g) ** 2;
    }
  }
  const roundingBound = ROUNDING_MARGIN * Math.sqrt(squares);

  const limit = Math.max(tolerance, 1e-8) / 10;
  /** Differences with steps h, 2h, 4h agree, and rounding cannot swamp them (conditions 2 and 3). */
  const trustworthy = (estimates: number[], scale: number, h: number) => {
    const [a, b, c] = estimates as [number, number, number];
    return Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c)
      && (Number.EPSILON * roundingBound) / h <= limit * scale
      && relativeError(a, b, scale) <= limit
      && relativeError(a, c, scale) <= limit;
  };
  const [d1, d2, d4] = [1, 2, 4].map((k) => withStretchedStep(f, params, k, (g, x) => finiteDifferencePartials(g, x, plan.elements)));
  const elementsOk = plan.elements.every((i) => {
    const x = params[i]!;
    return trustworthy([d1![i]!, d2![i]!, d4![i]!], gradientScale(value, x), STEP * Math.max(1, Math.abs(x)));
  });
  return elementsOk && plan.directions.every((d) => {
    let reach = 0;
    let size = 0;
    for (let i = 0; i < d.length; i++) {
      if (d[i] !== 0) reach = Math.max(reach, Math.abs(params[i]!));
      size = Math.max(size, Math.abs(d[i]!));
    }
    const estimates = [1, 2, 4].map((k) => withStretchedStep(f, params, k, (g, x) => directionalDifference(g, x, d)));
    return trustworthy(estimates, gradientScale(value, reach), (STEP * Math.max(1, reach)) / size);
  });
}

/**
 * A difference taken with k times the runtime's step: the runtime's
 * differences of u -> f(x + k(u - x)) at u = x, divided by k.
 */
function withStretchedStep<T extends number | Float64Array>(
  f: (p: Float64Array) => number,
  x: Float64Array,
  k: number,
  difference: (g: (p: Float64Array) => number, at: Float64Array) => T,
): T {
  if (k === 1) return difference(f, x);
  const stretched = new Float64Array(x.length);
  const d = difference((u) => {
    for (let i = 0; i < x.length; i++) stretched[i] = x[i]! + k * (u[i]! - x[i]!);
    return f(stretched);
  }, x);
  return (typeof d === 'number' ? d / k : (d as Float64Array).map((di) => di / k)) as T;
}
