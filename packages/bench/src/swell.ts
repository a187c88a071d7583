/**
 * Expression swell on y_k = sin(x + y_{k-1}): the size of our emitted gradient
 * against iterations, beside the size of mathjs's symbolic derivatives of the
 * same function (inlined, as mathjs needs one expression).
 */
import { derivative } from 'mathjs';
import { inlineExpression, parseExpression } from './competitors/mathjs.js';
import { compileProgram, functionText } from './generated.js';
import { recurrence } from './programs.js';
import { toSteps } from './steps.js';

export const SWELL_ITERATIONS = [5, 10, 15, 20, 25, 30] as const;

export interface SwellPoint {
  iterations: number;
  forwardChars: number;
  backwardChars: number;
  /** mathjs: d/dx plus d/dy0, `derivative(expr, v, { simplify: false })`, printed with toString(). */
  mathjsChars: number;
  mathjsMs: number;
}

export function measureSwell(): SwellPoint[] {
  return SWELL_ITERATIONS.map((n) => {
    const generated = compileProgram(recurrence(n), `recurrence-${n}.txt`);
    const steps = toSteps(generated.checked);
    const inlined = inlineExpression(steps);
    if (!('expression' in inlined)) throw new Error(inlined.unsupported);
    const start = performance.now();
    const node = parseExpression(inlined.expression);
    const derivatives = steps.params.map((v) => derivative(node, v, { simplify: false }));
    const mathjsMs = performance.now() - start;
    return {
      iterations: n,
      forwardChars: functionText(generated.module, 'forwardFlat').length,
      backwardChars: functionText(generated.module, 'backwardFlat').length,
      mathjsChars: derivatives.reduce((total, d) => total + d.toString().length, 0),
      mathjsMs,
    };
  });
}

/** Growth per added iteration between consecutive points: constant for linear growth. */
export function increments(points: readonly SwellPoint[], size: (p: SwellPoint) => number): number[] {
  return points.slice(1).map((p, i) => (size(p) - size(points[i]!)) / (p.iterations - points[i]!.iterations));
}
