/**
 * Generated modules of tensor programs, imported as a user would: the
 * examples through both APIs against the tape engine (`autodiff eval --engine
 * tape`), dimension sizes inferred by the named API and checked, scratch
 * buffers that grow and keep giving the right answers when a size shrinks.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { autodiff, close, REPO, tempDir, writeTemp } from './cli.js';

type Named = Record<string, number | Float64Array>;
interface TensorModule {
  paramNames: readonly string[];
  paramShapes: readonly (readonly (number | string)[])[];
  paramSize: number;
  inputNames: readonly string[];
  inputShapes: readonly (readonly (number | string)[])[];
  dimNames: readonly string[];
  forward(p: Named, x: Named): number;
  backward(p: Named, x: Named): { value: number; grad: Record<string, number | Float64Array> };
  forwardFlat(p: Float64Array, x: Float64Array, ...dims: number[]): number;
  backwardFlat(p: Float64Array, x: Float64Array, grad: Float64Array, ...dims: number[]): number;
}

const dir = tempDir();
const EXAMPLES = join(REPO, 'examples');

async function load(example: string): Promise<TensorModule> {
  const out = join(dir, `${example}.mjs`);
  const run = autodiff(['compile', join(EXAMPLES, `${example}.txt`), '-o', out, '--emit', 'js']);
  expect(run.status, run.stderr).toBe(0);
  return (await import(pathToFileURL(out).href)) as TensorModule;
}

/** A deterministic value stream (labels for onehot inputs are integers below 3). */
function filler(seed: number) {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647) * 2 - 1;
  };
}

function valuesFor(m: TensorModule, dims: Record<string, number>, seed: number, labels: string[] = []) {
  const r = filler(seed);
  const size = (shape: readonly (number | string)[]) => shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : dims[d]!), 1);
  const make = (names: readonly string[], shapes: readonly (readonly (number | string)[])[]): Named =>
    Object.fromEntries(names.map((n, i) => {
      const shape = shapes[i]!;
      const draw = labels.includes(n) ? () => Math.floor((r() + 1) * 1.5) : r;
      return [n, shape.length === 0 ? draw() : Float64Array.from({ length: size(shape) }, draw)];
    }));
  return { p: make(m.paramNames, m.paramShapes), x: make(m.inputNames, m.inputShapes) };
}

/** `--at` text for named values, nested in their shapes. */
function atText(m: TensorModule, values: Named, shapes: readonly (readonly (number | string)[])[], names: readonly string[], dims: Record<string, number>) {
  return names.map((n, i) => {
    const v = values[n]!;
    if (typeof v === 'number') return `${n}=${v}`;
    const shape = shapes[i]!.map((d) => (typeof d === 'number' ? d : dims[d]!));
    const nest = (offset: number, k: number): string => {
      if (k === shape.length) return String(v[offset]);
      const stride = shape.slice(k + 1).reduce((a, b) => a * b, 1);
      return `[${Array.from({ length: shape[k]! }, (_, j) => nest(offset + j * stride, k + 1)).join(',')}]`;
    };
    return `${n}=${nest(0, 0)}`;
  }).join(',');
}

describe('tensor modules', () => {
  for (const [example, dims, labels] of [['moons', { n: 7 }, []], ['softmax', { n: 5 }, ['y']], ['attention', { t: 3 }, []]] as const) {
    it(`${example}: both APIs agree with the tape engine`, async () => {
      const m = await load(example);
      const { p, x } = valuesFor(m, dims, 7, [...labels]);
      const at = [atText(m, p, m.paramShapes, m.paramNames, dims), atText(m, x, m.inputShapes, m.inputNames, dims)].filter(Boolean).join(',');
      const run = autodiff(['eval', join(EXAMPLES, `${example}.txt`), '--engine', 'tape', '--json', '--at', at]);
      expect(run.status, run.stderr).toBe(0);
      const tape = JSON.parse(run.stdout) as { value: number; gradient: Record<string, number | number[]> };

      const { value, grad } = m.backward(p, x);
      expect(close(value, tape.value)).toBe(true);
      expect(m.forward(p, x)).toBe(value);
      expect(Object.keys(grad)).toEqual([...m.paramNames]);
      for (const name of m.paramNames) {
        const want = [tape.gradient[name]!].flat(3) as number[];
        const got = grad[name]!;
        const list = typeof got === 'number' ? [got] : [...got];
        expect(list.length).toBe(want.length);
        list.forEach((g, i) => expect(close(g, want[i]!), `${name}[${i}] ${g} vs ${want[i]}`).toBe(true));
      }

      // The flat API: the same numbers, in the caller's arrays.
      const pf = new Float64Array(m.paramSize);
      let at2 = 0;
      for (const n of m.paramNames) { const v = p[n]!; if (typeof v === 'number') pf[at2++] = v; else { pf.set(v, at2); at2 += v.length; } }
      const xs = m.inputNames.map((n) => x[n]!);
      const xf = new Float64Array(xs.reduce<number>((a, v) => a + (typeof v === 'number' ? 1 : v.length), 0));
      let ax = 0;
      for (const v of xs) { if (typeof v === 'number') xf[ax++] = v; else { xf.set(v, ax); ax += v.length; } }
      const g = new Float64Array(m.paramSize);
      const dimArgs = m.dimNames.map((d) => (dims as Record<string, number>)[d]!);
      expect(m.backwardFlat(pf, xf, g, ...dimArgs)).toBe(value);
      expect(m.forwardFlat(pf, xf, ...dimArgs)).toBe(value);
    });
  }

  it('scratch buffers grow with a dimension and stay right when it shrinks', async () => {
    const m = await load('moons');
    const results = new Map<number, number>();
    for (const n of [3, 50, 4, 200, 1, 50]) {
      const { p, x } = valuesFor(m, { n }, n);
      const value = m.backward(p, x).value;
      if (results.has(n)) expect(value).toBe(results.get(n));
      results.set(n, value);
    }
  });

  it('a bad dimension size is a RangeError, and does not spoil the calls after it', async () => {
    const m = await load('moons');
    const { p, x } = valuesFor(m, { n: 5 }, 2);
    const good = m.backward(p, x).value;
    const pf = new Float64Array(m.paramSize);
    const xf = new Float64Array(3 * 5);
    for (const n of [Number.NaN, Infinity, 1e12, 2.5, 0, -1]) {
      expect(() => m.forwardFlat(pf, xf, n), String(n)).toThrow(RangeError);
    }
    expect(() => m.forwardFlat(pf, xf)).toThrow(/dimension 'n' must be a positive integer, not undefined/);
    expect(m.backward(p, x).value).toBe(good);
  });

  it('the named API infers sizes and names the value at fault', async () => {
    const m = await load('moons');
    const { p, x } = valuesFor(m, { n: 5 }, 1);
    expect(() => m.forward(p, { ...x, y: new Float64Array(4) })).toThrow(RangeError);
    expect(() => m.forward(p, { ...x, y: new Float64Array(4) })).toThrow(/input 'y' has 4 elements; shape \[n\] needs 5 \(n = 5\)/);
    expect(() => m.forward(p, { ...x, X: new Float64Array(9) })).toThrow(/input 'X' has 9 elements/);
    expect(() => m.forward({ ...p, W1: new Float64Array(3) }, x)).toThrow(/param 'W1' has 3 elements; shape \[2, 16\] needs 32/);
    expect(() => m.forward({ ...p, W1: [1, 2] as unknown as Float64Array }, x))
      .toThrow(/param 'W1' is not a Float64Array \(it is Array\): expected a Float64Array of shape \[2, 16\] \(32 elements\)/);
    expect(() => m.forward({ ...p, W1: Object.create(null) as Float64Array }, x)).toThrow(RangeError);
    expect(() => m.forward({ ...p, b3: undefined as unknown as number }, x)).toThrow(/param 'b3' is missing: expected a number/);
    expect(() => m.forward(p, { y: x.y! })).toThrow(/input 'X' is missing: expected a Float64Array of shape \[n, 2\]/);
  });

  it('dimension sizes: solved in passes from the inputs, or given in a dims argument when no length determines them', async () => {
    const source = (name: string, text: string) => writeTemp(dir, name, text);
    const compileJs = async (file: string) => {
      const out = file.replace(/\.txt$/, '.mjs');
      expect(autodiff(['compile', file, '-o', out, '--emit', 'js']).status).toBe(0);
      return import(pathToFileURL(out).href) as Promise<{
        backward(p: Named, x: Named, dims?: Record<string, number>): { value: number; grad: Record<string, number | Float64Array> };
        forward(p: Named, x: Named, dims?: Record<string, number>): number;
      }>;
    };
    // m from V's length, then n from A's given m: sum over rows of (A @ V) @ w with A all 1, V all 0.5.
    const chained = await compileJs(source('chained.txt', 'param w: [3]\ninput A: [n, m], V: [m, 3]\nsum(A @ V @ w)\n'));
    expect(chained.backward({ w: Float64Array.of(1, 2, 3) }, { A: new Float64Array(8).fill(1), V: new Float64Array(12).fill(0.5) }).value).toBe(24);
    expect(() => chained.forward({ w: Float64Array.of(1, 2, 3) }, { A: new Float64Array(7), V: new Float64Array(12) }))
      .toThrow(/input 'A' has 7 elements: shape \[n, m\] needs a positive multiple of 4/);
    const alone = await compileJs(source('alone.txt', 'param c\ninput A: [n, m]\nsum(A) * c\n'));
    const r = alone.backward({ c: 2 }, { A: new Float64Array(6).fill(1) }, { n: 2, m: 3 });
    expect([r.value, r.grad.c]).toEqual([12, 6]);
    expect(() => alone.forward({ c: 2 }, { A: new Float64Array(6) })).toThrow(/dimension 'n' must be given in dims as a positive integer, not undefined/);
    expect(() => alone.forward({ c: 2 }, { A: new Float64Array(6) }, { n: 2, m: 4 })).toThrow(/input 'A' has 6 elements; shape \[n, m\] needs 8/);
  });

  it('a program of scalars that stacks them inside keeps the v1 API: numbers in, TypeError for a bad one', async () => {
    const file = writeTemp(dir, 'stacked.txt', 'param z1, z2, z3\np = softmax([z1, z2, z3])\n-log(p[0]) + p[1] * p[2]\n');
    const out = file.replace(/\.txt$/, '.mjs');
    expect(autodiff(['compile', file, '-o', out, '--emit', 'js']).status).toBe(0);
    const m = (await import(pathToFileURL(out).href)) as { backward(p: object): { value: number; grad: Record<string, number> }; forward(p: object): number };
    const { value, grad } = m.backward({ z1: 0, z2: 0, z3: 0 });
    expect(close(value, Math.log(3) + 1 / 9)).toBe(true);
    expect(Object.values(grad).every((g) => typeof g === 'number')).toBe(true);
    expect(() => m.forward({ z1: 0, z2: 'a', z3: 0 })).toThrow(TypeError);
    expect(() => m.forward({ z1: 0, z3: 0 })).toThrow(/param 'z2' is missing: expected a number/);
  });

  it('onehot labels out of range are a RangeError naming the input and the index', async () => {
    const m = await load('softmax');
    const { p, x } = valuesFor(m, { n: 4 }, 3, ['y']);
    const y = Float64Array.of(0, 2, 3, 1);
    expect(() => m.forward(p, { ...x, y })).toThrow(/input 'y'\[2\] is 3, not an integer in \[0, 3\)/);
    expect(() => m.forward(p, { ...x, y: Float64Array.of(0, 1.5, 1, 1) })).toThrow(RangeError);
  });
});
