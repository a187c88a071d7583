/** One diagnostics mechanism: every row of every package's table, each code used once, severity a field. */
import { PARSER_DIAGNOSTICS } from '@autodiff/parser';
import { registeredCodes } from '@autodiff/diagnostics';
import { PROBLEMS } from '@autodiff/train';
import { describe, expect, it } from 'vitest';
import { CLI_DIAGNOSTICS } from './diagnostics.js';

describe('the diagnostics tables', () => {
  const tables = { parser: PARSER_DIAGNOSTICS, cli: CLI_DIAGNOSTICS, train: PROBLEMS };
  const rows = Object.entries(tables).flatMap(([owner, table]) => Object.entries(table).map(([kind, row]) => ({ owner, kind, ...row })));

  it('give every row a unique code, registered to it', () => {
    const codes = rows.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const r of rows) expect(registeredCodes().get(r.code)).toBe(`${r.owner}.${r.kind}`);
  });

  it('keep the severity in a field, whatever the letter of the code', () => {
    for (const r of rows) {
      expect(['error', 'warning', 'note']).toContain(r.severity);
      expect(r.code).toMatch(/^[EWDP]\d{3}$/);
    }
    expect(rows.filter((r) => r.severity === 'warning').map((r) => r.code).sort()).toEqual(['W201', 'W202', 'W210']);
  });
});
