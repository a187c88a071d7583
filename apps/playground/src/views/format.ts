/** Numbers for people (short) and for tests (exact, in data-value attributes). */

export function short(v: number | undefined, digits = 5): string {
  if (v === undefined) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  const text = abs >= 1e5 || abs < 1e-4 ? v.toExponential(digits - 1) : Number(v.toPrecision(digits)).toString();
  return text.replace(/^-/, '−');
}

/** Round-trips: `Number(exact(v)) === v` for every double, NaN and infinities included. */
export function exact(v: number): string {
  return String(v);
}
