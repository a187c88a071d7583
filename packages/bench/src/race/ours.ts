/**
 * Our peer: the workload's source compiled with compileSource and loaded with
 * loadCompiled (the same JavaScript an emitted module holds), stepped through
 * the flat API: backwardFlat(p, x, grad, ...dims), then p -= lr * grad.
 */
import { compileSource, loadCompiled, type CompiledFunctions } from '@autodiff/compiler';
import { sgdRun } from './hand.js';
import type { Peer, RaceWorkload } from './peer.js';

export interface Ours {
  functions: CompiledFunctions;
  /** Each dimension name's size, in the flat functions' order, read off the inputs' shapes. */
  dims: number[];
}

export function compileOurs(w: RaceWorkload): Ours {
  const { checked, ir, diagnostics } = compileSource(w.source);
  if (!checked || !ir) throw new Error(`${w.id}: ${diagnostics.map((d) => d.message).join('; ')}`);
  const functions = loadCompiled(ir);
  const dims = (functions.dimNames ?? []).map((name) => {
    for (const [i, input] of checked.inputs.entries()) {
      const axis = input.shape.indexOf(name);
      if (axis >= 0) return w.inputs[i]!.shape[axis]!;
    }
    throw new Error(`${w.id}: no input has the dimension '${name}'`);
  });
  return { functions, dims };
}

export const oursPeer: Peer = {
  name: 'ours',
  precision: 'f64',
  start: async (w) => {
    const { functions, dims } = compileOurs(w);
    const backward = functions.backwardFlat;
    // Every race model has one dimension name: pass it as a user would, without a spread.
    const [n] = dims;
    if (dims.length !== 1 || n === undefined) throw new Error(`${w.id}: expected one dimension name, got ${dims.length}`);
    return sgdRun((p, x, grad) => backward(p, x, grad, n), w);
  },
};
