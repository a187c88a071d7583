/**
 * Training progress on stderr: a live bar (step, loss, speed) on a terminal,
 * or about ten plain lines when stderr is a file or a pipe.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { StepInfo } from '@autodiff/train';

export interface Progress {
  update(info: StepInfo): void;
  /** Shows the last step (with the number of updates the run made) and removes the live display. */
  finish(last: StepInfo | undefined, updates: number): void;
}

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? new BarProgress(total, stream) : new LineProgress(total, stream);
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

  constructor(total: number, stream: NodeJS.WriteStream) {
    this.bar = new SingleBar(
      { format: 'step {value}/{total} [{bar}] loss {loss} | {speed} steps/s', stream, hideCursor: true },
      Presets.shades_classic,
    );
    this.bar.start(total, 0, { loss: '-', speed: '-' });
  }

  update(info: StepInfo): void {
    const now = performance.now();
    if (now - this.shownAt < 100) return; // a terminal cannot show more; keep the loop fast
    this.shownAt = now;
    this.bar.update(info.step, { loss: formatLoss(info.loss), speed: this.clock.speed(info.step) });
  }

  finish(last: StepInfo | undefined, updates: number): void {
    if (last) this.bar.update(updates, { loss: formatLoss(last.loss), speed: this.clock.speed(updates) });
    this.bar.stop();
  }
}

class LineProgress implements Progress {
  private readonly every: number;
  private readonly clock = new Clock();
  private shown = 0;

  constructor(private readonly total: number, private readonly stream: NodeJS.WriteStream) {
    this.every = Math.max(1, Math.ceil(total / 10));
  }

  update(info: StepInfo): void {
    if (info.updated && (info.step === 1 || info.step % this.every === 0)) this.show(info.step, info.loss);
  }

  finish(last: StepInfo | undefined, updates: number): void {
    // The step that stops a run (at --until) is evaluated but not taken: it is not counted.
    if (last && updates !== this.shown) this.show(updates, last.loss);
  }

  private show(step: number, loss: number): void {
    this.shown = step;
    const width = String(this.total).length;
    this.stream.write(`step ${String(step).padStart(width)}/${this.total}  loss ${formatLoss(loss)}  ${this.clock.speed(step)} steps/s\n`);
  }
}
