/** Random initial parameters: `uniform` on [-scale, scale) or `normal` with mean 0 and deviation `scale`. */
export interface InitSpec {
  kind: 'uniform' | 'normal';
  scale: number;
}

export function initialParams(size: number, spec: InitSpec, random: () => number): Float64Array {
  const params = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    params[i] = spec.scale * (spec.kind === 'uniform' ? 2 * random() - 1 : standardNormal(random));
  }
  return params;
}

/** Box-Muller (one of the pair); 1 - u keeps the logarithm's argument in (0, 1]. */
function standardNormal(random: () => number): number {
  const radius = Math.sqrt(-2 * Math.log(1 - random()));
  return radius * Math.cos(2 * Math.PI * random());
}
