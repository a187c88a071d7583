/**
 * Every case of the PyTorch reference data (float64, ../shared/reference)
 * through `autodiff eval --json`, with the generated code and the tape engine:
 * the first point of each case, as reference-check.sh --quick does (every
 * point of every case runs in memory, in packages/verify/src/reference.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autodiffAsync, close, inBatches, jsonNumber, SHARED, tempDir, writeTemp } from './cli.js';

interface Case {
  name: string;
  source: string;
  points: { at: Record<string, number>; value: number; gradient: Record<string, number> }[];
}

const cases = JSON.parse(readFileSync(join(SHARED, 'reference/cases.json'), 'utf8')) as Case[];
const dir = tempDir();

describe('PyTorch reference cases through autodiff eval --json (one point each)', () => {
  it('has the reference data', () => {
    expect(cases.length).toBeGreaterThanOrEqual(38);
  });

  for (const engine of ['compiled', 'tape'] as const) {
    it(`matches every value and gradient within 1e-9 (engine ${engine})`, async () => {
      const runs = cases.flatMap((c) => {
        const file = writeTemp(dir, `${c.name}.txt`, c.source);
        return c.points.slice(0, 1).map((p) => async () => {
          const at = Object.entries(p.at).map(([k, v]) => `${k}=${v}`).join(',');
          const run = await autodiffAsync(['eval', file, '--at', at, '--engine', engine, '--json']);
          return { c, p, run };
        });
      });
      const failures: string[] = [];
      for (const { c, p, run } of await inBatches(runs)) {
        if (run.status !== 0) {
          failures.push(`${c.name}: exit ${run.status}: ${run.stderr}`);
          continue;
        }
        const out = JSON.parse(run.stdout) as { value: number | string; gradient: Record<string, number | string> };
        if (!close(jsonNumber(out.value), p.value)) failures.push(`${c.name} at ${JSON.stringify(p.at)}: value ${out.value} != ${p.value}`);
        expect(Object.keys(out.gradient)).toEqual(Object.keys(p.gradient));
        for (const [name, want] of Object.entries(p.gradient)) {
          const got = jsonNumber(out.gradient[name]!);
          if (!close(got, want)) failures.push(`${c.name} at ${JSON.stringify(p.at)}: d/d${name} ${got} != ${want}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
