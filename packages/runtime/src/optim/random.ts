/**
 * A seeded pseudo-random generator: the same seed gives the same numbers on
 * every platform, so a training run can be repeated exactly. The algorithm is
 * Mulberry32 (32 bits of state; plenty for initialisation and shuffling, not
 * for cryptography).
 *
 * Returns a function giving numbers in [0, 1) with 32 random bits.
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer from 0 to 4294967295, not ${seed}`);
  }
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 0x100000000;
  };
}

/** Puts `items` in a random order in place (Fisher-Yates), drawing from `random`. */
export function shuffleInPlace(items: { [i: number]: number; length: number }, random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
}
