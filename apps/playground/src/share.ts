/** The program in the URL: `#src=` + base64url(UTF-8 source). A link opens the same program. */

export function encodeProgram(source: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(source)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeProgram(encoded: string): string | undefined {
  try {
    const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** The program a URL hash carries, if any. */
export function programFromHash(hash: string): string | undefined {
  const encoded = new URLSearchParams(hash.replace(/^#/, '')).get('src');
  return encoded === null ? undefined : decodeProgram(encoded);
}

export function hashFor(source: string): string {
  return `#src=${encodeProgram(source)}`;
}
