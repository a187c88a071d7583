import { outputsOf, topoOrder, valueOf } from '@autodiff/ir';
import { prepareTensorWorkload, TENSOR_WORKLOADS } from './tensor-workloads.js';
import { finiteDifferenceGradient, interpret } from '@autodiff/runtime';
import { evaluate as mathjsEvaluate } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { agreement, evaluate, TOLERANCE } from './check.js';
import { inlineExpression, mathjsGradient } from './competitors/mathjs.js';
import { tapeGradient } from './competitors/tape.js';
import { compileProgram, functionText } from './generated.js';
import { ratio, timeSideBySide, type Timing } from './harness.js';
import { deepChain, recurrence, rosenbrock, sharedProgram, wideSum } from './programs.js';
import { growth, type ScalingPoint } from './scaling.js';
import { toSteps } from './steps.js';
import { evaluateTargets } from './targets.js';
import { workloads } from './workloads.js';

const benchWorkloads = workloads();

describe('workloads', () => {
  it.each(benchWorkloads.map((w) => [w.id, w] as const))('%s: the hand-written gradient matches central differences and our compiled gradient', (_, w) => {
    const { functions } = compileProgram(w.source, `${w.id}.txt`);
    expect(functions.paramNames.length).toBe(w.params.length);
    expect(functions.inputNames.length).toBe(w.inputs.length);
    if (!w.hand) return;
    const hand = evaluate(w.hand, w.params, w.inputs);
    const numeric = finiteDifferenceGradient((p) => w.hand!(p, w.inputs, new Float64Array(p.length)), w.params);
    numeric.forEach((g, i) => expect(hand.grad[i]).toBeCloseTo(g, 5));
    expect(agreement(evaluate(functions.backwardFlat, w.params, w.inputs), hand, TOLERANCE).ok).toBe(true);
  });

  it.each(benchWorkloads.map((w) => [w.id, w] as const))('%s: the tape run from steps agrees with interpret', (_, w) => {
    const { checked } = compileProgram(w.source, `${w.id}.txt`);
    const values = new Map<string, number>();
    checked.params.forEach((p, i) => values.set(p.name, w.params[i]!));
    checked.inputs.forEach((x, i) => values.set(x.name, w.inputs[i]!));
    const expected = interpret(checked, values);
    const tape = evaluate(tapeGradient(toSteps(checked)), w.params, w.inputs);
    expect(tape.value).toBe(expected.value);
    expect([...tape.grad]).toEqual([...expected.gradient.values()]);
  });
});

describe('mathjs translation', () => {
  it('inlines a program into an expression mathjs evaluates to the same value', () => {
    for (const w of benchWorkloads.filter((w) => !w.id.startsWith('random-'))) {
      const { checked, functions } = compileProgram(w.source, `${w.id}.txt`);
      const steps = toSteps(checked);
      const inlined = inlineExpression(steps);
      if (!('expression' in inlined)) throw new Error(inlined.unsupported);
      const scope = Object.fromEntries([...steps.params.map((n, i) => [n, w.params[i]!]), ...steps.inputs.map((n, i) => [n, w.inputs[i]!])]);
      const value = mathjsEvaluate(inlined.expression, scope) as number;
      expect(Math.abs(value - functions.forwardFlat(w.params, w.inputs))).toBeLessThan(1e-12 * Math.max(1, Math.abs(value)));
    }
  });

  it("gives mathjs's derivatives of Rosenbrock, checked against the hand-derived gradient", () => {
    const { checked } = compileProgram(rosenbrock(2), 'r.txt');
    const steps = toSteps(checked);
    const inlined = inlineExpression(steps);
    if (!('expression' in inlined)) throw new Error(inlined.unsupported);
    const { value, grad } = evaluate(mathjsGradient(steps, inlined.expression).gradient, Float64Array.of(-1.2, 1), new Float64Array(0));
    expect(value).toBeCloseTo(24.2, 12);
    expect(grad[0]).toBeCloseTo(-215.6, 10); // -400*x1*(x2 - x1^2) - 2*(1 - x1)
    expect(grad[1]).toBeCloseTo(-88, 10); // 200*(x2 - x1^2)
  });

  it('refuses a program whose inlining explodes, and functions mathjs cannot differentiate', () => {
    const shared = inlineExpression(toSteps(compileProgram(sharedProgram(1000, 7), 's.txt').checked));
    expect('unsupported' in shared && shared.unsupported).toMatch(/inlined expression would be/);
    const relu = inlineExpression(toSteps(compileProgram('param a\nrelu(a)', 'r.txt').checked));
    expect('unsupported' in relu && relu.unsupported).toMatch(/'relu'/);
  });
});

describe('agreement', () => {
  const ours = { value: 2, grad: Float64Array.of(1, -3, 1e-12) };
  it('accepts rounding-level differences, including on a near-zero component', () => {
    expect(agreement(ours, { value: 2 + 1e-15, grad: Float64Array.of(1 + 1e-12, -3, 2e-12) }, TOLERANCE).ok).toBe(true);
  });
  it('rejects one wrong component, a wrong value, and NaN', () => {
    expect(agreement(ours, { value: 2, grad: Float64Array.of(1, -3.0001, 0) }, TOLERANCE).ok).toBe(false);
    expect(agreement(ours, { value: 2.001, grad: ours.grad }, TOLERANCE).ok).toBe(false);
    expect(agreement(ours, { value: 2, grad: Float64Array.of(NaN, -3, 0) }, TOLERANCE).ok).toBe(false);
  });
});

describe('programs', () => {
  it('makes programs of about the requested size, deterministically', () => {
    for (const [make, size] of [[deepChain, 1000], [wideSum, 1000], [(n: number) => sharedProgram(n, 3), 1000]] as const) {
      const source = make(size);
      expect(make(size)).toBe(source);
      const { ir } = compileProgram(source, 'p.txt');
      const nodes = topoOrder([valueOf(ir)]).length;
      expect(nodes).toBeGreaterThan(0.9 * size);
      expect(nodes).toBeLessThan(1.1 * size);
      expect(topoOrder(outputsOf(ir)).length).toBeGreaterThan(nodes);
    }
    expect(compileProgram(recurrence(3), 'r.txt').functions.forwardFlat(Float64Array.of(0.5, 0.3))).toBe(
      Math.sin(0.5 + Math.sin(0.5 + Math.sin(0.5 + 0.3))),
    );
  });

  it('finds a function text in an emitted module', () => {
    const { module } = compileProgram('param a\na*a', 'a.txt');
    const text = functionText(module, 'forwardFlat');
    expect(text.startsWith('function forwardFlat(')).toBe(true);
    expect(text.endsWith('\n}')).toBe(true);
    expect(text).not.toContain('backwardFlat');
  });
});

describe('harness', () => {
  it('computes ratios per round', () => {
    const t = (rounds: number[]): Timing => ({ name: '', batch: 1, rounds, ns: 0, samples: 0 });
    expect(ratio(t([10, 30, 20]), t([5, 10, 5]))).toEqual({ median: 3, min: 2, max: 4 });
  });

  it('times a candidate doing 50 times the work as clearly slower', () => {
    const work = (p: Float64Array, x: Float64Array, g: Float64Array) => {
      let s = 0;
      for (let i = 0; i < p.length; i++) s += Math.sqrt(p[i]! + x.length + i);
      g[0] = s;
      return s;
    };
    const small = [Float64Array.from({ length: 20 }, (_, i) => i)];
    const large = [Float64Array.from({ length: 1000 }, (_, i) => i)];
    const x = new Float64Array(0);
    const timings = timeSideBySide(
      [
        { name: 'small', f: work, points: small, x, grad: new Float64Array(1) },
        { name: 'large', f: work, points: large, x, grad: new Float64Array(1) },
      ],
      { rounds: 3, timeMs: 20, warmupMs: 10 },
    );
    expect(ratio(timings.get('large')!, timings.get('small')!).median).toBeGreaterThan(5);
  });
});

describe('compile scaling', () => {
  const point = (size: number, rounds: number[]): ScalingPoint => ({
    shape: 'deep chain', size, irNodes: { forward: size, total: 3 * size }, params: 2, rounds,
    compileMs: 0, runs: rounds.length, moduleChars: 0, forwardChars: 1, backwardChars: 3,
  });
  const points = [point(100, [1, 2, 4]), point(10_000, [200, 200, 200]), point(100_000, [1000, 3000, 1000])];

  it('takes the growth per round, not as a ratio of medians', () => {
    // Per round 1000, 1500, 250: the median is 1000 (the medians' ratio would be 1000 / 2 = 500).
    expect(growth(points, 'deep chain')).toEqual({ median: 1000, min: 250, max: 1500 });
    expect(growth(points, 'deep chain', 'next size down')).toEqual({ median: 5, min: 5, max: 15 });
  });

  it('judges the linear-growth target on the median over rounds', () => {
    const linear = (ps: ScalingPoint[]) => evaluateTargets([], ps, []).find((t) => t.target.startsWith('compile time grows linearly'))!;
    expect(linear(points)).toMatchObject({ met: true, measured: 'deep chain 1000x [250x–1500x]' });
    expect(linear([points[0]!, point(100_000, [2000, 6000, 2000])])).toMatchObject({ met: false });
  });
});

describe('tensor workloads', () => {
  it('the hand-written step and the tape agree with our gradient before anything is timed', () => {
    for (const w of TENSOR_WORKLOADS) {
      const { candidates, agreement } = prepareTensorWorkload(w);
      expect(candidates.map((c) => c.name)).toEqual(['forward', 'gradient', 'hand-written', 'tape']);
      expect(agreement.hand, w.id).toBeLessThan(1e-10);
      expect(agreement.tape, w.id).toBeLessThan(1e-10);
    }
  });
});
