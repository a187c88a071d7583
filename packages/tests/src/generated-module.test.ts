/**
 * The generated module as a program importing it sees it: it type-checks
 * under `tsc --strict`, both APIs give the values `autodiff eval` gives, any
 * ASCII name works as a parameter, and the output is byte-identical per run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { autodiff, close, REPO, tempDir, writeTemp } from './cli.js';

// The project's TypeScript (7: its package exports no subpaths, so the bin is found beside package.json).
const TSC = join(dirname(createRequire(join(REPO, 'package.json')).resolve('typescript/package.json')), 'bin/tsc');
const EXAMPLES = join(REPO, 'examples');
const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.txt')).sort();
const dir = tempDir();

function typeCheck(files: string[]): { status: number; output: string } {
  const r = spawnSync(process.execPath, [TSC, '--strict', '--noEmit', '--target', 'ES2022', '--module', 'ESNext',
    '--moduleResolution', 'bundler', '--noUncheckedIndexedAccess', '--noUnusedLocals', ...files], { encoding: 'utf8' });
  return { status: r.status ?? -1, output: r.stdout + r.stderr };
}

function compileTo(source: string, out: string, emit: 'ts' | 'js' = 'ts'): void {
  const run = autodiff(['compile', source, '-o', out, '--emit', emit]);
  expect(run.status, run.stderr).toBe(0);
}

describe('generated modules', () => {
  it('every example compiles to a module that passes tsc --strict --noEmit', () => {
    const outputs = examples.map((f) => {
      const out = join(dir, f.replace(/\.txt$/, '.ts'));
      compileTo(join(EXAMPLES, f), out);
      return out;
    });
    // A consumer that imports each module and uses its types (a tensor module's flat API takes its dimensions).
    const consumer = outputs.map((o, i) => {
      const tensor = readFileSync(o, 'utf8').includes('export const paramSize');
      const flatArgs = tensor
        ? `new Float64Array(m${i}.paramSize), new Float64Array(0)${', 3'.repeat((readFileSync(o, 'utf8').match(/^export const dimNames = \[(.*)\]/m)?.[1] ?? '').split(',').filter((d) => d.trim()).length)}`
        : `new Float64Array(m${i}.paramNames.length), new Float64Array(m${i}.inputNames.length)`;
      return `import * as m${i} from './${o.split('/').pop()!.replace(/\.ts$/, '.js')}';\n` +
        `const g${i}: { value: number; grad: m${i}.Params } = m${i}.backward({} as m${i}.Params, {} as m${i}.Inputs);\n` +
        `export const v${i}: number = g${i}.value + m${i}.forwardFlat(${flatArgs});\n`;
    }).join('');
    writeFileSync(join(dir, 'consumer.ts'), consumer);
    const r = typeCheck([...outputs, join(dir, 'consumer.ts')]);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('the neuron module, imported, gives the same value and gradient as autodiff eval through both APIs', async () => {
    const out = join(dir, 'neuron-import.ts');
    compileTo(join(EXAMPLES, 'neuron.txt'), out);
    const m = await import(pathToFileURL(out).href) as typeof import('./fixtures/neuron-shape.js');
    const p = { w1: 0.5, w2: -1.5, b: 0.25 };
    const x = { x1: 1.2, x2: -0.7, y: 0.3 };
    const run = autodiff(['eval', join(EXAMPLES, 'neuron.txt'), '--json', '--at',
      Object.entries({ ...p, ...x }).map(([k, v]) => `${k}=${v}`).join(',')]);
    const expected = JSON.parse(run.stdout) as { value: number; gradient: Record<string, number> };

    // Readable API.
    expect(m.paramNames).toEqual(['w1', 'w2', 'b']);
    expect(m.inputNames).toEqual(['x1', 'x2', 'y']);
    expect(close(m.forward(p, x), expected.value)).toBe(true);
    const { value, grad } = m.backward(p, x);
    expect(close(value, expected.value)).toBe(true);
    expect(Object.keys(grad)).toEqual(['w1', 'w2', 'b']);
    for (const k of m.paramNames) expect(close(grad[k], expected.gradient[k]!)).toBe(true);

    // Fast API: same numbers, written into the caller's array.
    const pf = Float64Array.of(p.w1, p.w2, p.b);
    const xf = Float64Array.of(x.x1, x.x2, x.y);
    const g = new Float64Array(3);
    expect(m.forwardFlat(pf, xf)).toBe(m.forward(p, x));
    expect(m.backwardFlat(pf, xf, g)).toBe(value);
    expect([...g]).toEqual([grad.w1, grad.w2, grad.b]);
  });

  it('JavaScript output (--emit js) is a working ES module too', async () => {
    const out = join(dir, 'rosenbrock.mjs');
    compileTo(join(EXAMPLES, 'rosenbrock.txt'), out, 'js');
    const m = await import(pathToFileURL(out).href) as { backward: (p: object) => { value: number; grad: Record<string, number> } };
    const { value, grad } = m.backward({ x: -1.2, y: 1 });
    // Hand-derived: f = (1-x)^2 + 100 (y - x^2)^2; df/dx = -2(1-x) - 400 x (y - x^2); df/dy = 200 (y - x^2)
    expect(close(value, 2.2 ** 2 + 100 * (1 - 1.44) ** 2)).toBe(true);
    expect(close(grad.x!, -2 * 2.2 - 400 * -1.2 * (1 - 1.44))).toBe(true);
    expect(close(grad.y!, 200 * (1 - 1.44))).toBe(true);
  });

  it('any ASCII name is a parameter: __proto__, constructor, new, toString', async () => {
    const src = writeTemp(dir, 'names.txt', 'param __proto__, constructor, new, toString\ninput hasOwnProperty\n' +
      '__proto__ * constructor + new^2 - toString * hasOwnProperty\n');
    const out = join(dir, 'names.ts');
    compileTo(src, out);
    const check = typeCheck([out]);
    expect(check.output).toBe('');

    const p = JSON.parse('{"__proto__": 2, "constructor": 3, "new": 4, "toString": 5}') as Record<string, number>;
    const m = await import(pathToFileURL(out).href) as { backward: (p: object, x: object) => { value: number; grad: Record<string, number> } };
    const { value, grad } = m.backward(p, { hasOwnProperty: 7 });
    expect(value).toBe(2 * 3 + 16 - 5 * 7);
    expect(Object.getPrototypeOf(grad)).toBe(Object.prototype);
    expect(Object.keys(grad)).toEqual(['__proto__', 'constructor', 'new', 'toString']);
    expect(JSON.stringify(grad)).toBe('{"__proto__":3,"constructor":2,"new":8,"toString":-7}');

    const run = autodiff(['eval', src, '--json', '--at', '__proto__=2,constructor=3,new=4,toString=5,hasOwnProperty=7']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('{"value": -13, "gradient": {"__proto__": 3, "constructor": 2, "new": 8, "toString": -7}}\n');
  });

  it('is deterministic: the same source gives byte-identical output', () => {
    for (const f of examples) {
      const a = autodiff(['compile', join(EXAMPLES, f)]);
      const b = autodiff(['compile', join(EXAMPLES, f)]);
      expect(a.stdout.length).toBeGreaterThan(0);
      expect(a.stdout).toBe(b.stdout);
    }
  });

  it('a program without inputs takes x as an empty object, an empty array, or nothing', async () => {
    const out = join(dir, 'noinputs.mjs');
    compileTo(join(EXAMPLES, 'rosenbrock.txt'), out, 'js');
    const m = await import(pathToFileURL(out).href) as { forward: (p: object, x?: object) => number };
    const p = { x: 0.5, y: 0.5 };
    expect(m.forward(p)).toBe(m.forward(p, {}));
    expect(m.forward(p, [])).toBe(m.forward(p));
  });

  it('inputs may be omitted only by a program without inputs: tsc rejects forward(p) for the neuron', () => {
    const neuron = join(dir, 'neuron-types.ts');
    const rosenbrock = join(dir, 'rosenbrock-types.ts');
    compileTo(join(EXAMPLES, 'neuron.txt'), neuron);
    compileTo(join(EXAMPLES, 'rosenbrock.txt'), rosenbrock);
    const ok = writeTemp(dir, 'omit-ok.ts', "import { forward } from './rosenbrock-types.js';\nexport const v: number = forward({ x: 1, y: 2 });\n");
    expect(typeCheck([rosenbrock, ok]).output).toBe('');
    const bad = writeTemp(dir, 'omit-bad.ts', "import { forward } from './neuron-types.js';\nexport const v: number = forward({ w1: 1, w2: 2, b: 3 });\n");
    const check = typeCheck([neuron, bad]);
    expect(check.status).not.toBe(0);
    expect(check.output).toMatch(/omit-bad\.ts\(2,26\): error TS2554: Expected 2 arguments, but got 1/);
  });

  it('the named API throws a TypeError naming a missing or non-number param or input (plain JS gets no silent NaN)', async () => {
    const out = join(dir, 'neuron-checked.mjs');
    compileTo(join(EXAMPLES, 'neuron.txt'), out, 'js');
    const m = await import(pathToFileURL(out).href) as { forward: (p: unknown, x?: unknown) => number; backward: (p: unknown, x?: unknown) => unknown };
    const p = { w1: 0.5, w2: -1, b: 0.1 };
    const x = { x1: 1, x2: 2, y: 0.3 };
    expect(() => m.forward(p)).toThrow(new TypeError("input 'x1' is missing"));
    expect(() => m.forward({ w1: 0.5, b: 0.1 }, x)).toThrow(new TypeError("param 'w2' is missing"));
    expect(() => m.backward({ ...p, w1: '0.5' }, x)).toThrow(new TypeError("param 'w1' is not a number (it is string)"));
    expect(() => m.forward(p, { ...x, y: null })).toThrow(new TypeError("input 'y' is not a number (it is object)"));
    expect(() => m.forward(null, x)).toThrow(TypeError);
    expect(Number.isNaN(m.forward({ ...p, w1: NaN }, x))).toBe(true); // NaN is a number: computed with, as given
  });
});
