/**
 * Random points at which a gradient check is meaningful.
 *
 * Each param and input is drawn from the domain sampler (packages/ir's op
 * table) of an op it is a direct argument of; a variable that feeds several
 * ops uses a different one of them on each draw. A draw is kept only where
 * the witnesses can be trusted, judged without looking at the compiled
 * gradient (the thing being checked):
 *
 * 1. The value, and the gradient of every node on the tape, are finite. An
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
import { lower } from '@autodiff/compiler';
import { isLeaf, opNamed, topoOrder, valueOf } from '@autodiff/ir';
import { directionalDifference, finiteDifferencePartials, interpret, seededRandom, topologicalOrder } from '@autodiff/runtime';
import { differencePlan, type DifferencePlan } from './plan.js';
import { flatten, prepare, type PreparedProgram, type Program } from './program.js';
import { FINITE_DIFFERENCE_TOLERANCE, gradientScale, relativeError } from './tolerance.js';

type Draw = (random: () => number) => number;

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
}

/** Up to `count` usable points (fewer if the draws run out); deterministic for a seed. */
export function samplePoints(program: Program | PreparedProgram, options: SampleOptions): Map<string, number>[] {
  const prepared = isPrepared(program) ? program : prepare(program, options.context);
  const random = seededRandom(options.seed);
  const draws = variableDraws(prepared, options.context);
  const tolerance = options.tolerance ?? FINITE_DIFFERENCE_TOLERANCE;
  const attempts = options.attempts ?? 200;
  const plan = options.plan ?? differencePlan(prepared.checked.params.length, seededRandom(options.seed));
  const points: Map<string, number>[] = [];
  for (let tries = 0; points.length < options.count && tries < attempts * options.count; tries++) {
    const point = new Map<string, number>();
    for (const [name, choices] of draws) point.set(name, choices[Math.floor(random() * choices.length)]!(random));
    if (usable(prepared, point, tolerance, plan)) points.push(point);
  }
  return points;
}

function isPrepared(p: Program | PreparedProgram): p is PreparedProgram {
  return typeof p !== 'string' && 'compiled' in p;
}

/** Each variable (params, then inputs) with the samplers of the argument positions it fills. */
function variableDraws(program: PreparedProgram, context?: PassContext): Map<string, Draw[]> {
  const ops = context?.ops ?? opNamed;
  const draws = new Map<string, Draw[]>();
  for (const ref of [...program.checked.params, ...program.checked.inputs]) draws.set(ref.name, []);
  const lowered = lower(program.checked); // before simplification: the ops as written
  for (const node of topoOrder([valueOf(lowered)])) {
    if (isLeaf(node)) continue;
    const { domain } = ops(node.op);
    if (!domain) continue;
    node.args.forEach((arg, k) => {
      if (arg.op === 'param' || arg.op === 'input') draws.get(arg.name!)!.push((r) => domain(r)[k]!);
    });
  }
  for (const [name, list] of draws) if (list.length === 0) draws.set(name, [ANYWHERE]);
  return draws;
}

function usable(program: PreparedProgram, point: ReadonlyMap<string, number>, tolerance: number, plan: DifferencePlan): boolean {
  const { params, inputs } = flatten(program, point);
  const f = (p: Float64Array) => program.compiled.forwardFlat(p, inputs);
  const value = f(params);
  if (!Number.isFinite(value)) return false;

  const nodes = topologicalOrder(interpret(program.checked, point).root);
  let squares = 0; // K^2 above: the sum over computed nodes of (v d out / d v)^2
  for (const v of nodes) {
    if (!Number.isFinite(v.grad)) return false;
    if (v.children.length > 0) squares += (v.data * v.grad) ** 2;
  }
  const roundingBound = ROUNDING_MARGIN * Math.sqrt(squares);

  const trusted = Math.max(tolerance, 1e-8) / 10;
  /** Differences with steps h, 2h, 4h agree, and rounding cannot swamp them (conditions 2 and 3). */
  const trustworthy = (estimates: number[], scale: number, h: number) => {
    const [a, b, c] = estimates as [number, number, number];
    return Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c)
      && (Number.EPSILON * roundingBound) / h <= trusted * scale
      && relativeError(a, b, scale) <= trusted
      && relativeError(a, c, scale) <= trusted;
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
