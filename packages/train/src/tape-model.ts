import type { CheckedProgram } from '@autodiff/parser';
import { interpret } from '@autodiff/runtime';
import type { Model } from './model.js';

/**
 * The program run on the tape engine, one fresh tape per call: the slow,
 * independent route, for checking the compiled route and measuring its speed-up.
 */
export function tapeModel(checked: CheckedProgram): Model {
  const paramNames = checked.params.map((r) => r.name);
  const inputNames = checked.inputs.map((r) => r.name);
  const values = new Map<string, number>();
  const load = (p: Float64Array, x: Float64Array) => {
    paramNames.forEach((name, i) => values.set(name, p[i]!));
    inputNames.forEach((name, i) => values.set(name, x[i]!));
  };
  return {
    paramNames,
    inputNames,
    forwardFlat(p, x) {
      load(p, x);
      return interpret(checked, values).value;
    },
    backwardFlat(p, x, grad) {
      load(p, x);
      const { value, gradient } = interpret(checked, values);
      paramNames.forEach((name, i) => {
        grad[i] = gradient.get(name)!;
      });
      return value;
    },
  };
}
