/** Value, gradient, the graph's numbers and the three-witness agreement at one point. */
import { checkPrepared } from '@autodiff/verify';
import type { LoadedProgram } from '../analysis/model.js';
import { nodeNumbers } from '../analysis/node-values.js';
import type { Agreement, Evaluation } from './protocol.js';

export function evaluate(program: LoadedProgram, params: number[], inputs: number[]): Evaluation {
  const p = Float64Array.from(params);
  const x = Float64Array.from(inputs);
  const grad = new Float64Array(p.length);
  const value = program.compiled.backwardFlat(p, x, grad);

  const nodes: Evaluation['nodes'] = {};
  if (program.graphNodes.length > 0) {
    const numbers = nodeNumbers(program.ir, p, x, program.graphNodes);
    for (const n of program.graphNodes) {
      const g = numbers.grad.get(n);
      nodes[n.id] = { value: numbers.value.get(n)!, ...(g !== undefined ? { grad: g } : {}) };
    }
  }
  return { params, inputs, value, gradient: [...grad], nodes, agreement: agreementAt(program, params, inputs) };
}

function agreementAt(program: LoadedProgram, params: number[], inputs: number[]): Agreement | { error: string } {
  const point = new Map<string, number>();
  program.checked.params.forEach((ref, i) => point.set(ref.name, params[i]!));
  program.checked.inputs.forEach((ref, i) => point.set(ref.name, inputs[i]!));
  try {
    const check = checkPrepared(program, point);
    return {
      ok: check.ok,
      engineError: check.params.reduce((m, c) => Math.max(m, c.engineError), check.value.error),
      finiteDifferenceError: [...check.params.map((c) => c.finiteDifferenceError ?? 0), ...check.directions.map((d) => d.finiteDifferenceError)]
        .reduce((m, e) => Math.max(m, e), 0),
      tape: check.params.map((c) => c.tape),
      // Elements outside the sample of a large model have no finite difference of their own.
      finiteDifference: check.params.map((c) => c.finiteDifference ?? NaN),
      tolerance: check.tolerance,
    };
  } catch (error) {
    // An internal failure shows on the badge instead of breaking the values panel.
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
