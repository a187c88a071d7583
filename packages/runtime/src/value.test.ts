import { describe, it, expect } from 'vitest';
import { Value, topologicalOrder } from './value.js';
import { finiteDifferenceGradient } from './finiteDiff.js';

/** |actual - expected| <= rel * max(1, |expected|). */
function expectClose(actual: number, expected: number, rel = 1e-6): void {
  expect(Number.isFinite(actual), `${actual} should be finite`).toBe(true);
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

/** Relative error, for values far from 1 in magnitude. */
function expectRel(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected) / Math.abs(expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel);
}

/** Tape gradient of f at the point, next to the central-difference gradient of its value. */
function tapeAndFd(f: (xs: Value[]) => Value, at: number[]): { tape: number[]; fd: Float64Array } {
  const xs = at.map((v) => new Value(v));
  f(xs).backward();
  const fd = finiteDifferenceGradient((p) => f(Array.from(p, (v) => new Value(v))).data, Float64Array.from(at));
  return { tape: xs.map((x) => x.grad), fd };
}

describe('micrograd tests', () => {
  it('test_sanity_check', () => {
    const x = new Value(-4);
    const z = x.mul(2).add(2).add(x);
    const q = z.relu().add(z.mul(x));
    const h = z.mul(z).relu();
    const y = h.add(q).add(q.mul(x));
    y.backward();
    expect(y.data).toBe(-20);
    expect(x.grad).toBe(46);
  });

  it('test_more_ops', () => {
    const a = new Value(-4);
    const b = new Value(2);
    let c = a.add(b);
    let d = a.mul(b).add(b.pow(3));
    c = c.add(c.add(1)); // c += c + 1 rebinds c to a new node
    c = c.add(new Value(1).add(c).add(a.neg()));
    d = d.add(d.mul(2).add(b.add(a).relu()));
    d = d.add(new Value(3).mul(d).add(b.sub(a).relu()));
    const e = c.sub(d);
    const f = e.pow(2);
    let g = f.div(2.0);
    g = g.add(new Value(10.0).div(f));
    g.backward();
    expectClose(g.data, 24.70408163265306, 1e-12);
    expectClose(a.grad, 138.83381924198252, 1e-12);
    expectClose(b.grad, 645.5772594752186, 1e-12);
  });
});

describe('one-argument functions vs central differences', () => {
  const cases: [string, (x: Value) => Value, number[]][] = [
    ['neg', (x) => x.neg(), [-1.5, 0, 2]],
    ['sin', (x) => x.sin(), [-2.3, 0, 0.7, 3]],
    ['cos', (x) => x.cos(), [-2.3, 0, 0.4, 2.9]],
    ['tan', (x) => x.tan(), [-1.2, 0, 0.3, 1.4]],
    ['asin', (x) => x.asin(), [-0.85, 0, 0.3, 0.95]],
    ['acos', (x) => x.acos(), [-0.6, 0, 0.2, 0.95]],
    ['atan', (x) => x.atan(), [-3, 0, 0.5, 10]],
    ['sinh', (x) => x.sinh(), [-0.4, 0, 1.5, 4]],
    ['cosh', (x) => x.cosh(), [-2.1, 0, 0.8, 4]],
    ['tanh', (x) => x.tanh(), [-1.7, 0, 0.6, 3]],
    ['exp', (x) => x.exp(), [-2, 0, 1.3, 5]],
    ['log', (x) => x.log(), [0.05, 0.3, 2.5, 100]],
    ['log1p', (x) => x.log1p(), [-0.4, 0, 0.5, 10]],
    ['sqrt', (x) => x.sqrt(), [0.09, 1, 2, 50]],
    ['abs', (x) => x.abs(), [-1.5, 0.8]],
    ['sigmoid', (x) => x.sigmoid(), [-40, -2.2, 0, 0.3, 5]],
    ['relu', (x) => x.relu(), [-0.7, 1.2]],
    ['softplus', (x) => x.softplus(), [-40, -3, 0, 0.4, 30]],
    ['gelu', (x) => x.gelu(), [-5, -1.3, 0, 0.8, 3]],
  ];
  for (const [name, f, points] of cases) {
    it(name, () => {
      for (const p of points) {
        const { tape, fd } = tapeAndFd(([x]) => f(x!), [p]);
        expectClose(tape[0]!, fd[0]!);
      }
    });
  }
});

describe('two-argument operations vs central differences', () => {
  const cases: [string, (a: Value, b: Value | number) => Value, [number, number][]][] = [
    ['add', (a, b) => a.add(b), [[1.5, -2.5], [0, 3]]],
    ['sub', (a, b) => a.sub(b), [[1.5, -2.5], [0, 3]]],
    ['mul', (a, b) => a.mul(b), [[1.5, -2.5], [0, 3], [-0.7, 0.2]]],
    ['div', (a, b) => a.div(b), [[1.5, 2.5], [-0.8, 0.3], [3, -7]]],
    ['pow', (a, b) => a.pow(b), [[1.7, 2.3], [0.6, -1.4], [2, 0.5], [3, 3]]],
    ['min', (a, b) => a.min(b), [[0.3, 1.1], [2, -0.5]]],
    ['max', (a, b) => a.max(b), [[0.3, 1.1], [2, -0.5]]],
  ];
  for (const [name, f, points] of cases) {
    it(`${name} (Value, Value)`, () => {
      for (const p of points) {
        const { tape, fd } = tapeAndFd(([a, b]) => f(a!, b!), p);
        expectClose(tape[0]!, fd[0]!);
        expectClose(tape[1]!, fd[1]!);
      }
    });
    it(`${name} (Value, number)`, () => {
      for (const [a0, b0] of points) {
        const a = new Value(a0);
        const out = f(a, b0);
        expect(out.children).toEqual([a]); // a constant is not a node
        out.backward();
        const fd = finiteDifferenceGradient((p) => f(new Value(p[0]!), b0).data, Float64Array.of(a0));
        expectClose(a.grad, fd[0]!);
      }
    });
  }

  it('a composite with shared sub-expressions', () => {
    const f = ([x, y]: Value[]) => {
      const s = x!.mul(y!).sin();
      return s.mul(s).add(x!.mul(x!)).div(y!.exp().add(1)).sub(s.tanh().add(2).pow(y!)).add(x!.gelu().softplus());
    };
    for (const at of [[0.4, 1.3], [-1.1, 0.7], [2, 2]]) {
      const { tape, fd } = tapeAndFd(f, at);
      expectClose(tape[0]!, fd[0]!);
      expectClose(tape[1]!, fd[1]!);
    }
  });

  it('a value used twice gets both contributions', () => {
    const x = new Value(3);
    x.mul(x).backward();
    expect(x.grad).toBe(6);
    const y = new Value(2);
    y.add(y).add(y).backward();
    expect(y.grad).toBe(3);
  });
});

describe('PyTorch reference values (shared/reference/cases.json)', () => {
  const cases: [(x: Value) => Value, number, number, number][] = [
    [(x) => x.tan(), -1.2, -2.5721516221263188, 7.615963967207053],
    [(x) => x.asin(), -0.85, -1.015985293814825, 1.8983159915049976],
    [(x) => x.acos(), 0.2, 1.369438406004566, -1.0206207261596576],
    [(x) => x.tanh(), -1.7, -0.935409070603099, 0.1250098706334466],
    [(x) => x.sigmoid(), -2.2, 0.09975048911968513, 0.08980032904006871],
    [(x) => x.softplus(), -3.0, 0.04858735157374206, 0.04742587317756679],
    [(x) => x.gelu(), 0.8, 0.6304316914364482, 1.019583731057303],
    [(x) => x.gelu(), -1.3, -0.1260709876826906, -0.12587806978401672],
  ];
  it('one-argument functions', () => {
    for (const [f, at, value, grad] of cases) {
      const x = new Value(at);
      const y = f(x);
      y.backward();
      expectRel(y.data, value, 1e-9);
      expectRel(x.grad, grad, 1e-9);
    }
  });
  it('pow', () => {
    const x = new Value(0.6);
    const y = new Value(-1.4);
    const out = x.pow(y);
    out.backward();
    expectRel(out.data, 2.044505341160648, 1e-9);
    expectRel(x.grad, -4.770512462708179, 1e-9);
    expectRel(y.grad, -1.0443857161912877, 1e-9);
  });
});

describe('numerical stability', () => {
  function run(f: (x: Value) => Value, at: number): { value: number; grad: number } {
    const x = new Value(at);
    const y = f(x);
    y.backward();
    return { value: y.data, grad: x.grad };
  }

  it('sigmoid, softplus and tanh at +-1000 are exact and have finite gradients', () => {
    expect(run((x) => x.sigmoid(), 1000)).toEqual({ value: 1, grad: 0 });
    expect(run((x) => x.sigmoid(), -1000)).toEqual({ value: 0, grad: 0 });
    expect(run((x) => x.softplus(), 1000)).toEqual({ value: 1000, grad: 1 });
    expect(run((x) => x.softplus(), -1000)).toEqual({ value: 0, grad: 0 });
    expect(run((x) => x.tanh(), 1000)).toEqual({ value: 1, grad: 0 });
    expect(run((x) => x.tanh(), -1000)).toEqual({ value: -1, grad: 0 });
  });

  it('sigmoid(-40) and softplus(-40) keep full relative precision, and so do their gradients', () => {
    const e = Math.exp(-40); // sigmoid(-40) = softplus(-40) = e^-40 to double precision
    const s = run((x) => x.sigmoid(), -40);
    expectRel(s.value, e, 1e-15);
    expectRel(s.grad, e, 1e-15);
    const sp = run((x) => x.softplus(), -40);
    expectRel(sp.value, e, 1e-15);
    expectRel(sp.grad, e, 1e-15);
    // sigmoid'(40) = sigmoid'(-40): a naive s*(1-s) would give 0 here
    expectRel(run((x) => x.sigmoid(), 40).grad, e, 1e-15);
  });

  it('log1p keeps precision near 0', () => {
    expect(run((x) => x.log1p(), 1e-20)).toEqual({ value: 1e-20, grad: 1 });
  });

  it('gelu matches the tanh formula and stays finite far out', () => {
    const c = Math.sqrt(2 / Math.PI);
    for (const x of [-3, -1, -0.1, 0, 0.5, 2, 4]) {
      expectClose(run((v) => v.gelu(), x).value, 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x ** 3))), 1e-15);
    }
    expect(run((x) => x.gelu(), 1e200)).toEqual({ value: 1e200, grad: 1 });
    const far = run((x) => x.gelu(), -1e200);
    expect(far.value === 0 && far.grad === 0).toBe(true);
    const neg = run((x) => x.gelu(), -30); // true value ~ -1e-800: underflows, no NaN
    expect(neg.value === 0 && neg.grad === 0).toBe(true);
  });
});

describe('kink conventions (PyTorch)', () => {
  it("relu'(0) = 0 and abs'(0) = 0", () => {
    for (const f of [(x: Value) => x.relu(), (x: Value) => x.abs()]) {
      for (const z of [0, -0]) {
        const x = new Value(z);
        f(x).backward();
        expect(x.grad === 0).toBe(true);
      }
    }
  });

  it('min and max split a tie evenly', () => {
    for (const op of ['min', 'max'] as const) {
      const a = new Value(1.5);
      const b = new Value(1.5);
      a[op](b).backward();
      expect([a.grad, b.grad]).toEqual([0.5, 0.5]);

      const x = new Value(2);
      x[op](x).backward(); // both halves land on x
      expect(x.grad).toBe(1);

      const y = new Value(2);
      y[op](2).backward(); // tie with a constant: half is lost to the constant
      expect(y.grad).toBe(0.5);
    }
  });

  it('pow where the formulas give 0*inf', () => {
    const a = new Value(0);
    const b = new Value(0);
    const out = a.pow(b);
    out.backward();
    expect(out.data).toBe(1);
    expect(a.grad).toBe(0); // b * a^(b-1) = 0 * inf: 0 when b == 0
    expect(b.grad).toBe(0); // a^b * log(a) = 1 * -inf: 0 when a == 0 and b >= 0

    const x = new Value(0);
    const two = new Value(2);
    x.pow(two).backward();
    expect(x.grad).toBe(0);
    expect(two.grad).toBe(0);

    const s = new Value(0);
    s.pow(0.5).backward(); // sqrt'(0) is infinite, as in PyTorch
    expect(s.grad).toBe(Infinity);
  });
});

describe('backward, zeroGrad, topologicalOrder', () => {
  function graph() {
    const x = new Value(0.3, 'x');
    const y = new Value(-1.2, 'y');
    const s = x.mul(y).sin();
    const out = s.mul(s).add(x.exp()).sub(y.relu());
    return { x, y, s, out };
  }

  it('calling backward twice gives the same gradients (no double counting)', () => {
    const { x, y, s, out } = graph();
    out.backward();
    const first = [x.grad, y.grad, s.grad, out.grad];
    out.backward();
    expect([x.grad, y.grad, s.grad, out.grad]).toEqual(first);
    expect(out.grad).toBe(1);
  });

  it('backward resets grads left over from another root', () => {
    const { x, s, out } = graph();
    s.backward();
    out.backward();
    const fresh = graph();
    fresh.out.backward();
    expect(x.grad).toBe(fresh.x.grad);
    expect(s.grad).toBe(fresh.s.grad);
  });

  it('zeroGrad clears every grad in the graph', () => {
    const { out } = graph();
    out.backward();
    out.zeroGrad();
    for (const v of topologicalOrder(out)) expect(v.grad).toBe(0);
  });

  it('topologicalOrder lists each node once, children first, root last', () => {
    const { x, y, out } = graph();
    const order = topologicalOrder(out);
    expect(new Set(order).size).toBe(order.length);
    expect(order[order.length - 1]).toBe(out);
    const position = new Map(order.map((v, i) => [v, i]));
    for (const v of order) for (const c of v.children) expect(position.get(c)!).toBeLessThan(position.get(v)!);
    expect(order).toContain(x);
    expect(order).toContain(y);
    expect(topologicalOrder(x)).toEqual([x]);
  });
});

describe('deep graphs', () => {
  it('backward through a 1,000,000-node chain does not overflow the stack', { timeout: 120_000 }, () => {
    const a = 0.999999;
    const steps = 500_000; // each step adds 2 nodes (mul, add)
    const x0 = new Value(1, 'x0');
    let x = x0;
    for (let i = 0; i < steps; i++) x = x.mul(a).add(0.5);

    const start = performance.now();
    x.backward();
    const ms = performance.now() - start;
    const memory = (globalThis as { process?: { memoryUsage(): { heapUsed: number } } }).process?.memoryUsage();
    const heap = memory ? `${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB heap used` : 'heap size unavailable';
    console.log(`1,000,000-node chain: backward took ${ms.toFixed(0)} ms; ${heap}`);

    // x_n = a^n x0 + 0.5 (1 - a^n) / (1 - a), so dx_n/dx0 = a^n
    const an = Math.pow(a, steps);
    expectRel(x0.grad, an, 1e-9);
    expectRel(x.data, an + (0.5 * (1 - an)) / (1 - a), 1e-6);
  });
});
