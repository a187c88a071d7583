/** The runtime's optimisers, schedules and seeded initialisation, against hand-derived values. */
import {
  Adam,
  createOptimizer,
  createSchedule,
  fans,
  initialParams,
  initialTensorParams,
  Momentum,
  seededRandom,
  SGD,
  shuffleInPlace,
  stepValues,
  Value,
} from '@autodiff/runtime';
import { describe, expect, it } from 'vitest';

const close = (actual: ArrayLike<number>, expected: number[], tolerance = 1e-15) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(Math.abs(actual[i]! - e), `entry ${i}: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(e))));
};

describe('optimisers: one and two steps by hand', () => {
  const g1 = Float64Array.of(0.5, 4);
  const g2 = Float64Array.of(-1, 2);

  it('SGD: p - lr*g', () => {
    const p = Float64Array.of(1, -2);
    const sgd = new SGD(2);
    sgd.step(p, g1, 0.1);
    close(p, [1 - 0.05, -2 - 0.4]);
    sgd.step(p, g2, 0.5);
    close(p, [0.95 + 0.5, -2.4 - 1]);
  });

  it('momentum: v = 0.9 v + g; p - lr*v (the first step is plain SGD)', () => {
    const p = Float64Array.of(1, -2);
    const momentum = new Momentum(2);
    momentum.step(p, g1, 0.1);
    close(p, [0.95, -2.4]);
    momentum.step(p, g2, 0.1);
    // v = 0.9*(0.5, 4) + (-1, 2) = (-0.55, 5.6)
    close(p, [0.95 + 0.055, -2.4 - 0.56]);
  });

  it('Adam: bias-corrected moments (values computed to 40 digits with Python decimal)', () => {
    const p = Float64Array.of(1, -2);
    const adam = new Adam(2);
    adam.step(p, g1, 0.1);
    // first step: m/(1-b1) = g, sqrt(v/(1-b2)) = |g|, so p - lr*g/(|g| + 1e-8)
    close(p, [0.9000000019999999600000008, -2.0999999997500000006249999984]);
    adam.step(p, g2, 0.1);
    close(p, [0.9366103542405656028107377, -2.1932179633363155705818387]);
  });

  it('reset forgets the state: the next step is a first step again', () => {
    for (const kind of ['momentum', 'adam'] as const) {
      const fresh = createOptimizer(kind, 2);
      const used = createOptimizer(kind, 2);
      const a = Float64Array.of(1, -2);
      const b = Float64Array.of(1, -2);
      used.step(Float64Array.of(0, 0), g2, 0.1);
      used.reset();
      fresh.step(a, g1, 0.1);
      used.step(b, g1, 0.1);
      expect(Array.from(b)).toEqual(Array.from(a));
    }
  });

  it('refuses vectors of the wrong size', () => {
    expect(() => new Adam(3).step(new Float64Array(2), new Float64Array(2), 0.1)).toThrow(/3 params/);
  });

  it('stepValues trains tape-engine leaves exactly as the Float64Array route does', () => {
    // a micrograd-style loop on (w*x + b - y)^2 over two rows
    const rows = [[1, 3], [-2, -1]];
    const leaves = [new Value(0.3, 'w'), new Value(-0.1, 'b')];
    const flat = Float64Array.of(0.3, -0.1);
    const tapeAdam = new Adam(2);
    const flatAdam = new Adam(2);
    for (let step = 0; step < 20; step++) {
      const [w, b] = leaves as [Value, Value];
      let total: Value | undefined;
      for (const [x, y] of rows) {
        const r = w.mul(x!).add(b).sub(y!).pow(2);
        total = total ? total.add(r) : r;
      }
      total!.div(rows.length).backward();
      stepValues(tapeAdam, leaves, 0.05);
      // by hand: d/dw mean (w x + b - y)^2 = mean 2 (w x + b - y) x, d/db = mean 2 (w x + b - y)
      const grad = new Float64Array(2);
      for (const [x, y] of rows) {
        const residual = flat[0]! * x! + flat[1]! - y!;
        grad[0]! += (2 * residual * x!) / rows.length;
        grad[1]! += (2 * residual) / rows.length;
      }
      flatAdam.step(flat, grad, 0.05);
    }
    close(leaves.map((v) => v.data), Array.from(flat), 1e-14);
  });
});

describe('weight decay, as PyTorch applies it', () => {
  const g1 = Float64Array.of(0.5, 4);
  const g2 = Float64Array.of(-1, 2);

  it('SGD: decay * p added to the gradient', () => {
    const p = Float64Array.of(1, -2);
    const sgd = new SGD(2, { weightDecay: 0.5 });
    sgd.step(p, g1, 0.1); // 1 - 0.1 (0.5 + 0.5), -2 - 0.1 (4 - 1)
    close(p, [0.9, -2.3]);
    sgd.step(p, g2, 0.1); // 0.9 - 0.1 (-1 + 0.45), -2.3 - 0.1 (2 - 1.15)
    close(p, [0.955, -2.385]);
  });

  it('momentum: the decayed gradient enters the velocity', () => {
    const p = Float64Array.of(1, -2);
    const momentum = new Momentum(2, { weightDecay: 0.5 });
    momentum.step(p, g1, 0.1); // v = [1, 3]
    close(p, [0.9, -2.3]);
    momentum.step(p, g2, 0.1); // v = 0.9 [1, 3] + [-1 + 0.45, 2 - 1.15] = [0.35, 3.55]
    close(p, [0.865, -2.655]);
  });

  it('Adam (AdamW): p shrinks by lr * decay before the update; the moments never see the decay', () => {
    const plain = Float64Array.of(1, -2);
    const decayed = Float64Array.of(1, -2);
    const adam = new Adam(2);
    const adamw = createOptimizer('adam', 2, { weightDecay: 0.5 });
    for (const [g, lr] of [[g1, 0.1], [g2, 0.05]] as const) {
      const before = [Float64Array.from(plain), Float64Array.from(decayed)];
      adam.step(plain, g, lr);
      adamw.step(decayed, g, lr);
      // The same moment update (from the same gradients), on top of p * (1 - lr * decay).
      close(decayed, [0, 1].map((i) => (1 - lr * 0.5) * before[1]![i]! + (plain[i]! - before[0]![i]!)), 1e-15);
    }
  });

  it('is 0 by default: the optimisers step as without it', () => {
    for (const kind of ['sgd', 'momentum', 'adam'] as const) {
      const a = Float64Array.of(1, -2);
      const b = Float64Array.of(1, -2);
      createOptimizer(kind, 2).step(a, g1, 0.1);
      createOptimizer(kind, 2, { weightDecay: 0 }).step(b, g1, 0.1);
      expect([...a]).toEqual([...b]);
    }
  });
});

describe('learning-rate schedules', () => {
  it('step: lr, then lr/10 from half the run, lr/100 from three quarters', () => {
    const s = createSchedule('step', 0.2, 100);
    close([s(0), s(49), s(50), s(74), s(75), s(99)], [0.2, 0.2, 0.02, 0.02, 0.002, 0.002]);
  });
  it('constant', () => {
    const s = createSchedule('constant', 0.1, 100);
    expect([s(0), s(50), s(99)]).toEqual([0.1, 0.1, 0.1]);
  });
  it('linear decay: lr (1 - t/T)', () => {
    const s = createSchedule('linear', 0.2, 100);
    close([s(0), s(25), s(50), s(99), s(100)], [0.2, 0.15, 0.1, 0.002, 0]);
  });
  it('cosine: lr (1 + cos(pi t/T)) / 2', () => {
    const s = createSchedule('cosine', 0.2, 100);
    // cos(pi/4) = sqrt(2)/2; cos(3 pi/4) = -sqrt(2)/2
    close([s(0), s(25), s(50), s(75), s(100)], [0.2, 0.1 * (1 + Math.SQRT1_2), 0.1, 0.1 * (1 - Math.SQRT1_2), 0]);
  });
  it('a run of no steps keeps the starting rate', () => {
    expect(createSchedule('cosine', 0.3, 0)(0)).toBe(0.3);
  });
});

describe('seeded randomness', () => {
  it('the same seed gives the same numbers, other seeds other numbers, all in [0, 1)', () => {
    const draw = (seed: number) => Array.from({ length: 1000 }, seededRandom(seed));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(Math.min(...draw(0))).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draw(0))).toBeLessThan(1);
  });

  it('pins the first numbers of seed 0, so a saved seed reproduces a run in later versions', () => {
    const random = seededRandom(0);
    const first = [random(), random(), random()].map((u) => Math.round(u * 2 ** 32));
    expect(first).toEqual([1144304738, 1416247, 958946056]);
  });

  it('rejects seeds that are not 32-bit unsigned integers', () => {
    for (const bad of [-1, 0.5, 2 ** 32, NaN]) expect(() => seededRandom(bad)).toThrow(RangeError);
  });

  it('uniform:A lies in [-A, A) with mean 0 and variance A^2/3', () => {
    const p = initialParams(100_000, { kind: 'uniform', scale: 0.5 }, seededRandom(1));
    const mean = p.reduce((s, v) => s + v, 0) / p.length;
    const variance = p.reduce((s, v) => s + (v - mean) ** 2, 0) / p.length;
    expect(Math.min(...p)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...p)).toBeLessThan(0.5);
    expect(Math.abs(mean)).toBeLessThan(0.005); // sd of the mean: 0.29/sqrt(1e5) ~ 0.0009
    expect(Math.abs(variance - 0.25 / 3)).toBeLessThan(0.002);
  });

  it('normal:S has mean 0 and deviation S, and about 68% within one deviation', () => {
    const p = initialParams(100_000, { kind: 'normal', scale: 2 }, seededRandom(2));
    const mean = p.reduce((s, v) => s + v, 0) / p.length;
    const sd = Math.sqrt(p.reduce((s, v) => s + (v - mean) ** 2, 0) / p.length);
    expect(Math.abs(mean)).toBeLessThan(0.03); // sd of the mean: 2/sqrt(1e5) ~ 0.006
    expect(Math.abs(sd - 2)).toBeLessThan(0.03);
    const within = p.filter((v) => Math.abs(v) < 2).length / p.length;
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.01);
  });

  it('fans: a weight [in, out] of X @ W has fan-in in and fan-out out; a vector [k] k and 1; a scalar 1 and 1', () => {
    expect(fans([64, 32])).toEqual({ fanIn: 64, fanOut: 32 });
    expect(fans([3, 4, 5])).toEqual({ fanIn: 12, fanOut: 5 });
    expect(fans([16])).toEqual({ fanIn: 16, fanOut: 1 });
    expect(fans([])).toEqual({ fanIn: 1, fanOut: 1 });
  });

  it('tensor params by default: glorot for matrices (uniform on ±sqrt(6/(in+out))), 0 for vectors and scalars', () => {
    const p = initialTensorParams([[200, 300], [300], []], undefined, seededRandom(5));
    const W = p.subarray(0, 60_000);
    const limit = Math.sqrt(6 / 500);
    expect(Math.max(...W)).toBeLessThan(limit);
    expect(Math.min(...W)).toBeGreaterThanOrEqual(-limit);
    const variance = W.reduce((s, v) => s + v * v, 0) / W.length;
    expect(Math.abs(variance - limit ** 2 / 3)).toBeLessThan(0.0005); // glorot's variance 2/(in+out) = 0.004
    expect([...p.subarray(60_000)].every((v) => v === 0)).toBe(true);
  });

  it('he: normal with deviation sqrt(2/fan-in), every param (a scheme given applies to vectors too)', () => {
    const p = initialTensorParams([[100, 500], [400]], { kind: 'he' }, seededRandom(6));
    const sd = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(Math.abs(sd(p.subarray(0, 50_000)) - Math.sqrt(2 / 100))).toBeLessThan(0.003);
    expect(Math.abs(sd(p.subarray(50_000)) - Math.sqrt(2 / 400))).toBeLessThan(0.01);
    // uniform:A applies to every element of every param alike.
    const u = initialTensorParams([[2, 2], [2]], { kind: 'uniform', scale: 0.1 }, seededRandom(7));
    expect(u.every((v) => Math.abs(v) <= 0.1) && u.every((v) => v !== 0)).toBe(true);
  });

  it('initialisation is reproducible from the seed', () => {
    const spec = { kind: 'normal', scale: 1 } as const;
    expect(initialParams(5, spec, seededRandom(3))).toEqual(initialParams(5, spec, seededRandom(3)));
    expect(initialParams(5, spec, seededRandom(3))).not.toEqual(initialParams(5, spec, seededRandom(4)));
  });

  it('shuffleInPlace gives a permutation, the same for the same seed', () => {
    const order = (seed: number) => {
      const a = Uint32Array.from({ length: 50 }, (_, i) => i);
      shuffleInPlace(a, seededRandom(seed));
      return Array.from(a);
    };
    expect([...order(5)].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order(5)).toEqual(order(5));
    expect(order(5)).not.toEqual(order(6));
  });
});
