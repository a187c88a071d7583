import type { InitSpec } from '@autodiff/runtime';

/**
 * Reads `uniform:A` (uniform on [-A, A)), `normal:S` (mean 0, deviation S),
 * `glorot` or `he` (scaled by each param's fans); undefined for anything else.
 */
export function parseInit(text: string): InitSpec | undefined {
  const word = text.trim();
  if (word === 'glorot' || word === 'he') return { kind: word };
  const match = /^(uniform|normal):(.+)$/.exec(text.trim());
  if (!match) return undefined;
  const scaleText = match[2]!.trim();
  const scale = Number(scaleText);
  if (!/^[+]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(scaleText) || !Number.isFinite(scale)) return undefined;
  return { kind: match[1] as InitSpec['kind'], scale };
}

export function formatInit(spec: InitSpec): string {
  return 'scale' in spec ? `${spec.kind}:${spec.scale}` : spec.kind;
}
