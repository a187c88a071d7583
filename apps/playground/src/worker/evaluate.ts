/** Value, gradient, the graph's numbers and the three-witness agreement at one point. */
import { gradsOf, valueOf } from '@autodiff/ir';
import {
  directionalDifference, finiteDifferencePartials, interpretTensor, seededRandom, type TensorValue,
} from '@autodiff/runtime';
import { checkPrepared, differencePlan, ENGINE_TOLERANCE, FINITE_DIFFERENCE_TOLERANCE, relativeError } from '@autodiff/verify';
import { concreteShape, elementCount, offsetsOf } from '../analysis/layout.js';
import type { LoadedProgram } from '../analysis/model.js';
import { nodeNumbers } from '../analysis/node-values.js';
import type { Agreement, Evaluation } from './protocol.js';

export function evaluate(program: LoadedProgram, params: number[], inputs: number[], dims: number[] = []): Evaluation {
  const { model } = program;
  const p = Float64Array.from(params);
  const x = Float64Array.from(inputs);
  const dimSizes = new Map(model.dimNames.map((d, k) => [d, dims[k]!]));
  const paramLayout = offsetsOf(model.paramShapes, dimSizes);
  const inputLayout = offsetsOf(model.inputShapes, dimSizes);
  const base = { params, inputs, dims };
  if (p.length !== paramLayout.total || x.length !== inputLayout.total || dims.length !== model.dimNames.length) {
    // The page sends values for the program it shows; a mismatch is a bug, shown rather than computed with.
    const error = `internal: got ${p.length} param and ${x.length} input values for ${paramLayout.total} and ${inputLayout.total}`;
    return { ...base, value: NaN, gradient: [], error, nodes: {}, agreement: { error } };
  }
  const grad = new Float64Array(paramLayout.total);
  let value: number;
  const started = performance.now();
  try {
    value = program.compiled.backwardFlat(p, x, grad, ...dims);
  } catch (error) {
    // The data can be wrong in ways only a call finds (onehot's labels): say so instead of showing numbers.
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, value: NaN, gradient: [...grad.fill(NaN)], error: message, nodes: {}, agreement: { error: message } };
  }

  const nodes: Evaluation['nodes'] = {};
  if (program.graphNodes.length > 0) {
    const numbers = nodeNumbers(program.ir, p, x, program.graphNodes, { params: paramLayout.offsets, inputs: inputLayout.offsets });
    // Scalars that the op table cannot compute (a reduction's result) but the generated code did: the value and scalar gradients.
    const known = new Map(numbers.value);
    if (!known.has(valueOf(program.ir))) known.set(valueOf(program.ir), value);
    gradsOf(program.ir)?.forEach((g, i) => {
      if (g.shape.length === 0 && program.ir.params[i]!.shape.length === 0 && !known.has(g)) known.set(g, grad[paramLayout.offsets[i]!]!);
    });
    for (const n of program.graphNodes) {
      const v = known.get(n);
      const g = numbers.grad.get(n);
      nodes[n.id] = { ...(v !== undefined ? { value: v } : {}), ...(g !== undefined ? { grad: g } : {}) };
    }
  }
  const callMs = performance.now() - started;
  const agreement = model.tensor ? tensorAgreement(program, p, x, dimSizes, value, grad, callMs) : agreementAt(program, params, inputs);
  return { ...base, value, gradient: [...grad], nodes, agreement };
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

/** Time the finite differences of a tensor program's badge may take, in milliseconds. */
const DIFFERENCE_BUDGET_MS = 400;

/**
 * `autodiff check`'s comparison for a tensor program, at one point: the
 * compiled gradient against the tape engine's `Tensor` on every element, and
 * both against central differences of the compiled forward function on up to
 * 64 elements (a seeded sample of a larger model) and 3 random directions,
 * with the same tolerances; fewer where the batch is so large that those
 * would take over DIFFERENCE_BUDGET_MS. (@autodiff/verify's `checkPrepared`
 * takes scalar programs only.)
 */
function tensorAgreement(
  program: LoadedProgram, p: Float64Array, x: Float64Array, dims: ReadonlyMap<string, number>, value: number, grad: Float64Array,
  callMs: number,
): Agreement | { error: string } {
  try {
    const { model } = program;
    const values = new Map<string, TensorValue>();
    const leaves = (names: readonly string[], shapes: readonly (readonly (number | string)[])[], flat: Float64Array) => {
      let offset = 0;
      names.forEach((name, i) => {
        const shape = concreteShape(shapes[i]!, dims);
        const size = elementCount(shape);
        values.set(name, shape.length === 0 ? flat[offset]! : { shape, data: flat.slice(offset, offset + size) });
        offset += size;
      });
    };
    leaves(model.paramNames, model.paramShapes, p);
    leaves(model.inputNames, model.inputShapes, x);
    const tape = interpretTensor(program.checked, values, dims);
    const tapeGrad = new Float64Array(p.length);
    let offset = 0;
    for (const name of model.paramNames) {
      const g = tape.gradient.get(name)!.data;
      tapeGrad.set(g, offset);
      offset += g.length;
    }
    const dimList = model.dimNames.map((d) => dims.get(d)!);
    const forward = (q: Float64Array) => program.compiled.forwardFlat(q, x, ...dimList);
    const full = differencePlan(p.length, seededRandom(1));
    // Two calls per difference: on a large batch, as many as fit in the budget (the badge is redrawn on every edit).
    const affordable = Math.floor(DIFFERENCE_BUDGET_MS / Math.max(callMs, 0.01) / 2);
    const directions = full.directions.slice(0, Math.min(full.directions.length, affordable));
    const plan = { elements: full.elements.slice(0, Math.max(0, affordable - directions.length)), directions };
    const differences = finiteDifferencePartials(forward, p, plan.elements);
    const scale = (coordinate: number) => {
      const s = Math.abs(value) / Math.max(1, Math.abs(coordinate));
      return Number.isFinite(s) ? Math.max(1, s) : 1;
    };
    const ENGINE_FLOOR = 1e-3; // as @autodiff/verify's tolerance.ts
    let engineError = relativeError(value, tape.value, ENGINE_FLOOR);
    let finiteDifferenceError = 0;
    for (let i = 0; i < p.length; i++) engineError = Math.max(engineError, relativeError(grad[i]!, tapeGrad[i]!, ENGINE_FLOOR * scale(p[i]!)));
    for (const i of plan.elements) {
      const fd = differences[i]!;
      finiteDifferenceError = Math.max(finiteDifferenceError,
        relativeError(grad[i]!, fd, scale(p[i]!)), relativeError(tapeGrad[i]!, fd, scale(p[i]!)));
    }
    for (const d of plan.directions) {
      let compiled = 0;
      let taped = 0;
      let reach = 0;
      for (let i = 0; i < d.length; i++) {
        compiled += grad[i]! * d[i]!;
        taped += tapeGrad[i]! * d[i]!;
        if (d[i] !== 0) reach = Math.max(reach, Math.abs(p[i]!));
      }
      const fd = directionalDifference(forward, p, d);
      engineError = Math.max(engineError, relativeError(compiled, taped, ENGINE_FLOOR * scale(reach)));
      finiteDifferenceError = Math.max(finiteDifferenceError, relativeError(compiled, fd, scale(reach)), relativeError(taped, fd, scale(reach)));
    }
    return {
      ok: engineError <= ENGINE_TOLERANCE && finiteDifferenceError <= FINITE_DIFFERENCE_TOLERANCE,
      engineError,
      finiteDifferenceError,
      tape: [...tapeGrad],
      finiteDifference: [...differences],
      tolerance: { engines: ENGINE_TOLERANCE, finiteDifferences: FINITE_DIFFERENCE_TOLERANCE },
    };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
