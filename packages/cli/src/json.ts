/** JSON output as the spec gives it: non-finite numbers as strings, any key safe. */

export function jsonNumber(v: number): string {
  if (Number.isNaN(v)) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  return JSON.stringify(v);
}

/** An object from ordered entries, written directly so `__proto__` is just a key. */
export function jsonObject(entries: Iterable<readonly [string, string]>): string {
  const parts = [...entries].map(([k, v]) => `${JSON.stringify(k)}: ${v}`);
  return `{${parts.join(', ')}}`;
}
