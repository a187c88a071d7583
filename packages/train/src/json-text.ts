/** Positions in JSON text for messages: where parsing failed, and where each top-level key is. */
import type { LineIndex } from '@autodiff/diagnostics';

/** Where JSON.parse failed, from its message (the wording differs between engines). */
export function offsetOfJsonError(text: string, lines: LineIndex, message: string): number {
  const at = /position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return lines.lineStart(Number(lineColumn[1])) + Number(lineColumn[2]) - 1;
  if (/end of (JSON )?(input|data)/i.test(message)) return text.length;
  return 0;
}

/**
 * The offset of each key of the outermost object of valid JSON text (the
 * last one where a key repeats, as JSON.parse keeps the last value). One pass:
 * strings are skipped whole, and only keys at depth 1 are recorded.
 */
export function topLevelKeys(text: string): Map<string, number> {
  const keys = new Map<string, number>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 1 && expectKey) keys.set(JSON.parse(text.slice(start, i + 1)) as string, start);
      expectKey = false;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}
