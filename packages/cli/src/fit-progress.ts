/**
 * Training progress on stderr: a live bar (step, loss, speed) on a terminal,
 * or about ten plain lines when stderr is a file or a pipe. With held-out
 * rows, each shows the loss over all training rows and over the held-out
 * rows (computed only when shown) instead of the batch's.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { StepInfo } from '@autodiff/train';

/** The training and held-out losses at the current params. */
export type Losses = () => { train: number; valid: number };

export interface Progress {
  update(info: StepInfo): void;
  /** Shows the last step (with the number of updates the run made) and removes the live display. */
  finish(last: StepInfo | undefined, updates: number): void;
}

export function createProgress(total: number, losses?: Losses, stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? new BarProgress(total, stream, losses) : new LineProgress(total, stream, losses);
}

/** What a progress line or the bar shows of the losses. */
function lossText(info: StepInfo, losses: Losses | undefined): string {
  if (!losses) return `loss ${formatLoss(info.loss)}`;
  const { train, valid } = losses();
  return `train ${formatLoss(train)}  valid ${formatLoss(valid)}`;
}

export function formatLoss(loss: number): string {
  if (loss === 0 || !Number.isFinite(loss)) return String(loss);
  return Math.abs(loss) < 1e-3 || Math.abs(loss) >= 1e6 ? loss.toExponential(3) : loss.toPrecision(6);
}

class Clock {
  readonly start = performance.now();
  seconds(): number {
    return (performance.now() - this.start) / 1000;
  }
  speed(steps: number): string {
    const s = this.seconds();
    return s > 0 ? (steps / s).toFixed(0) : '-';
  }
}

class BarProgress implements Progress {
  private readonly bar: SingleBar;
  private readonly clock = new Clock();
  private shownAt = 0;
  private lossesAt = -Infinity;
  private losses = 'loss -';

  constructor(total: number, stream: NodeJS.WriteStream, private readonly evaluate: Losses | undefined) {
    this.bar = new SingleBar(
      { format: 'step {value}/{total} [{bar}] {losses} | {speed} steps/s', stream, hideCursor: true },
      Presets.shades_classic,
    );
    this.bar.start(total, 0, { losses: this.losses, speed: '-' });
  }

  update(info: StepInfo): void {
    const now = performance.now();
    if (now - this.shownAt < 100) return; // a terminal cannot show more; keep the loop fast
    this.shownAt = now;
    // The losses over whole data sets cost a pass over them: once a second is enough.
    if (!this.evaluate || now - this.lossesAt >= 1000) {
      this.losses = lossText(info, this.evaluate);
      this.lossesAt = now;
    }
    this.bar.update(info.step, { losses: this.losses, speed: this.clock.speed(info.step) });
  }

  finish(last: StepInfo | undefined, updates: number): void {
    if (last) this.bar.update(updates, { losses: lossText(last, this.evaluate), speed: this.clock.speed(updates) });
    this.bar.stop();
  }
}

class LineProgress implements Progress {
  private readonly every: number;
  private readonly clock = new Clock();
  private shown = 0;

  constructor(private readonly total: number, private readonly stream: NodeJS.WriteStream, private readonly evaluate: Losses | undefined) {
    this.every = Math.max(1, Math.ceil(total / 10));
  }

  update(info: StepInfo): void {
    if (info.updated && (info.step === 1 || info.step % this.every === 0)) this.show(info.step, info);
  }

  finish(last: StepInfo | undefined, updates: number): void {
    // The step that stops a run (at --until) is evaluated but not taken: it is not counted.
    if (last && updates !== this.shown) this.show(updates, last);
  }

  private show(step: number, info: StepInfo): void {
    this.shown = step;
    const width = String(this.total).length;
    const speed = this.clock.speed(step); // before the losses: their pass over the data is not training time
    this.stream.write(`step ${String(step).padStart(width)}/${this.total}  ${lossText(info, this.evaluate)}  ${speed} steps/s\n`);
  }
}
