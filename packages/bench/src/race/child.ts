/**
 * The race's child processes (extras.ts starts them), so that what they
 * measure starts from a fresh process:
 *
 *   node child.js startup PEER WORKLOAD.json [MODULE.mjs]
 *     one step of PEER ('ours' steps the emitted module MODULE.mjs; otherwise
 *     a tfjs or jax-js peer); prints {scriptMs, endMs, loss}: performance.now()
 *     (ms since the process started) at this script's first line and after the step.
 *   node --expose-gc child.js heap WORKLOAD.json MODULE.mjs STEPS
 *     STEPS steps of the module after 20,000 to warm up; prints the heap used
 *     after a full collection before and after.
 *
 * Only node: modules are imported up front; the rest is loaded by the mode that needs it.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { RaceWorkload } from './peer.js';

const scriptMs = performance.now();

type Backward = (p: Float64Array, x: Float64Array, grad: Float64Array, n: number) => number;

/** A workload as extras.ts writes it (values as arrays), back to Float64Arrays. */
function readWorkload(file: string): RaceWorkload {
  const w = JSON.parse(readFileSync(file, 'utf8')) as RaceWorkload;
  const revive = (ts: RaceWorkload['params']) => ts.map((t) => ({ ...t, values: Float64Array.from(t.values) }));
  return { ...w, params: revive(w.params), inputs: revive(w.inputs) };
}

const concat = (ts: RaceWorkload['params']) => Float64Array.from(ts.flatMap((t) => [...t.values]));

/** One SGD step of the emitted module, as a program using it writes it. */
async function moduleStepper(w: RaceWorkload, module: string): Promise<() => number> {
  const { backwardFlat } = (await import(pathToFileURL(module).href)) as { backwardFlat: Backward };
  const p = concat(w.params);
  const x = concat(w.inputs);
  const grad = new Float64Array(p.length);
  const n = w.inputs[0]!.shape[0]!;
  return () => {
    const loss = backwardFlat(p, x, grad, n);
    for (let i = 0; i < p.length; i++) p[i] = p[i]! - w.lr * grad[i]!;
    return loss;
  };
}

async function startup(peerName: string, w: RaceWorkload, module?: string): Promise<object> {
  let loss: number;
  if (peerName === 'ours') loss = (await moduleStepper(w, module!))();
  else {
    const peers = peerName.startsWith('tfjs') ? (await import('./tfjs.js')).tfjsPeers : (await import('./jax.js')).jaxPeers;
    const peer = peers.find((p) => p.name === peerName);
    if (!peer) throw new Error(`no peer '${peerName}'`);
    const run = await peer.start(w);
    if (!run) throw new Error(`${peerName} cannot run ${w.id}`);
    loss = await run.step();
  }
  return { scriptMs, endMs: performance.now(), loss };
}

/** Steps before the heap is measured. */
const WARMUP_STEPS = 20_000;

async function heap(w: RaceWorkload, module: string, steps: number): Promise<object> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const step = await moduleStepper(w, module);
  let sink = 0;
  // Long enough for V8 to finish optimising (its code and feedback are heap too, allocated once).
  for (let i = 0; i < WARMUP_STEPS; i++) sink += step();
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  for (let i = 0; i < steps; i++) sink += step();
  const ms = performance.now() - started;
  gc();
  gc();
  return { beforeBytes: before, afterBytes: process.memoryUsage().heapUsed, ms, finite: Number.isFinite(sink) };
}

const [mode, ...args] = process.argv.slice(2);
const result =
  mode === 'startup' ? await startup(args[0]!, readWorkload(args[1]!), args[2])
    : mode === 'heap' ? await heap(readWorkload(args[0]!), args[1]!, Number(args[2]))
      : undefined;
if (!result) throw new Error(`child.js: unknown mode '${mode}'`);
process.stdout.write(`${JSON.stringify(result)}\n`);
// tfjs-wasm and jax-js may leave handles open; the answer is out.
process.exit(0);
