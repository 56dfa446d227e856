/**
 * Fitting the kernel hyperparameters by maximising the log marginal likelihood plus a log prior (MAP),
 * with analytic gradients, by L-BFGS on log-parameters from a few starting points.
 *
 *   log p(y | θ) = -½ yᵀK⁻¹y - ½ log|K| - n/2 log 2π,   ∂/∂θ_j = ½ tr((ααᵀ - K⁻¹) ∂K/∂θ_j),  α = K⁻¹y
 *
 * The prior is Optuna's GPSampler's (optuna/_gp/prior.py): -(0.1/λ + 0.1 λ) per inverse squared
 * lengthscale λ (it peaks at a lengthscale of 1, the width of the unit cube, and keeps λ away from 0 and
 * ∞ where the likelihood is flat with few points), Gamma(2, 1) on the signal variance and Gamma(1.1, 30)
 * on the noise variance (small noise expected, on standardised outputs).
 *
 * On top of it, the numeric coordinates' log λ are pooled: each is drawn towards their mean with a normal
 * of standard deviation POOLED_LOG_LAMBDA_SD. With ten or twenty trials, one lengthscale per coordinate
 * is barely identified, and a free fit readily declares some coordinate irrelevant (a long lengthscale)
 * on the strength of a few points and then never explores it; pooling says "coordinates are about
 * equally relevant unless the data say otherwise", and its pull fades as the likelihood grows with n.
 * Categorical coordinates are left out: their equal-or-not distance puts λ on another scale.
 */
import type { KernelParams, ModelSpace } from "./kernel.js";
import { matern52, matern52DerivR2, coordinateDistance2 } from "./kernel.js";
import { minimizeLbfgs, type LbfgsSettings, LBFGS_DEFAULTS } from "./lbfgs.js";
import { cholesky, halfLogDet, inverseFromCholesky, solveCholesky } from "./linalg.js";
import type { Rng } from "../../space/types.js";

/** Noise variance floor (standardised units): keeps K well conditioned for noiseless objectives. */
export const MIN_NOISE_VARIANCE = 1e-6;

/** Box on the log-parameters; the prior keeps optima well inside it. */
const LOG_BOUNDS = {
  lambda: [Math.log(1e-4), Math.log(1e4)],
  signal: [Math.log(1e-3), Math.log(1e3)],
  noise: [Math.log(1e-9), Math.log(10)],
} as const;

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Standard deviation of the pooling prior on the numeric coordinates' log λ around their mean (λ within a
 * factor e of the mean is one standard deviation; lengthscales within a factor √e). Chosen on the GP
 * tuning seeds (bench/README.md): 1 against 0.5 and no pooling.
 */
export const POOLED_LOG_LAMBDA_SD = 1;

/**
 * Log-parameters θ: dims × log λ_d, then log s², then log(σ² - MIN_NOISE_VARIANCE). Stored in the trial's
 * meta so the next fit starts from them.
 */
export function toLogParams(params: KernelParams): Float64Array {
  const dims = params.inverseSquaredLengthscales.length;
  const theta = new Float64Array(dims + 2);
  for (let d = 0; d < dims; d++) theta[d] = Math.log(params.inverseSquaredLengthscales[d]!);
  theta[dims] = Math.log(params.signalVariance);
  theta[dims + 1] = Math.log(Math.max(params.noiseVariance - MIN_NOISE_VARIANCE, 1e-12));
  return theta;
}

export function fromLogParams(theta: Float64Array): KernelParams {
  const dims = theta.length - 2;
  const lambda = new Float64Array(dims);
  for (let d = 0; d < dims; d++) lambda[d] = Math.exp(theta[d]!);
  return { inverseSquaredLengthscales: lambda, signalVariance: Math.exp(theta[dims]!), noiseVariance: MIN_NOISE_VARIANCE + Math.exp(theta[dims + 1]!) };
}

/** The starting point without history: lengthscale 1, unit signal variance, small noise. */
export function defaultKernelParams(dims: number): KernelParams {
  return { inverseSquaredLengthscales: new Float64Array(dims).fill(1), signalVariance: 1, noiseVariance: 1e-3 };
}

/**
 * The log posterior of θ (log marginal likelihood + log prior) and its gradient, over fixed data. The
 * per-coordinate squared distances are computed once, so one evaluation costs a kernel matrix, a Cholesky
 * factorisation and an inverse: O(n³ + dims·n²).
 */
export class MarginalLikelihood {
  private readonly dist2: Float64Array[];

  constructor(
    readonly space: ModelSpace,
    readonly x: Float64Array,
    readonly y: Float64Array,
  ) {
    const n = y.length;
    const dims = space.dims;
    this.dist2 = [];
    for (let d = 0; d < dims; d++) {
      const m = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) {
          const v = coordinateDistance2(space, d, x[i * dims + d]!, x[j * dims + d]!);
          m[i * n + j] = v;
          m[j * n + i] = v;
        }
      }
      this.dist2.push(m);
    }
  }

  /** log p(y|θ) + log p(θ), with its gradient written into `grad`; -Infinity outside the box or if K is singular. */
  evaluate(theta: Float64Array, grad: Float64Array): number {
    const dims = this.space.dims;
    if (!inBounds(theta, dims)) return -Infinity;
    const n = this.y.length;
    const { inverseSquaredLengthscales: lambda, signalVariance: s2, noiseVariance: noise } = fromLogParams(theta);
    const r2 = new Float64Array(n * n);
    for (let d = 0; d < dims; d++) {
      const l = lambda[d]!;
      const m = this.dist2[d]!;
      for (let i = 0; i < n * n; i++) r2[i]! += l * m[i]!;
    }
    const corr = new Float64Array(n * n);
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const c = i === j ? 1 : matern52(r2[i * n + j]!);
        corr[i * n + j] = corr[j * n + i] = c;
        k[i * n + j] = k[j * n + i] = s2 * c;
      }
      k[i * n + i]! += noise;
    }
    const l = cholesky(k, n);
    if (l === null) return -Infinity;
    const alpha = solveCholesky(l, n, Float64Array.from(this.y));
    let fit = 0;
    for (let i = 0; i < n; i++) fit += this.y[i]! * alpha[i]!;
    const logLik = -0.5 * fit - halfLogDet(l, n) - 0.5 * n * LOG_2PI;

    // W = ααᵀ - K⁻¹; ∂/∂θ_j = ½ Σ_ij W_ij ∂K_ij/∂θ_j (symmetric: off-diagonal pairs counted twice).
    const inv = inverseFromCholesky(l, n);
    const w = inv;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[i * n + j] = alpha[i]! * alpha[j]! - inv[i * n + j]!;
    let gSignal = 0;
    let trace = 0;
    const gLambda = new Float64Array(dims);
    const deriv = new Float64Array(n * n); // s² m'(r²) W_ij, lower triangle
    for (let i = 0; i < n; i++) {
      const wii = w[i * n + i]!;
      trace += wii;
      gSignal += 0.5 * wii * s2;
      for (let j = 0; j < i; j++) {
        const wij = w[i * n + j]!;
        gSignal += wij * s2 * corr[i * n + j]!;
        deriv[i * n + j] = wij * s2 * matern52DerivR2(r2[i * n + j]!);
      }
    }
    for (let d = 0; d < dims; d++) {
      const m = this.dist2[d]!;
      let sum = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) sum += deriv[i * n + j]! * m[i * n + j]!;
      gLambda[d] = sum * lambda[d]!;
    }

    // Log prior and its gradient (see the module comment).
    let logPrior = logLengthscalePrior(this.space, theta, grad);
    for (let d = 0; d < dims; d++) grad[d]! += gLambda[d]!;
    logPrior += Math.log(s2) - s2;
    grad[dims] = gSignal + 1 - s2;
    const noiseExcess = noise - MIN_NOISE_VARIANCE;
    logPrior += 0.1 * Math.log(noise) - 30 * noise;
    grad[dims + 1] = (0.5 * trace + 0.1 / noise - 30) * noiseExcess;
    return logLik + logPrior;
  }
}

/**
 * The lengthscales' part of the log prior at log-parameters θ (Optuna's per-λ term plus the pooling of the
 * numeric coordinates; see the module comment), its gradient with respect to each log λ written into
 * grad[0..dims).
 */
export function logLengthscalePrior(space: ModelSpace, theta: Float64Array, grad: Float64Array): number {
  const dims = space.dims;
  let logPrior = 0;
  let mean = 0;
  let numeric = 0;
  for (let d = 0; d < dims; d++) {
    const lam = Math.exp(theta[d]!);
    logPrior -= 0.1 / lam + 0.1 * lam;
    grad[d] = 0.1 / lam - 0.1 * lam;
    if (space.categorical[d] !== 1) {
      mean += theta[d]!;
      numeric++;
    }
  }
  if (numeric < 2) return logPrior;
  mean /= numeric;
  const precision = 1 / (POOLED_LOG_LAMBDA_SD * POOLED_LOG_LAMBDA_SD);
  for (let d = 0; d < dims; d++) {
    if (space.categorical[d] === 1) continue;
    // ∂/∂θ_d of -½ precision Σ_k (θ_k - mean)² is -precision (θ_d - mean): the terms through the mean
    // sum to zero, since Σ_k (θ_k - mean) = 0.
    const u = theta[d]! - mean;
    logPrior -= 0.5 * precision * u * u;
    grad[d]! -= precision * u;
  }
  return logPrior;
}

function inBounds(theta: Float64Array, dims: number): boolean {
  for (let d = 0; d < dims; d++) if (!(theta[d]! >= LOG_BOUNDS.lambda[0] && theta[d]! <= LOG_BOUNDS.lambda[1])) return false;
  if (!(theta[dims]! >= LOG_BOUNDS.signal[0] && theta[dims]! <= LOG_BOUNDS.signal[1])) return false;
  return theta[dims + 1]! >= LOG_BOUNDS.noise[0] && theta[dims + 1]! <= LOG_BOUNDS.noise[1];
}

export interface FitSettings {
  /** Where to start besides the default: the previous trial's fit, when there is one. */
  readonly warmStart?: KernelParams;
  /** Start from the warm start alone when it can be evaluated (long histories, where a fit changes little per trial). */
  readonly warmOnly?: boolean;
  /** Extra starts from random log-parameters around the default. */
  readonly randomRestarts: number;
  readonly rng: Rng;
  readonly lbfgs?: LbfgsSettings;
}

export interface FitResult {
  readonly params: KernelParams;
  /** The maximised log posterior. */
  readonly logPosterior: number;
  readonly evaluations: number;
}

/** MAP hyperparameters: the best of L-BFGS runs from the warm start, the default and random starts. */
export function fitKernelParams(space: ModelSpace, x: Float64Array, y: Float64Array, settings: FitSettings): FitResult {
  const objective = new MarginalLikelihood(space, x, y);
  const dims = space.dims;
  const warm = settings.warmStart !== undefined && settings.warmStart.inverseSquaredLengthscales.length === dims;
  const starts: Float64Array[] = [];
  if (warm) starts.push(clampIntoBox(toLogParams(settings.warmStart!), dims));
  starts.push(toLogParams(defaultKernelParams(dims)));
  for (let r = 0; r < settings.randomRestarts; r++) {
    const theta = toLogParams(defaultKernelParams(dims));
    for (let d = 0; d < dims; d++) theta[d] = Math.log(0.1) + settings.rng() * Math.log(1e3); // λ in [0.1, 100]
    theta[dims] = Math.log(0.3) + settings.rng() * Math.log(10);
    theta[dims + 1] = Math.log(1e-5) + settings.rng() * Math.log(1e4);
    starts.push(theta);
  }
  let best: FitResult | null = null;
  let evaluations = 0;
  const negated = (theta: Float64Array, grad: Float64Array): number => {
    const v = objective.evaluate(theta, grad);
    for (let i = 0; i < grad.length; i++) grad[i] = -grad[i]!;
    return Number.isFinite(v) ? -v : Infinity;
  };
  for (const [k, start] of starts.entries()) {
    // With `warmOnly`, the other starts are only a fallback for a warm start that could not be evaluated.
    if (k > 0 && warm && settings.warmOnly && best !== null) break;
    const result = minimizeLbfgs(negated, start, settings.lbfgs ?? LBFGS_DEFAULTS);
    evaluations += result.evaluations;
    if (Number.isFinite(result.value) && (best === null || -result.value > best.logPosterior)) {
      best = { params: fromLogParams(result.x), logPosterior: -result.value, evaluations: 0 };
    }
  }
  if (best === null) return { params: defaultKernelParams(dims), logPosterior: -Infinity, evaluations };
  return { ...best, evaluations };
}

function clampIntoBox(theta: Float64Array, dims: number): Float64Array {
  const out = Float64Array.from(theta);
  const clamp = (v: number, [lo, hi]: readonly [number, number]) => Math.min(hi - 1e-9, Math.max(lo + 1e-9, v));
  for (let d = 0; d < dims; d++) out[d] = clamp(out[d]!, LOG_BOUNDS.lambda);
  out[dims] = clamp(out[dims]!, LOG_BOUNDS.signal);
  out[dims + 1] = clamp(out[dims + 1]!, LOG_BOUNDS.noise);
  return out;
}
