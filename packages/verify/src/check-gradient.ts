/**
 * Three witnesses for one gradient: the compiled code, the tape engine, and
 * central finite differences on the compiled forward function (on the
 * elements and directions of a DifferencePlan).
 */
import type { PassContext } from '@autodiff/compiler';
import { directionalDifference, finiteDifferencePartials, seededRandom } from '@autodiff/runtime';
import { domainsOf } from './domains.js';
import { dimsOfPoint, elementIndex, elementName, flatValues, layoutOf, paramElements, resolveDims, runTape, type Layout, type PointValue } from './layout.js';
import { differencePlan, type DifferencePlan } from './plan.js';
import { pointMap, prepare, type Point, type PreparedProgram, type Program } from './program.js';
import {
  ENGINE_FLOOR, ENGINE_TOLERANCE, FINITE_DIFFERENCE_TOLERANCE, gradientScale, relativeError,
} from './tolerance.js';

export interface CheckOptions {
  /** Finite-difference tolerance (default 1e-6; see tolerance.ts). */
  tolerance?: number;
  /** The op table used to compile a source string (tests pass a doctored copy). */
  context?: PassContext;
  /** Seeds the sample of elements and the directions (default 1). */
  seed?: number;
}

/** One element of the gradient. */
export interface ParamCheck {
  /** The element: the param's name for a scalar, `W[0,1]` for an element of a tensor. */
  name: string;
  /** The param it belongs to. */
  param: string;
  /** Its index in the param (`[]` for a scalar). */
  index: number[];
  compiled: number;
  tape: number;
  /** Undefined for an element outside the plan's sample. */
  finiteDifference?: number;
  /** Compiled vs tape, relative (see tolerance.ts). */
  engineError: number;
  /** The larger of compiled vs finite differences and tape vs finite differences. */
  finiteDifferenceError?: number;
  ok: boolean;
}

/** The gradient along a random direction d: compiled and tape dotted with d, against a central difference along d. */
export interface DirectionCheck {
  index: number;
  compiled: number;
  tape: number;
  finiteDifference: number;
  engineError: number;
  finiteDifferenceError: number;
  ok: boolean;
}

export interface GradientCheck {
  /** Every param and input (a number, or a tensor's shape and elements). */
  point: ReadonlyMap<string, PointValue>;
  /** The size of each dimension name (read from the point's shapes), in the compiled functions' order. */
  dims: ReadonlyMap<string, number>;
  value: { compiled: number; tape: number; error: number };
  /** One entry per gradient element: params in declaration order, each row-major. */
  params: ParamCheck[];
  directions: DirectionCheck[];
  ok: boolean;
  tolerance: { engines: number; finiteDifferences: number };
}

/** Compare compiled, tape and finite-difference gradients of `program` at `point`. */
export function checkGradient(program: Program, point: Point, options: CheckOptions = {}): GradientCheck {
  const prepared = prepare(program, options.context);
  const at = pointMap(point);
  const layout = layoutOf(prepared, resolveDims(prepared.checked, dimsOfPoint(prepared, at)));
  const plan = differencePlan(layout.paramSize, seededRandom(options.seed ?? 1), fixedElements(prepared, layout, options.context));
  return checkPrepared(prepared, at, options.tolerance, plan);
}

/** Param elements that a `onehot` reads: they are labels, which finite differences must not move. */
export function fixedElements(program: PreparedProgram, layout: Layout, context?: PassContext): ReadonlySet<number> {
  return layout.tensor ? domainsOf(program, layout, context).labelParams : new Set();
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

export function checkPrepared(
  program: PreparedProgram,
  point: ReadonlyMap<string, PointValue>,
  tolerance = FINITE_DIFFERENCE_TOLERANCE,
  plan?: DifferencePlan,
): GradientCheck {
  const layout = layoutOf(program, dimsOfPoint(program, point));
  plan ??= differencePlan(layout.paramSize, seededRandom(1), fixedElements(program, layout));
  const { params, inputs } = flatValues(layout, point);
  const { dimArgs } = layout;
  const compiledGrad = new Float64Array(params.length);
  const compiledValue = program.compiled.backwardFlat(params, inputs, compiledGrad, ...dimArgs);
  const tape = runTape(program, layout, point);
  const tapeGrad = tape.gradient;
  const forward = (p: Float64Array) => program.compiled.forwardFlat(p, inputs, ...dimArgs);
  const differences = finiteDifferencePartials(forward, params, plan.elements);
  const sampled = new Set(plan.elements);

  const checks = paramElements(layout).map(({ variable, flat }, i): ParamCheck => {
    const name = elementName(variable, flat);
    const where = { name, param: variable.name, index: elementIndex(variable.shape, flat) };
    const compiled = compiledGrad[i]!;
    const taped = tapeGrad[i]!;
    const scale = gradientScale(compiledValue, params[i]!);
    const engineError = relativeError(compiled, taped, ENGINE_FLOOR * scale);
    if (!sampled.has(i)) return { ...where, compiled, tape: taped, engineError, ok: engineError <= ENGINE_TOLERANCE };
    const finiteDifference = differences[i]!;
    const finiteDifferenceError = Math.max(
      relativeError(compiled, finiteDifference, scale),
      relativeError(taped, finiteDifference, scale),
    );
    const ok = engineError <= ENGINE_TOLERANCE && finiteDifferenceError <= tolerance;
    return { ...where, compiled, tape: taped, finiteDifference, engineError, finiteDifferenceError, ok };
  });
  const directions = plan.directions.map((d, index): DirectionCheck => {
    const compiled = dot(compiledGrad, d);
    const taped = dot(tapeGrad, d);
    const finiteDifference = directionalDifference(forward, params, d);
    let reach = 0;
    for (let i = 0; i < d.length; i++) if (d[i] !== 0) reach = Math.max(reach, Math.abs(params[i]!));
    const scale = gradientScale(compiledValue, reach);
    const engineError = relativeError(compiled, taped, ENGINE_FLOOR * scale);
    const finiteDifferenceError = Math.max(relativeError(compiled, finiteDifference, scale), relativeError(taped, finiteDifference, scale));
    return { index, compiled, tape: taped, finiteDifference, engineError, finiteDifferenceError,
      ok: engineError <= ENGINE_TOLERANCE && finiteDifferenceError <= tolerance };
  });
  const valueError = relativeError(compiledValue, tape.value, ENGINE_FLOOR);
  return {
    point,
    dims: layout.dims,
    value: { compiled: compiledValue, tape: tape.value, error: valueError },
    params: checks,
    directions,
    ok: valueError <= ENGINE_TOLERANCE && checks.every((c) => c.ok) && directions.every((c) => c.ok),
    tolerance: { engines: ENGINE_TOLERANCE, finiteDifferences: tolerance },
  };
}
