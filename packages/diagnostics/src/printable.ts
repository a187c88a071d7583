/**
 * Text from a source file, a CSV cell or a file name, made safe to print:
 * a control character could move the cursor or recolour a terminal, a line
 * separator breaks a message in two, and a bidirectional override reorders
 * what the reader sees. Each such character is shown as an escape instead.
 */

// C0 and C1 controls, DEL, soft hyphen, zero-width and bidirectional
// formatting characters, line and paragraph separators, the BOM, and
// surrogates that are not part of a pair.
const FORMATTING = String.raw`\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb`;
const LONE_SURROGATE = String.raw`[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]`;
const UNSAFE = new RegExp(String.raw`[\u0000-\u001f${FORMATTING}]|${LONE_SURROGATE}`, 'g');
const UNSAFE_BUT_TAB = new RegExp(String.raw`[\u0000-\u0008\u000a-\u001f${FORMATTING}]|${LONE_SURROGATE}`, 'g');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The escape a reader sees for one unsafe character: `\n`, `\x1b`, `\u2028`. */
export function escapeCharacter(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every unsafe character escaped. `keepTabs` leaves tabs (a source line keeps its indentation). */
export function printable(text: string, options: { keepTabs?: boolean } = {}): string {
  return text.replace(options.keepTabs ? UNSAFE_BUT_TAB : UNSAFE, escapeCharacter);
}

/** Longest text a message quotes in full. */
export const MAX_QUOTED = 40;

/** `text`, escaped, and shortened to `max` characters with `...`. */
export function shortened(text: string, max = MAX_QUOTED): string {
  return printable(text.length > max ? `${text.slice(0, max - 3)}...` : text);
}

/** `'text'` for a message: escaped, and shortened to `MAX_QUOTED` characters with `...`. */
export function quoted(text: string, max = MAX_QUOTED): string {
  return `'${shortened(text, max)}'`;
}

/** Names for a message: all of a few, or the first ten and how many there are (`a, b, ... (4,000 in all)`). */
export function nameList(names: readonly string[], max = 10): string {
  if (names.length === 0) return '(none)';
  const shown = names.slice(0, max).map((n) => shortened(n));
  return names.length <= max ? shown.join(', ') : `${shown.join(', ')}, ... (${names.length.toLocaleString('en-US')} in all)`;
}
