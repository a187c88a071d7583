/** The race's results as Markdown: one table per workload, the targets, the extra measurements. */
import { formatRatio } from '../targets.js';
import { AGREEMENT_STEPS, TOLERANCE, type RaceResults, type RaceWorkloadResult } from './run.js';

/** At most: the time our first step adds to Node's own start (ms), and our gradient's time over our forward's. */
export const STARTUP_TARGET_MS = 15;
export const GRADIENT_OVER_FORWARD_TARGET = 3;
/** Heap growth counted as none: what V8's own code and feedback for a few late-optimized functions may take. */
export const HEAP_TOLERANCE_BYTES = 64 * 1024;

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));
const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const met = (ok: boolean | undefined) => (ok === undefined ? 'not timed' : ok ? 'met' : '**missed**');

function workloadTable(w: RaceWorkloadResult): string {
  const rows = w.peers.map((p) => {
    const target = w.targets.find((t) => t.peer === p.name);
    const agreement = p.loss === undefined ? '' : `${p.loss.toPrecision(8)}${p.name === 'ours' ? '' : ` (${p.difference!.toExponential(1)})`}`;
    const time = p.ms === undefined ? p.status : `${ms(p.ms)}${p.rounds ? ` [${ms(Math.min(...p.rounds))}–${ms(Math.max(...p.rounds))}]` : ''}`;
    const speedup = p.name === 'ours' ? '1' : p.speedup ? formatRatio(p.speedup) : '';
    return [p.name, p.precision, time, speedup, agreement, target ? `${target.text}: ${met(target.met)}` : '', [p.status === 'timed' ? '' : p.status, p.note ?? ''].filter(Boolean).join(': ')];
  });
  return [
    `### ${w.title} (\`${w.id}\`, ${w.params.toLocaleString('en-US')} params)`,
    '',
    table(['peer', 'precision', 'ms / step [range over rounds]', 'peer / ours', `loss after ${AGREEMENT_STEPS} steps (rel. diff. to ours)`, 'target', 'notes'], rows),
  ].join('\n');
}

export function raceMarkdown(r: RaceResults): string {
  const s = r.settings;
  const e = r.extras;
  const targets = r.workloads.flatMap((w) =>
    w.targets.map((t) => [w.id, `${t.text} ${t.text.startsWith('within') ? 'of' : 'than'} ${t.peer}`, t.speedup ? formatRatio(t.speedup) : 'not timed', met(t.met)]),
  );
  const ours = e.startup.find((st) => st.peer === 'ours');
  const startupRows = e.startup.map((st) =>
    st.error
      ? [st.peer, '', '', '', `failed: ${st.error}`]
      : [st.peer, String(st.runs), ms(st.scriptMs!), ms(st.endMs!), ms(st.endMs! - st.scriptMs!)],
  );
  const heap = 'error' in e.heap ? `not measured: ${e.heap.error}` : (() => {
    const h = e.heap;
    const growth = h.afterBytes - h.beforeBytes;
    return `${(h.beforeBytes / 1024).toFixed(0)} KiB before, ${(h.afterBytes / 1024).toFixed(0)} KiB after ${h.steps.toLocaleString('en-US')} more steps ` +
      `(${(growth / 1024).toFixed(1)} KiB, ${(growth / h.steps).toFixed(3)} bytes per step; ${(h.ms / 1000).toFixed(1)} s): ` +
      `target none (below ${HEAP_TOLERANCE_BYTES / 1024} KiB): ${met(growth <= HEAP_TOLERANCE_BYTES)}`;
  })();
  return [
    `Run by \`pnpm bench${r.mode === 'quick' ? ' --quick' : ''}\` (the race alone: \`pnpm --filter @autodiff/bench race\`); ${r.mode} mode, ${r.seconds.toFixed(0)} s. ` +
      'Every peer trains the same model from the same initial params on the same data, one step (forward, gradient, SGD update) at a time. ' +
      `Before timing, each peer's loss after ${AGREEMENT_STEPS} steps must equal ours to ${TOLERANCE.f32.toExponential()} (relative, float32 peers) or ${TOLERANCE.f64.toExponential()} (float64); ` +
      `a peer that does not is not timed. Then all peers are timed in the same process in ${s.rounds} rounds (after ${s.warmupMs} ms of warm-up each); ` +
      `in each round each peer runs a batch of steps sized to take about ${s.batchMs} ms right after or right before a batch of ours (alternately), ` +
      'so that a burst of load from the other work on this shared machine hits both sides of a comparison. ms / step is the median over rounds [range]; ' +
      '"peer / ours" is the peer\'s batch time over our adjacent one, per round, median [range]: above 1 means we are faster. Ours is the generated `backwardFlat` ' +
      '(`compileSource` + `loadCompiled`); hand naive and hand blocked are Float64Array loop nests (`src/race/hand.ts`, `src/hand-mlp.ts`; ' +
      'products as dot products, or blocked over 4 rows); tfjs-cpu and tfjs-wasm are TensorFlow.js 4.22 (`tf.train.sgd().minimize`, float32; ' +
      'wasm with SIMD, one thread); jax-js 0.1.25 (`src/race/jax.ts`).',
    '',
    table(['workload', 'target', 'measured (peer / ours)', 'met'], targets),
    '',
    ...r.workloads.flatMap((w) => [workloadTable(w), '']),
    '### Gradient / forward',
    '',
    `Our \`backwardFlat\` over our \`forwardFlat\` (the harness of the tensor programs above; target <= ${GRADIENT_OVER_FORWARD_TARGET}).`,
    '',
    table(
      ['workload', 'forward ms', 'gradient ms', 'gradient / forward', 'target'],
      e.gradientOverForward.map((g) => [g.id, ms(g.forwardMs), ms(g.gradientMs), formatRatio(g.ratio), met(g.ratio.median <= GRADIENT_OVER_FORWARD_TARGET)]),
    ),
    '',
    '### Largest matrix product',
    '',
    `${e.matmul.shape} (${(e.matmul.flop / 1e6).toFixed(1)} MFLOP, the MLP 784-128-10's first layer), as our forward of \`sum(relu(X @ W))\` and as the ` +
      `hand-written blocked kernel with the same relu and sum: ours ${e.matmul.oursGflops.toFixed(2)} GFLOP/s, hand blocked ${e.matmul.handGflops.toFixed(2)} GFLOP/s ` +
      `(our time / its time ${formatRatio(e.matmul.oursOverHand)}).`,
    '',
    '### Time to the first step',
    '',
    `A fresh \`node\` process per run (median of the runs) that reads the two-moons workload from a JSON file and takes one step: ours imports the emitted module ` +
      '(`emitModule`, JavaScript), the others load their library. Times are `performance.now()`, ms since the process started: at the script\'s first line ' +
      '(Node\'s own start, the same for every peer and loaded by the other sessions on this machine) and when the first step has finished. ' +
      `Target for ours: <= ${STARTUP_TARGET_MS} ms added by the program (the last column)` +
      (ours?.endMs !== undefined ? `: ${ms(ours.endMs - ours.scriptMs!)} ms, ${met(ours.endMs - ours.scriptMs! <= STARTUP_TARGET_MS)}` : '') + '.',
    '',
    table(['peer', 'runs', 'script starts (ms)', 'first step done (ms)', 'added by the program (ms)'], startupRows),
    '',
    '### Heap and module size',
    '',
    `Heap used after a full collection (\`--expose-gc\`, a child process), two-moons steps of the emitted module after 20,000 to warm up: ${heap}.`,
    '',
    `The generated TypeScript module for the two-moons MLP (\`compileSource\` + \`emitModule\`, language ts, source quoted in its header): ` +
      `${e.module.chars.toLocaleString('en-US')} characters, ${e.module.gzipBytes.toLocaleString('en-US')} bytes gzipped (\`zlib.gzipSync\`, level 6).`,
    '',
  ].join('\n');
}
