/**
 * The Matérn-5/2 kernel with automatic relevance determination (one lengthscale per parameter), on points
 * in the model space of `encoding.ts`: numeric coordinates in [0, 1], categorical ones as a choice index.
 *
 *   k(x, x') = s² (1 + √5 r + 5/3 r²) exp(-√5 r),   r² = Σ_d λ_d δ_d(x, x')²
 *
 * with λ_d = 1/ℓ_d² the inverse squared lengthscale, δ_d = x_d - x'_d for a numeric parameter and
 * δ_d² = [x_d ≠ x'_d] for a categorical one. The latter is exactly a one-hot encoding of the choice whose
 * columns share one lengthscale (up to a factor 2 absorbed into λ_d), and it is how Optuna's GPSampler
 * treats categorical parameters. Matérn-5/2 rather than the squared exponential: twice differentiable
 * functions, not infinitely smooth ones, which is what hyperparameter responses look like (Snoek et al.).
 */

const SQRT5 = Math.sqrt(5);

export interface KernelParams {
  /** λ_d = 1/ℓ_d² per parameter (model-space units: the unit interval, or "differs" for categoricals). */
  readonly inverseSquaredLengthscales: Float64Array;
  /** s², the prior variance of the (standardised) objective. */
  readonly signalVariance: number;
  /** σ², the observation noise variance (standardised units), added on the diagonal. */
  readonly noiseVariance: number;
}

/** The shape of the model space: `dims` coordinates per point, which of them are categorical. */
export interface ModelSpace {
  readonly dims: number;
  /** 1 where coordinate d holds a categorical index. */
  readonly categorical: Uint8Array;
  /** Number of choices of each categorical coordinate (0 for numeric ones). */
  readonly choices: Int32Array;
}

/** k(r²)/s²: the Matérn-5/2 correlation at squared scaled distance r². */
export function matern52(r2: number): number {
  const r = Math.sqrt(r2);
  return (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
}

/** d/d(r²) of `matern52`: -5/6 (1 + √5 r) exp(-√5 r), finite at r = 0. */
export function matern52DerivR2(r2: number): number {
  const r = Math.sqrt(r2);
  return (-5 / 6) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

/** δ_d² between coordinate d of two points. */
export function coordinateDistance2(space: ModelSpace, d: number, a: number, b: number): number {
  if (space.categorical[d] === 1) return a === b ? 0 : 1;
  const diff = a - b;
  return diff * diff;
}

/** r² between row i of `x` and row j of `y` (row-major, `space.dims` columns each). */
export function scaledDistance2(space: ModelSpace, lambda: Float64Array, x: Float64Array, i: number, y: Float64Array, j: number): number {
  const dims = space.dims;
  let r2 = 0;
  for (let d = 0; d < dims; d++) r2 += lambda[d]! * coordinateDistance2(space, d, x[i * dims + d]!, y[j * dims + d]!);
  return r2;
}

/** The n×n kernel matrix of the rows of `x`, noise included on the diagonal. */
export function kernelMatrix(space: ModelSpace, params: KernelParams, x: Float64Array, n: number): Float64Array {
  const k = new Float64Array(n * n);
  const s2 = params.signalVariance;
  const lambda = params.inverseSquaredLengthscales;
  for (let i = 0; i < n; i++) {
    k[i * n + i] = s2 + params.noiseVariance;
    for (let j = 0; j < i; j++) {
      const v = s2 * matern52(scaledDistance2(space, lambda, x, i, x, j));
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
  }
  return k;
}

/** k(point, x_i) for every row of `x` (noise-free), written into `out`. */
export function kernelVector(space: ModelSpace, params: KernelParams, x: Float64Array, n: number, point: Float64Array, out: Float64Array): Float64Array {
  const s2 = params.signalVariance;
  const lambda = params.inverseSquaredLengthscales;
  for (let i = 0; i < n; i++) out[i] = s2 * matern52(scaledDistance2(space, lambda, x, i, point, 0));
  return out;
}
