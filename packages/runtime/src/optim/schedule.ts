/**
 * A learning-rate schedule: the rate for step `step` (counted from 0) of a run
 * of `total` steps. Decaying schedules reach 0 at step `total` (one past the last).
 */
export type Schedule = (step: number) => number;

export type ScheduleKind = 'constant' | 'linear' | 'cosine' | 'step';

export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['constant', 'linear', 'cosine', 'step'];

export function isScheduleKind(name: string): name is ScheduleKind {
  return (SCHEDULE_KINDS as readonly string[]).includes(name);
}

export function constantSchedule(lr: number): Schedule {
  return () => lr;
}

/** lr * (1 - step/total): a straight line from lr down to 0. */
export function linearDecay(lr: number, total: number): Schedule {
  return (step) => lr * (1 - progress(step, total));
}

/** lr * (1 + cos(pi * step/total)) / 2: starts flat at lr, ends flat at 0 (SGDR without restarts). */
export function cosineDecay(lr: number, total: number): Schedule {
  return (step) => (lr * (1 + Math.cos(Math.PI * progress(step, total)))) / 2;
}

/**
 * Steps down by 10x at half and at three quarters of the run (PyTorch's
 * MultiStepLR with milestones at 50% and 75%, gamma 0.1): lr, then lr/10, then lr/100.
 */
export function stepDecay(lr: number, total: number): Schedule {
  return (step) => {
    const at = progress(step, total);
    return at < 0.5 ? lr : at < 0.75 ? lr / 10 : lr / 100;
  };
}

export function createSchedule(kind: ScheduleKind, lr: number, total: number): Schedule {
  switch (kind) {
    case 'constant':
      return constantSchedule(lr);
    case 'linear':
      return linearDecay(lr, total);
    case 'cosine':
      return cosineDecay(lr, total);
    case 'step':
      return stepDecay(lr, total);
  }
}

/** step/total clamped to [0, 1]; a run of no steps counts as not started. */
function progress(step: number, total: number): number {
  return total > 0 ? Math.min(1, Math.max(0, step / total)) : 0;
}
