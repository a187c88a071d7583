/**
 * Three witnesses for one gradient: the compiled code, the tape engine, and
 * central finite differences on the compiled forward function.
 */
import type { PassContext } from '@autodiff/compiler';
import { finiteDifferenceGradient, interpret } from '@autodiff/runtime';
import { flatten, pointMap, prepare, type Point, type PreparedProgram, type Program } from './program.js';
import {
  ENGINE_FLOOR, ENGINE_TOLERANCE, FINITE_DIFFERENCE_TOLERANCE, gradientScale, relativeError,
} from './tolerance.js';

export interface CheckOptions {
  /** Finite-difference tolerance (default 1e-6; see tolerance.ts). */
  tolerance?: number;
  /** The op table used to compile a source string (tests pass a doctored copy). */
  context?: PassContext;
}

export interface ParamCheck {
  name: string;
  compiled: number;
  tape: number;
  finiteDifference: number;
  /** Compiled vs tape, relative (see tolerance.ts). */
  engineError: number;
  /** The larger of compiled vs finite differences and tape vs finite differences. */
  finiteDifferenceError: number;
  ok: boolean;
}

export interface GradientCheck {
  /** Every param and input. */
  point: ReadonlyMap<string, number>;
  value: { compiled: number; tape: number; error: number };
  /** One entry per param, in declaration order. */
  params: ParamCheck[];
  ok: boolean;
  tolerance: { engines: number; finiteDifferences: number };
}

/** Compare compiled, tape and finite-difference gradients of `program` at `point`. */
export function checkGradient(program: Program, point: Point, options: CheckOptions = {}): GradientCheck {
  return checkPrepared(prepare(program, options.context), pointMap(point), options.tolerance);
}

export function checkPrepared(
  program: PreparedProgram,
  point: ReadonlyMap<string, number>,
  tolerance = FINITE_DIFFERENCE_TOLERANCE,
): GradientCheck {
  const { params, inputs } = flatten(program, point);
  const compiledGrad = new Float64Array(params.length);
  const compiledValue = program.compiled.backwardFlat(params, inputs, compiledGrad);
  const tape = interpret(program.checked, point);
  const differences = finiteDifferenceGradient((p) => program.compiled.forwardFlat(p, inputs), params);

  const checks = program.checked.params.map(({ name }, i): ParamCheck => {
    const compiled = compiledGrad[i]!;
    const taped = tape.gradient.get(name)!;
    const finiteDifference = differences[i]!;
    const scale = gradientScale(compiledValue, params[i]!);
    const engineError = relativeError(compiled, taped, ENGINE_FLOOR * scale);
    const finiteDifferenceError = Math.max(
      relativeError(compiled, finiteDifference, scale),
      relativeError(taped, finiteDifference, scale),
    );
    const ok = engineError <= ENGINE_TOLERANCE && finiteDifferenceError <= tolerance;
    return { name, compiled, tape: taped, finiteDifference, engineError, finiteDifferenceError, ok };
  });
  const valueError = relativeError(compiledValue, tape.value, ENGINE_FLOOR);
  return {
    point,
    value: { compiled: compiledValue, tape: tape.value, error: valueError },
    params: checks,
    ok: valueError <= ENGINE_TOLERANCE && checks.every((c) => c.ok),
    tolerance: { engines: ENGINE_TOLERANCE, finiteDifferences: tolerance },
  };
}
