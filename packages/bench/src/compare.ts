/**
 * One workload, every competitor side by side: correctness at the benchmark
 * point first, then timing in the same process and rounds.
 */
import { outputsOf, topoOrder, valueOf } from '@autodiff/ir';
import { agreement, evaluate, FLOAT32_TOLERANCE, TOLERANCE, type Agreement } from './check.js';
import { inlineExpression, mathjsGradient } from './competitors/mathjs.js';
import { interpretGradient, tapeGradient } from './competitors/tape.js';
import { tfjsGradient, type Tf } from './competitors/tfjs.js';
import { compileProgram, functionText, importModule } from './generated.js';
import type { GradientFn } from './gradient.js';
import { ratio, timeSideBySide, type Candidate, type Ratio, type Settings } from './harness.js';
import { seededRandom } from './random.js';
import { functionCallCount, operationCount, toSteps } from './steps.js';
import type { Workload } from './workloads.js';

export type Competitor = 'forward' | 'gradient' | 'module file' | 'tape' | 'interpret' | 'mathjs' | 'tfjs' | 'hand-written';

export const COMPETITOR_LABELS: Record<Competitor, string> = {
  forward: 'generated forward (forwardFlat)',
  gradient: 'generated gradient (backwardFlat)',
  'module file': 'generated gradient, imported .mjs file',
  tape: 'tape engine (Value ops)',
  interpret: 'tape engine (interpret)',
  mathjs: 'mathjs derivative + evaluate',
  tfjs: 'TensorFlow.js valueAndGrads (cpu)',
  'hand-written': 'hand-written gradient',
};

export interface Row {
  competitor: Competitor;
  /** 'invalid': its gradient disagrees with ours (still timed); 'not run': see note. */
  status: 'ok' | 'invalid' | 'not run';
  /** Median time per call, nanoseconds. */
  ns?: number;
  /** Its time over our gradient's (forward: over our gradient too). */
  vsGradient?: Ratio;
  /** Its time over our forward's: our gradient also computes the value, so this roughly caps vsGradient. */
  vsForward?: Ratio;
  check?: Agreement;
  batch?: number;
  samples?: number;
  /** One-time setup (mathjs: parse + derivatives + compile), milliseconds. */
  setupMs?: number;
  note?: string;
}

export interface WorkloadResult {
  id: string;
  title: string;
  params: number;
  /** Operations in the source (each binding counted once), and how many of them call a named function. */
  operations: number;
  functionCalls: number;
  /** IR nodes the value needs, and the value plus the gradient. */
  irNodes: { forward: number; total: number };
  code: { forwardChars: number; backwardChars: number; ratio: number };
  /** Our gradient's time over our forward's: the cheap-gradient ratio. */
  gradientOverForward: Ratio;
  rows: Row[];
}

/** Timed calls cycle through this many points (a power of two). */
const POINTS = 16;

/** The benchmark point and POINTS - 1 points within 1e-3 of it (see harness.ts: why several). */
function nearbyPoints(at: Float64Array): Float64Array[] {
  const random = seededRandom(99);
  return Array.from({ length: POINTS }, (_, k) => (k === 0 ? at : at.map((v) => v + 1e-3 * (2 * random() - 1))));
}

export async function runWorkload(w: Workload, tf: Tf, settings: Settings, log: (line: string) => void): Promise<WorkloadResult> {
  const generated = compileProgram(w.source, `${w.id}.txt`);
  const { forwardFlat, backwardFlat } = generated.functions;
  const steps = toSteps(generated.checked);
  const ours = evaluate(backwardFlat, w.params, w.inputs);
  const forwardValue = forwardFlat(w.params, w.inputs);
  if (!Object.is(forwardValue, ours.value)) throw new Error(`${w.id}: forwardFlat ${forwardValue} != backwardFlat value ${ours.value}`);

  const rows: Row[] = [];
  const candidates: Candidate[] = [];
  const points = nearbyPoints(w.params);
  const add = (competitor: Competitor, f: GradientFn, tolerance: number, extra: Partial<Row> = {}) => {
    const check = agreement(ours, evaluate(f, w.params, w.inputs), tolerance);
    if (!check.ok) log(`  ! ${w.id}: ${COMPETITOR_LABELS[competitor]} disagrees with our gradient (error ${check.maxError.toExponential(2)} > ${tolerance}); row marked invalid`);
    rows.push({ competitor, status: check.ok ? 'ok' : 'invalid', check, ...extra });
    candidates.push({ name: competitor, f, points, x: w.inputs, grad: new Float64Array(w.params.length) });
  };
  const notRun = (competitor: Competitor, note: string) => rows.push({ competitor, status: 'not run', note });

  rows.push({ competitor: 'forward', status: 'ok' });
  candidates.push({ name: 'forward', f: (p, x) => forwardFlat(p, x), points, x: w.inputs, grad: new Float64Array(0) });
  add('gradient', backwardFlat, 0);
  const imported = await importModule(generated.module, w.id);
  add('module file', imported.backwardFlat, 0);
  add('tape', tapeGradient(steps), TOLERANCE);
  add('interpret', interpretGradient(generated.checked), TOLERANCE);

  const inlined = inlineExpression(steps);
  if ('unsupported' in inlined) notRun('mathjs', inlined.unsupported);
  else {
    const m = mathjsGradient(steps, inlined.expression);
    const note = `derivatives ${m.derivativeChars.toLocaleString('en-US')} chars`;
    add('mathjs', m.gradient, TOLERANCE, { setupMs: m.setupMs, note });
  }

  const t = tfjsGradient(tf, steps);
  if ('unsupported' in t) notRun('tfjs', t.unsupported);
  else add('tfjs', t.gradient, FLOAT32_TOLERANCE, { note: 'float32 (tfjs has no float64)' });

  if (w.hand) add('hand-written', w.hand, TOLERANCE);
  else notRun('hand-written', 'none written for this workload');

  const timings = timeSideBySide(candidates, settings);
  const gradient = timings.get('gradient')!;
  const forward = timings.get('forward')!;
  for (const row of rows) {
    const timing = timings.get(row.competitor);
    if (!timing) continue;
    Object.assign(row, { ns: timing.ns, batch: timing.batch, samples: timing.samples, vsGradient: ratio(timing, gradient), vsForward: ratio(timing, forward) });
  }
  const forwardChars = functionText(generated.module, 'forwardFlat').length;
  const backwardChars = functionText(generated.module, 'backwardFlat').length;
  return {
    id: w.id,
    title: w.title,
    params: w.params.length,
    operations: operationCount(steps),
    functionCalls: functionCallCount(steps),
    irNodes: { forward: topoOrder([valueOf(generated.ir)]).length, total: topoOrder(outputsOf(generated.ir)).length },
    code: { forwardChars, backwardChars, ratio: backwardChars / forwardChars },
    gradientOverForward: ratio(gradient, forward),
    rows,
  };
}
