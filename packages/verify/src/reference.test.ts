/**
 * Every case of the PyTorch reference data (shared/reference/cases.json,
 * float64) through the compiled code and the tape engine, in memory.
 * packages/tests runs the same data through the CLI.
 */
import { readFileSync } from 'node:fs';
import { compileSource, loadCompiled } from '@autodiff/compiler';
import { interpret } from '@autodiff/runtime';
import { describe, expect, it } from 'vitest';

interface Case {
  name: string;
  source: string;
  points: { at: Record<string, number>; value: number; gradient: Record<string, number> }[];
}

const CASES = new URL('../../../../shared/reference/cases.json', import.meta.url);
const cases = JSON.parse(readFileSync(CASES, 'utf8')) as Case[];

/** The tolerance the reference data's README asks for: 1e-9 relative, 1e-12 absolute near zero. */
function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= Math.max(1e-9 * Math.abs(expected), 1e-12);
}

describe('PyTorch reference cases', () => {
  it('are all there', () => {
    expect(cases.length).toBeGreaterThanOrEqual(38);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: compiled and tape match PyTorch', (_name, c) => {
    const compilation = compileSource(c.source);
    expect(compilation.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const compiled = loadCompiled(compilation.ir!);
    const paramNames = compilation.checked!.params.map((p) => p.name);
    const failures: string[] = [];
    for (const point of c.points) {
      expect(paramNames).toEqual(Object.keys(point.gradient));
      const where = JSON.stringify(point.at);
      const fromCompiled = compiled.backward(point.at);
      const fromTape = interpret(compilation.checked!, new Map(Object.entries(point.at)));
      for (const [engine, value, grad] of [
        ['compiled', fromCompiled.value, (n: string) => fromCompiled.grad[n] as number],
        ['tape', fromTape.value, (n: string) => fromTape.gradient.get(n)!],
      ] as const) {
        if (!close(value, point.value)) failures.push(`${engine} at ${where}: value ${value} != ${point.value}`);
        for (const [name, want] of Object.entries(point.gradient)) {
          const got = grad(name);
          if (!close(got, want)) failures.push(`${engine} at ${where}: d/d${name} ${got} != ${want}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
