/**
 * The Gaussian-process posterior at given kernel hyperparameters: conditioned once on the observations
 * (one Cholesky factorisation), then asked for the mean and variance at any point, with their gradients
 * with respect to the point's numeric coordinates for the acquisition's local search.
 *
 *   μ(x) = k(x)ᵀ α,  α = K⁻¹ y;    σ²(x) = s² - k(x)ᵀ K⁻¹ k(x)
 */
import { kernelMatrix, kernelVector, matern52DerivR2, scaledDistance2, type KernelParams, type ModelSpace } from "./kernel.js";
import { cholesky, solveCholesky, solveLower, solveUpper } from "./linalg.js";

/** Added to the diagonal, ten times over, when a factorisation fails: near-duplicate points. */
const JITTER = 1e-8;

/** The factor of K + noise, retrying with growing jitter; throws only if the matrix is hopeless. */
export function robustCholesky(k: Float64Array, n: number): Float64Array {
  let l = cholesky(k, n);
  for (let jitter = JITTER; l === null && jitter <= 1; jitter *= 10) {
    const bumped = Float64Array.from(k);
    for (let i = 0; i < n; i++) bumped[i * n + i]! += jitter;
    l = cholesky(bumped, n);
  }
  if (l === null) throw new Error("GP kernel matrix is not positive definite even with jitter");
  return l;
}

export class GpPosterior {
  readonly n: number;
  private readonly l: Float64Array;
  private readonly alpha: Float64Array;
  private readonly k: Float64Array;
  private readonly v: Float64Array;

  /** `x`: n rows of `space.dims` model coordinates; `y`: the n (standardised) observations. */
  constructor(
    readonly space: ModelSpace,
    readonly params: KernelParams,
    readonly x: Float64Array,
    readonly y: Float64Array,
  ) {
    const n = y.length;
    this.n = n;
    this.l = robustCholesky(kernelMatrix(space, params, x, n), n);
    this.alpha = solveCholesky(this.l, n, Float64Array.from(y));
    this.k = new Float64Array(n);
    this.v = new Float64Array(n);
  }

  /** Posterior mean and variance (of the latent function, without observation noise) at `point`. */
  predict(point: Float64Array): { mean: number; variance: number } {
    const n = this.n;
    const k = kernelVector(this.space, this.params, this.x, n, point, this.k);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += k[i]! * this.alpha[i]!;
    // σ² = s² - |L⁻¹k|²
    const w = this.v;
    w.set(k);
    solveLower(this.l, n, w);
    let explained = 0;
    for (let i = 0; i < n; i++) explained += w[i]! * w[i]!;
    return { mean, variance: Math.max(this.params.signalVariance - explained, 0) };
  }

  /**
   * As `predict`, plus ∂μ/∂x_d and ∂σ²/∂x_d for every numeric coordinate d (0 for categorical ones),
   * written into `gradMean` and `gradVariance`.
   */
  predictWithGradient(point: Float64Array, gradMean: Float64Array, gradVariance: Float64Array): { mean: number; variance: number } {
    const n = this.n;
    const { space, params, x } = this;
    const dims = space.dims;
    const lambda = params.inverseSquaredLengthscales;
    const s2 = params.signalVariance;
    const k = this.k;
    // ∂k_i/∂x_d = s² m'(r²) 2 λ_d (x_d - x_id); kept as c_i = 2 s² m'(r_i²) to combine with each d below.
    const c = new Float64Array(n);
    let mean = 0;
    for (let i = 0; i < n; i++) {
      const r2 = scaledDistance2(space, lambda, x, i, point, 0);
      const r = Math.sqrt(r2);
      const e = Math.exp(-Math.sqrt(5) * r);
      k[i] = s2 * (1 + Math.sqrt(5) * r + (5 / 3) * r2) * e;
      c[i] = 2 * s2 * matern52DerivR2(r2);
      mean += k[i]! * this.alpha[i]!;
    }
    // K⁻¹k for the variance gradient: ∂σ²/∂x = -2 (K⁻¹k)ᵀ ∂k/∂x.
    const w = this.v;
    w.set(k);
    solveLower(this.l, n, w);
    let explained = 0;
    for (let i = 0; i < n; i++) explained += w[i]! * w[i]!;
    const kinvK = solveUpper(this.l, n, Float64Array.from(w));
    for (let d = 0; d < dims; d++) {
      if (space.categorical[d] === 1) {
        gradMean[d] = 0;
        gradVariance[d] = 0;
        continue;
      }
      let gm = 0;
      let gv = 0;
      const xd = point[d]!;
      for (let i = 0; i < n; i++) {
        const dk = c[i]! * lambda[d]! * (xd - x[i * dims + d]!);
        gm += dk * this.alpha[i]!;
        gv += dk * kinvK[i]!;
      }
      gradMean[d] = gm;
      gradVariance[d] = -2 * gv;
    }
    return { mean, variance: Math.max(s2 - explained, 0) };
  }
}
