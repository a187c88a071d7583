import { seededRandom } from '@autodiff/runtime';
import { describe, expect, it } from 'vitest';
import { BatchSampler } from './batches.js';

function batches(rows: number, size: number | undefined, count: number, seed = 0): number[][] {
  const sampler = new BatchSampler(rows, size, seededRandom(seed));
  return Array.from({ length: count }, () => {
    sampler.next();
    return Array.from(sampler.order.subarray(sampler.start, sampler.end));
  });
}

describe('BatchSampler', () => {
  it('the full batch is every row in file order, every time', () => {
    expect(batches(4, undefined, 3)).toEqual([[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3]]);
    expect(batches(4, 10, 1)).toEqual([[0, 1, 2, 3]]);
  });

  it('mini-batches: each epoch visits every row once, the last batch holding the remainder', () => {
    const got = batches(10, 4, 9);
    expect(got.map((b) => b.length)).toEqual([4, 4, 2, 4, 4, 2, 4, 4, 2]);
    for (let epoch = 0; epoch < 3; epoch++) {
      const rows = got.slice(3 * epoch, 3 * epoch + 3).flat().sort((a, b) => a - b);
      expect(rows).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(got[0]).not.toEqual(got[3]); // reshuffled between epochs
  });

  it('the order depends only on the seed', () => {
    expect(batches(20, 3, 10, 4)).toEqual(batches(20, 3, 10, 4));
    expect(batches(20, 3, 10, 4)).not.toEqual(batches(20, 3, 10, 5));
  });
});
