import { shuffleInPlace } from '@autodiff/runtime';

/**
 * Mini-batches of row indices. With a batch size below the number of rows,
 * each epoch visits every row once in a fresh random order, in consecutive
 * batches of `size` rows (the epoch's last batch holds the remainder). Otherwise
 * every batch is the full dataset, in file order.
 */
export class BatchSampler {
  /** Row indices; the current batch is `order[start .. end)`. */
  readonly order: Uint32Array;
  start = 0;
  end = 0;
  private readonly size: number;

  constructor(rows: number, size: number | undefined, private readonly random: () => number) {
    this.order = Uint32Array.from({ length: rows }, (_, i) => i);
    this.size = size === undefined ? rows : Math.min(size, rows);
  }

  get fullBatch(): boolean {
    return this.size === this.order.length;
  }

  /** Moves to the next batch. */
  next(): void {
    if (this.fullBatch) {
      this.start = 0;
      this.end = this.order.length;
      return;
    }
    this.start = this.end >= this.order.length ? 0 : this.end;
    if (this.start === 0) shuffleInPlace(this.order, this.random);
    this.end = Math.min(this.start + this.size, this.order.length);
  }
}
