/** "Did you mean" hints: the bounded edit distance, and its cost on large and hostile inputs. */
import { describe, expect, it } from 'vitest';
import { analyze, boundedEditDistance, MAX_HINTS, nearestName } from './check.js';

/** The textbook full-matrix distance (with adjacent transpositions), as the witness. */
function fullDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe('boundedEditDistance', () => {
  it('equals the full distance when it is within the limit, and says limit + 1 otherwise', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const word = () => Array.from({ length: Math.floor(random() * 9) }, () => 'abc'[Math.floor(random() * 3)]).join('');
    for (let n = 0; n < 3000; n++) {
      const [a, b, limit] = [word(), word(), Math.floor(random() * 5)];
      const full = fullDistance(a, b);
      expect(boundedEditDistance(a, b, limit), `${a} ${b} ${limit}`).toBe(full <= limit ? full : limit + 1);
    }
  });
});

describe('nearestName', () => {
  it('finds a transposition, a case slip, a missing letter', () => {
    expect(nearestName('tnah', ['sin', 'tanh', 'tan'])).toBe('tanh');
    expect(nearestName('Weight', ['weight', 'height'])).toBe('weight');
    expect(nearestName('wight', ['weight'])).toBe('weight');
    expect(nearestName('ab', ['ac'])).toBeUndefined(); // short names are too alike to guess
  });

  it('gives no hint for a very long name, and costs nothing for it', () => {
    const long = 'a'.repeat(30_000);
    const started = performance.now();
    expect(nearestName(`${long}b`, [`${long}c`])).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe('checking files with many unknown names stays fast', () => {
  it('a 30,000-character name and a near miss of it (60 KB): an error in well under a second', () => {
    const name = 'a'.repeat(30_000);
    const started = performance.now();
    const { diagnostics } = analyze(`param ${name}\nz = ${name.slice(0, -1)}b + 1\n`);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(diagnostics.map((d) => d.code)).toEqual(['E107']);
    expect(diagnostics[0]!.message.length).toBeLessThan(200);
  });

  it('5,000 near-miss names: hints for the first ones, and seconds in all', () => {
    const declared = Array.from({ length: 5000 }, (_, i) => `weight_${i}`);
    const typos = Array.from({ length: 5000 }, (_, i) => `wieght_${i}`);
    const started = performance.now();
    const { diagnostics } = analyze(`param ${declared.join(', ')}\nz = ${typos.join(' + ')}\n`);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(diagnostics).toHaveLength(5000);
    expect(diagnostics[0]!.message).toBe("unknown name 'wieght_0'; did you mean 'weight_0'?");
    expect(diagnostics.filter((d) => d.message.includes('did you mean'))).toHaveLength(MAX_HINTS);
  });

  it('5,000 bindings used by near-miss names without a param line: warnings, in seconds', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `value_${i} = ${i}`);
    const started = performance.now();
    const { diagnostics } = analyze(`${lines.join('\n')}\nz = ${Array.from({ length: 5000 }, (_, i) => `valeu_${i}`).join(' + ')}\n`);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(diagnostics.filter((d) => d.code === 'W202')).toHaveLength(MAX_HINTS);
  });
});
