/** The issue's targets, each evaluated from one run's numbers. */
import type { WorkloadResult } from './compare.js';
import type { Ratio } from './harness.js';
import type { TensorResult } from './tensor-workloads.js';
import { growth, type ScalingPoint, type Shape } from './scaling.js';
import { increments, type SwellPoint } from './swell.js';

export interface Target {
  target: string;
  /** What was measured, in words and numbers. */
  measured: string;
  /** Undefined for a comparison shown for context, which is not one of the issue's targets. */
  met?: boolean;
}

const x = (r: number) => `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}x`;
export const formatRatio = (r: Ratio) => `${x(r.median)} [${x(r.min)}–${x(r.max)}]`;
/** 1/r, per round (the median of an odd number of rounds inverts exactly). */
export const invert = (r: Ratio): Ratio => ({ median: 1 / r.median, min: 1 / r.max, max: 1 / r.min });

/** Our gradient's size may grow by at most this factor more per iteration late than early, to count as linear. */
export const LINEAR_INCREMENT_SPREAD = 1.5;

export function evaluateTargets(workloads: WorkloadResult[], scaling: ScalingPoint[], swell: SwellPoint[], tensors: TensorResult[] = []): Target[] {
  const targets: Target[] = [];
  const each = (target: string, items: { label: string; value: string; ok: boolean; note?: string }[], context = false) => {
    if (items.length === 0) return;
    const remarks = (i: (typeof items)[number]) => [...(i.ok || context ? [] : ['missed']), ...(i.note ? [i.note] : [])];
    const measured = items.map((i) => `${i.label} ${i.value}${remarks(i).length ? ` (${remarks(i).join('; ')})` : ''}`).join('; ');
    targets.push({ target, measured, ...(context ? {} : { met: items.every((i) => i.ok) }) });
  };
  each(
    'gradient / forward time <= 3 on every workload (median)',
    workloads.map((w) => ({ label: w.id, value: formatRatio(w.gradientOverForward), ok: w.gradientOverForward.median <= 3 })),
  );
  each(
    'tensor programs: gradient / forward time <= 3 (median)',
    tensors.map((t) => ({ label: t.id, value: formatRatio(t.gradientOverForward), ok: t.gradientOverForward.median <= 3 })),
  );
  each(
    'tensor programs: our gradient / a hand-written blocked loop nest for the same step <= 1.3 (median)',
    tensors.map((t) => ({ label: t.id, value: formatRatio(t.oursOverHand), ok: t.oursOverHand.median <= 1.3 })),
  );
  each(
    'tensor programs: the tape engine\'s Tensor / our gradient (for context)',
    tensors.map((t) => ({ label: t.id, value: formatRatio(t.tapeOverOurs), ok: true })),
    true,
  );
  const row = (w: WorkloadResult, c: string) => w.rows.find((r) => r.competitor === c && r.vsGradient && r.status === 'ok');
  // The issue's random program, and for context an added mostly arithmetic one.
  // Our gradient also computes the value, so it is not expected to beat the tape
  // by more than our forward does: each ratio is shown with that approximate
  // ceiling (tape time over our forward's).
  const workloadsVsTape = [
    ['random-1000', 'generated gradient >= 100x faster than the tape engine on the 1,000-node program', false],
    ['random-arith-1000', 'context, not a target: the same on the mostly arithmetic 1,000-node program (a workload added beside the issue\'s)', true],
  ] as const;
  for (const [id, target, context] of workloadsVsTape) {
    const random = workloads.find((w) => w.id === id);
    if (!random) continue;
    each(
      target,
      (['tape', 'interpret'] as const).flatMap((c) => {
        const r = row(random, c);
        if (!r) return [];
        const note = r.vsForward ? `ceiling ${formatRatio(r.vsForward)}` : undefined;
        return [{ label: c === 'tape' ? 'Value ops' : 'interpret', value: formatRatio(r.vsGradient!), ok: r.vsGradient!.median >= 100, ...(note ? { note } : {}) }];
      }),
      context,
    );
  }
  for (const [competitor, factor, name] of [['mathjs', 50, 'mathjs'], ['tfjs', 100, 'TensorFlow.js']] as const) {
    each(
      `generated gradient >= ${factor}x faster than ${name} on every workload where it runs`,
      workloads.flatMap((w) => {
        const r = row(w, competitor);
        return r ? [{ label: w.id, value: formatRatio(r.vsGradient!), ok: r.vsGradient!.median >= factor }] : [];
      }),
    );
  }
  each(
    'generated gradient within 1.25x of the hand-written gradient (our time / hand-written time)',
    workloads.flatMap((w) => {
      const r = row(w, 'hand-written');
      return r ? [{ label: w.id, value: formatRatio(invert(r.vsGradient!)), ok: invert(r.vsGradient!).median <= 1.25 }] : [];
    }),
  );
  const shapes: Shape[] = [...new Set(scaling.map((p) => p.shape))];
  const largest = (s: string) => scaling.filter((p) => p.shape === s).reduce((a, b) => (a.size > b.size ? a : b));
  each(
    'compiling the 100,000-node program takes < 5 s',
    shapes.map((s) => ({ label: s, value: `${(largest(s).compileMs / 1000).toFixed(2)} s`, ok: largest(s).compileMs < 5000 })),
  );
  each(
    'compile time grows linearly: 100,000 nodes cost <= ~1,200x the 100-node case',
    shapes.map((s) => {
      const r = growth(scaling, s);
      return { label: s, value: formatRatio(r), ok: r.median <= 1200 };
    }),
  );
  each('emitted gradient code size <= 4x forward code size (backwardFlat / forwardFlat characters)', [
    ...workloads.map((w) => ({ label: w.id, value: x(w.code.ratio), ok: w.code.ratio <= 4 })),
    ...scaling.filter((p) => p.size === largest(p.shape).size).map((p) => ({ label: `${p.shape} ${p.irNodes.forward} nodes`, value: x(p.backwardChars / p.forwardChars), ok: p.backwardChars / p.forwardChars <= 4 })),
  ]);
  const steps = increments(swell, (p) => p.backwardChars);
  const spread = Math.max(...steps) / Math.min(...steps);
  each(`expression swell: our gradient size grows linearly in iterations (chars added per iteration vary by <= ${LINEAR_INCREMENT_SPREAD}x)`, [
    { label: 'chars per iteration', value: `${steps.map((s) => s.toFixed(0)).join(', ')} (spread ${x(spread)})`, ok: spread <= LINEAR_INCREMENT_SPREAD },
  ]);
  return targets;
}
