/**
 * The v2 reference data (../shared/reference, PyTorch float64) as
 * reference-check.sh measures it: every tensor case through
 * `autodiff eval --json` with both engines (values as nested lists in
 * `--at`, gradients compared element by element in their shapes), every
 * point in memory through the generated code, and every malformed program of
 * tensor-bad/ giving its error at the expected line and column.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSource, loadCompiled } from '@autodiff/compiler';
import { describe, expect, it } from 'vitest';
import { autodiffAsync, close, inBatches, jsonNumber, SHARED, tempDir, writeTemp } from './cli.js';

type Nested = number | string | Nested[];
interface Case {
  name: string;
  source: string;
  points: { at: Record<string, Nested>; value: number; gradient: Record<string, Nested> }[];
}

const cases = JSON.parse(readFileSync(join(SHARED, 'reference/tensor-cases.json'), 'utf8')) as Case[];
const BAD = join(SHARED, 'reference/tensor-bad');
const expected = JSON.parse(readFileSync(join(BAD, 'expected.json'), 'utf8')) as Record<string, { line: number; col: number; alt?: number[][]; all?: number[][] }>;
const dir = tempDir();

const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [jsonNumber(v)]);
const shapeOf = (v: Nested): number[] => (Array.isArray(v) ? [v.length, ...shapeOf(v[0]!)] : []);
/** Full precision, as reference-check.sh passes values. */
const literal = (v: Nested): string => (Array.isArray(v) ? `[${v.map(literal).join(',')}]` : String(v));

function compare(name: string, got: Nested, want: Nested, failures: string[]) {
  if (JSON.stringify(shapeOf(got)) !== JSON.stringify(shapeOf(want))) {
    failures.push(`${name}: shape ${JSON.stringify(shapeOf(got))}, expected ${JSON.stringify(shapeOf(want))}`);
    return;
  }
  const [g, w] = [flat(got), flat(want)];
  w.forEach((x, i) => { if (!close(g[i]!, x)) failures.push(`${name}[${i}]: ${g[i]} != ${x}`); });
}

describe('v2 reference cases (tensor-cases.json)', () => {
  it('has the reference data', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it('every point through the generated code, in memory, within 1e-9', () => {
    const failures: string[] = [];
    for (const c of cases) {
      const { ir, diagnostics } = compileSource(c.source);
      if (!ir) { failures.push(`${c.name}: ${diagnostics.map((d) => d.message).join('; ')}`); continue; }
      const m = loadCompiled(ir);
      for (const p of c.points) {
        const params = Float64Array.from(ir.params.flatMap((x) => flat(p.at[x.name!]!)));
        const inputs = Float64Array.from(ir.inputs.flatMap((x) => flat(p.at[x.name!]!)));
        const dims = (m.dimNames ?? []).map((d) => {
          const x = ir.inputs.find((i) => i.shape.includes(d))!;
          return shapeOf(p.at[x.name!]!)[x.shape.indexOf(d)]!;
        });
        const grad = new Float64Array(params.length);
        compare(`${c.name} value`, m.backwardFlat(params, inputs, grad, ...dims), p.value, failures);
        compare(`${c.name} forward`, m.forwardFlat(params, inputs, ...dims), p.value, failures);
        let at = 0;
        for (const x of ir.params) {
          const want = p.gradient[x.name!]!;
          const n = flat(want).length;
          compare(`${c.name} d/d${x.name}`, flat(want).map((_, i) => grad[at + i]!), flat(want), failures);
          at += n;
        }
      }
    }
    expect(failures).toEqual([]);
  });

  for (const engine of ['compiled', 'tape'] as const) {
    it(`every case through autodiff eval --json (engine ${engine}, one point each)`, async () => {
      const runs = cases.map((c) => async () => {
        const file = writeTemp(dir, `${c.name}.txt`, c.source);
        const p = c.points[0]!;
        const at = Object.entries(p.at).map(([k, v]) => `${k}=${literal(v)}`).join(',');
        return { c, p, run: await autodiffAsync(['eval', file, '--at', at, '--engine', engine, '--json']) };
      });
      const failures: string[] = [];
      for (const { c, p, run } of await inBatches(runs)) {
        if (run.status !== 0) { failures.push(`${c.name}: exit ${run.status}: ${run.stderr}`); continue; }
        const out = JSON.parse(run.stdout) as { value: Nested; gradient: Record<string, Nested> };
        compare(`${c.name} value`, out.value, p.value, failures);
        expect(Object.keys(out.gradient), c.name).toEqual(Object.keys(p.gradient));
        for (const [name, want] of Object.entries(p.gradient)) compare(`${c.name} d/d${name}`, out.gradient[name]!, want, failures);
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('v2 malformed programs (tensor-bad/)', () => {
  const files = readdirSync(BAD).filter((f) => f.endsWith('.txt'));
  it('has an expected position for every file', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) expect(expected[f], f).toBeDefined();
  });

  for (const command of ['eval', 'compile'] as const) {
    it(`${command} exits 1 with the error at the expected line and column`, async () => {
      const runs = files.map((f) => async () => {
        const file = writeTemp(dir, f, readFileSync(join(BAD, f), 'utf8'));
        const args = command === 'eval' ? ['eval', file, '--at', 'x=1', '--json'] : ['compile', file];
        return { f, file, run: await autodiffAsync(args) };
      });
      const failures: string[] = [];
      for (const { f, file, run } of await inBatches(runs)) {
        const e = expected[f]!;
        const heads = run.stderr.split('\n').filter((l) => /^.*:\d+:\d+: error(\[\w+\])?:/.test(l));
        const at = (line: number, col: number) => heads.some((h) => h.startsWith(`${file}:${line}:${col}: error`));
        if (run.status !== 1) failures.push(`${f}: exit ${run.status}`);
        if (/\n\s+at .*\(.*:\d+:\d+\)/.test(run.stderr)) failures.push(`${f}: a stack trace`);
        if (e.all) {
          for (const [l, c] of e.all) if (!at(l!, c!)) failures.push(`${f}: no error at ${l}:${c}:\n${run.stderr}`);
        } else if (![[e.line, e.col], ...(e.alt ?? [])].some(([l, c]) => at(l!, c!))) {
          failures.push(`${f}: no error at ${e.line}:${e.col}:\n${run.stderr}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
