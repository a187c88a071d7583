/** The run's results as JSON (everything) and as Markdown (the tables, also printed to stdout). */
import { COMPETITOR_LABELS, type WorkloadResult } from './compare.js';
import type { FitComparison } from './fit.js';
import type { Settings } from './harness.js';
import { growth, type ScalingPoint, type ScalingSettings, type Shape } from './scaling.js';
import { increments, type SwellPoint } from './swell.js';
import { formatRatio, invert, type Target } from './targets.js';
import type { TensorResult } from './tensor-workloads.js';
import { raceMarkdown } from './race/report.js';
import type { RaceResults } from './race/run.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  /** os.loadavg() (1, 5, 15 minutes) when the run started and ended: other work on the machine. */
  loadBefore: number[];
  loadAfter: number[];
}

export interface Results {
  mode: 'quick' | 'full';
  machine: Machine;
  versions: Record<string, string>;
  settings: { timing: Settings; scaling: ScalingSettings };
  seconds: number;
  targets: Target[];
  workloads: WorkloadResult[];
  scaling: ScalingPoint[];
  swell: SwellPoint[];
  fit: FitComparison | { error: string };
  tensors?: TensorResult[];
  race?: RaceResults;
}

export function formatTime(ns: number): string {
  if (ns < 1e3) return `${ns.toPrecision(3)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}

const n = (v: number) => v.toLocaleString('en-US');
const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** One line per workload: the ratios that matter, medians with their range. */
export function summaryTable(workloads: WorkloadResult[]): string {
  const cell = (w: WorkloadResult, c: string, invertIt = false) => {
    const r = w.rows.find((row) => row.competitor === c);
    if (!r || !r.vsGradient) return '—';
    return `${formatRatio(invertIt ? invert(r.vsGradient) : r.vsGradient)}${r.status === 'invalid' ? ' INVALID' : ''}`;
  };
  return table(
    ['workload', 'gradient / forward', 'tape (Value ops) / ours', 'tape (interpret) / ours', 'mathjs / ours', 'TensorFlow.js / ours', 'ours / hand-written'],
    workloads.map((w) => [w.id, formatRatio(w.gradientOverForward), cell(w, 'tape'), cell(w, 'interpret'), cell(w, 'mathjs'), cell(w, 'tfjs'), cell(w, 'hand-written', true)]),
  );
}

function workloadSection(w: WorkloadResult): string {
  const rows = w.rows.map((r) => {
    const label = COMPETITOR_LABELS[r.competitor];
    if (r.status === 'not run') return [label, '—', '—', 'not run', r.note ?? ''];
    const vs = r.competitor === 'gradient' ? '1 (baseline)' : r.vsGradient ? formatRatio(r.vsGradient) : '';
    const check = r.check ? `${r.status === 'ok' ? 'ok' : '**INVALID**'} (${r.check.maxError.toExponential(1)})` : '';
    const notes = [r.note, r.setupMs !== undefined ? `setup ${r.setupMs.toFixed(0)} ms` : undefined].filter(Boolean).join('; ');
    return [label, r.ns !== undefined ? formatTime(r.ns) : '', vs, check, notes];
  });
  const hand = w.rows.find((r) => r.competitor === 'hand-written' && r.vsGradient);
  return [
    `### ${w.title} (\`${w.id}\`)`,
    '',
    `${w.params} params, ${n(w.operations)} operations in the source (${n(w.functionCalls)} of them calls such as sin or tanh), ${n(w.irNodes.forward)} IR nodes for the value (${n(w.irNodes.total)} with the gradient); ` +
      `code: forwardFlat ${n(w.code.forwardChars)} chars, backwardFlat ${n(w.code.backwardChars)} chars (${w.code.ratio.toFixed(2)}x).`,
    '',
    `**gradient / forward: ${formatRatio(w.gradientOverForward)}**` + (hand ? `; **our gradient / hand-written: ${formatRatio(invert(hand.vsGradient!))}**` : ''),
    '',
    table(['competitor', 'time per call', 'time / our gradient', 'check (max error)', 'notes'], rows),
  ].join('\n');
}

function scalingSection(points: ScalingPoint[]): string {
  const rows = points.map((p) => [
    p.shape,
    n(p.irNodes.forward),
    n(p.irNodes.total),
    n(p.params),
    p.compileMs >= 100 ? p.compileMs.toFixed(0) : p.compileMs.toPrecision(3),
    ((p.compileMs / p.irNodes.forward) * 1000).toPrecision(3),
    String(p.runs),
    n(p.moduleChars),
    (p.backwardChars / p.forwardChars).toFixed(2),
  ]);
  const shapes: Shape[] = [...new Set(points.map((p) => p.shape))];
  const nodes = (s: Shape, at: number) => points.filter((p) => p.shape === s).at(at)!.irNodes.forward;
  const growthText = (from: 'smallest' | 'next size down') => shapes.map((s) =>
    `${s}: ${formatRatio(growth(points, s, from))} the time for ${(nodes(s, -1) / nodes(s, from === 'smallest' ? 0 : -2)).toFixed(0)}x the nodes`);
  return [
    table(['shape', 'IR nodes (value)', 'IR nodes (with gradient)', 'params', 'compile ms (median over rounds)', 'µs per node', 'runs', 'module chars', 'backward / forward code'], rows),
    '',
    `Largest over smallest, per round (median [range]): ${growthText('smallest').join('; ')}.`,
    '',
    `Largest over the next size down, per round: ${growthText('next size down').join('; ')}.`,
  ].join('\n');
}

function swellSection(points: SwellPoint[]): string {
  const ours = increments(points, (p) => p.backwardChars);
  const theirs = increments(points, (p) => p.mathjsChars);
  const rows = points.map((p, i) => [
    String(p.iterations),
    n(p.forwardChars),
    n(p.backwardChars),
    i === 0 ? '' : ours[i - 1]!.toFixed(0),
    n(p.mathjsChars),
    i === 0 ? '' : theirs[i - 1]!.toFixed(0),
    p.mathjsMs.toFixed(1),
  ]);
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const growth = (size: (p: SwellPoint) => number) => `${(size(last) / size(first)).toFixed(1)}x`;
  return [
    table(['iterations', 'our forwardFlat chars', 'our backwardFlat chars', 'added per iteration', 'mathjs d/dx + d/dy0 chars', 'added per iteration', 'mathjs derivative ms'], rows),
    '',
    `From ${first.iterations} to ${last.iterations} iterations (${(last.iterations / first.iterations).toFixed(0)}x): our gradient code grows ${growth((p) => p.backwardChars)}, ` +
      `mathjs's derivatives ${growth((p) => p.mathjsChars)} (each level's derivative repeats the inner expression: quadratic).`,
  ].join('\n');
}

function fitSection(fit: Results['fit']): string {
  if ('error' in fit) return `Not run: ${fit.error}`;
  return table(
    ['model', 'steps/s', 'speed-up', 'same result?'],
    [
      ['generated code (loadCompiled)', n(Math.round(fit.compiledStepsPerSecond)), formatRatio(fit.speedup), `${fit.check.ok ? 'yes' : '**NO**'} (params and loss agree to ${fit.check.maxError.toExponential(1)})`],
      ['tape engine (tapeModel)', n(Math.round(fit.tapeStepsPerSecond)), '1', ''],
    ],
  ) + `\n\n\`fit(model, xor.csv, { steps: ${fit.steps}, seed: 1 })\` (Adam, full batch of ${fit.rows} rows) timed as a whole; final loss ${fit.finalLoss.toExponential(3)}.`;
}

export function toMarkdown(r: Results): string {
  const m = r.machine;
  const t = r.settings.timing;
  return [
    '# Benchmark results',
    '',
    `Written by \`pnpm bench${r.mode === 'quick' ? ' --quick' : ''}\` on ${m.date}: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (${m.platform}); ` +
      `${r.mode} mode, ${r.seconds.toFixed(0)} s. Load average (1/5/15 min) ${m.loadBefore.map((v) => v.toFixed(2)).join('/')} at the start, ${m.loadAfter.map((v) => v.toFixed(2)).join('/')} at the end: ` +
      'the machine is shared, so absolute times are noisy; ratios are measured side by side in the same rounds and are steadier.',
    '',
    `Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    '**How to read.** Times are medians per call. Every competitor of a workload is timed in the same process, in ' +
      `${t.rounds} rounds (tinybench, ${t.timeMs} ms per competitor per round, alternating order); each tinybench sample is a batch of calls ` +
      'sized to take about 0.25 ms. A ratio is computed per round from the two medians of that round; we show the median over rounds and, ' +
      'in brackets, the range (min–max) across rounds. "time / our gradient" above 1 means we are faster. Before timing, every ' +
      "competitor's value and gradient are checked against ours at the benchmark point (max error per component, relative; " +
      'tolerance 1e-6, TensorFlow.js 1e-3 because it computes in float32); a row that fails is marked INVALID. ' +
      'mathjs differentiates with `simplify: false`: its default simplification takes about 2 s per partial already on the ' +
      '10-dimensional Rosenbrock (minutes on the 100-dimensional one); its setup time (parse, one derivative per param, compile) is listed apart. ' +
      'Our gradient also computes the value, so it is not expected to beat a competitor by more than our forward does: the tape ' +
      "targets show that approximate ceiling (the competitor's time over our forward's) beside each ratio.",
    '',
    '## Summary',
    '',
    'Time ratios, median over rounds [range across rounds]; "X / ours" above 1 means our generated gradient is faster.',
    '',
    summaryTable(r.workloads),
    '',
    '## Targets',
    '',
    table(['target', 'met', 'measured'], r.targets.map((g) => [g.target, g.met === undefined ? '—' : g.met ? 'yes' : '**no**', g.measured])),
    '',
    ...(r.race ? ['## The performance race', '', raceMarkdown(r.race)] : []),
    '## Tensor programs',
    '',
    'One step (value and gradient) of each program: our generated `backwardFlat`, our `forwardFlat`, a hand-written loop nest ' +
      'for the same step (matrix products blocked over 4 rows, buffers allocated once: `packages/bench/src/hand-mlp.ts`) and the ' +
      "tape engine's `Tensor` (`interpretTensor`, as `eval --engine tape` runs it). Values and gradients agree before timing " +
      '(largest relative difference shown).',
    '',
    table(
      ['workload', 'forward', 'gradient', 'hand-written', 'tape', 'gradient / forward', 'ours / hand-written', 'tape / ours', 'agreement (hand, tape)'],
      (r.tensors ?? []).map((t) => [t.title, formatTime(t.ns.forward), formatTime(t.ns.gradient), formatTime(t.ns['hand-written']), formatTime(t.ns.tape),
        formatRatio(t.gradientOverForward), formatRatio(t.oursOverHand), formatRatio(t.tapeOverOurs),
        `${t.agreement.hand.toExponential(1)}, ${t.agreement.tape.toExponential(1)}`]),
    ),
    '',
    '## Gradient workloads',
    '',
    r.workloads.map(workloadSection).join('\n\n'),
    '',
    '## Compile time and code size against program size',
    '',
    'Compile = `compileSource` (parse, check, lower, simplify, differentiate) + `emitModule` (JavaScript).',
    '',
    scalingSection(r.scaling),
    '',
    '## Expression swell: y = sin(x + y), iterated',
    '',
    'mathjs needs one expression, so the recurrence is inlined (its size is linear: y appears once per level). Sizes are characters of the printed code or expression.',
    '',
    swellSection(r.swell),
    '',
    '## Training: the XOR example',
    '',
    fitSection(r.fit),
    '',
  ].join('\n');
}
