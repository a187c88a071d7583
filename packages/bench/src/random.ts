/** Seeded numbers for programs and points: the runtime's generator (the same seed gives the same run anywhere). */
export { seededRandom } from '@autodiff/runtime';

/** Uniform on [lo, hi). */
export const uniform = (random: () => number, lo: number, hi: number) => lo + (hi - lo) * random();
