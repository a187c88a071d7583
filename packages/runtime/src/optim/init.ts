/**
 * Random initial parameters: `uniform` on [-scale, scale), `normal` with mean
 * 0 and deviation `scale`, or scaled by each param's fan-in and fan-out:
 * `glorot` (uniform on ±sqrt(6 / (fan-in + fan-out))) and `he` (normal with
 * deviation sqrt(2 / fan-in)).
 */
export type InitSpec = { kind: 'uniform' | 'normal'; scale: number } | { kind: 'glorot' | 'he' };

/**
 * Fan-in and fan-out of a param of this shape, as `X @ W` uses a weight
 * `W: [in, out]`: the last dimension is the fan-out and the rest the fan-in
 * (a vector `[k]` has fan-in k and fan-out 1; a scalar 1 and 1).
 */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.length < 2) return { fanIn: size, fanOut: 1 };
  const fanOut = shape[shape.length - 1]!;
  return { fanIn: size / fanOut, fanOut };
}

/** One element drawn by `spec` for a param with these fans. */
function draw(spec: InitSpec, { fanIn, fanOut }: { fanIn: number; fanOut: number }, random: () => number): number {
  switch (spec.kind) {
    case 'uniform': return spec.scale * (2 * random() - 1);
    case 'normal': return spec.scale * standardNormal(random);
    case 'glorot': return Math.sqrt(6 / (fanIn + fanOut)) * (2 * random() - 1);
    case 'he': return Math.sqrt(2 / fanIn) * standardNormal(random);
  }
}

/** `size` scalar params (each with fan-in and fan-out 1). */
export function initialParams(size: number, spec: InitSpec, random: () => number): Float64Array {
  const params = new Float64Array(size);
  for (let i = 0; i < size; i++) params[i] = draw(spec, { fanIn: 1, fanOut: 1 }, random);
  return params;
}

/**
 * Params of these shapes, in the flat layout. With a scheme, every param is
 * drawn from it; without one (the default for tensor programs), matrices and
 * higher ranks are `glorot` and vectors and scalars (biases, mostly) start at 0.
 */
export function initialTensorParams(shapes: readonly (readonly number[])[], spec: InitSpec | undefined, random: () => number): Float64Array {
  const size = shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  const params = new Float64Array(size);
  let at = 0;
  for (const shape of shapes) {
    const count = shape.reduce((a, b) => a * b, 1);
    const scheme: InitSpec | undefined = spec ?? (shape.length >= 2 ? { kind: 'glorot' } : undefined);
    const f = fans(shape);
    for (let i = 0; i < count; i++) params[at + i] = scheme ? draw(scheme, f, random) : 0;
    at += count;
  }
  return params;
}

/** Box-Muller (one of the pair); 1 - u keeps the logarithm's argument in (0, 1]. */
function standardNormal(random: () => number): number {
  const radius = Math.sqrt(-2 * Math.log(1 - random()));
  return radius * Math.cos(2 * Math.PI * random());
}
