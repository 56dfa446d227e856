/**
 * A Parzen estimator over one group of parameters: a weighted mixture of product kernels, one per
 * observation plus one prior kernel. Numeric dimensions use Gaussians truncated to the parameter's box
 * (bin masses for discrete kinds), categorical dimensions a smoothed one-hot kernel.
 *
 * Everything lives in flat typed arrays, kernel-major per dimension, so fitting is O(n·d) and scoring
 * C candidates is O(C·n·d) with no per-kernel objects.
 */
import type { Rng } from "../../space/types.js";
import { weightedIndex } from "../../space/variates.js";
import { LOG_SQRT_2PI, logNormalMass, logSumExp, truncatedNormal } from "./normal.js";
import { binOf, type CategoricalModel, type ModelledParam, type NumericModel } from "./param-models.js";

export type BandwidthRule = "scott" | "neighbour";

export interface ParzenSettings {
  readonly priorWeight: number;
  /** "scott" for joint (multivariate) kernels, "neighbour" for one-parameter models. */
  readonly bandwidth: BandwidthRule;
  readonly considerEndpoints: boolean;
  readonly magicClip: boolean;
}

/** Scott-style factor: sigma = SCOTT_FACTOR · range · n^(-1/(d+4)). */
export const SCOTT_FACTOR = 0.15;
/** The magic clip's floor: sigma >= range / min(MAGIC_CLIP_CAP, 1 + n). */
const MAGIC_CLIP_CAP = 100;

interface NumericDimension {
  readonly model: NumericModel;
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  /** log(sigma · sqrt(2π) · Z), Z the kernel's mass inside the box: the continuous log-density's constant. */
  readonly logNorm: Float64Array;
  /** log Z alone, for bin masses. */
  readonly logMass: Float64Array;
}

interface CategoricalDimension {
  readonly model: CategoricalModel;
  /** kernel-major: logProb[i · size + k]. */
  readonly logProb: Float64Array;
}

type Dimension = NumericDimension | CategoricalDimension;

export class ParzenEstimator {
  /** Kernels: observations first, then the prior. */
  readonly kernelCount: number;
  private readonly weights: Float64Array;
  private readonly logWeights: Float64Array;
  private readonly dims: readonly Dimension[];
  private readonly scratch: Float64Array;
  private readonly bin = new Float64Array(2);

  /**
   * @param models the group's parameters (d of them)
   * @param observations row-major n × d coordinates (categorical: the index); no NaN
   * @param count n
   * @param represents how many observations these n stand for (an even subsample of a larger set): the
   *   prior's weight, bandwidths and smoothing are those of the full set. Default n.
   */
  constructor(
    readonly models: readonly ModelledParam[],
    observations: Float64Array,
    count: number,
    settings: ParzenSettings,
    represents = count,
  ) {
    const d = models.length;
    this.kernelCount = count + 1;
    this.weights = new Float64Array(this.kernelCount).fill(1);
    // The prior keeps its share of the full set: priorWeight / (represents + priorWeight).
    const priorWeight = represents === count ? settings.priorWeight : settings.priorWeight * (count / represents);
    this.weights[count] = priorWeight;
    const total = count + priorWeight;
    this.logWeights = new Float64Array(this.kernelCount);
    for (let i = 0; i < this.kernelCount; i++) this.logWeights[i] = Math.log(this.weights[i]! / total);
    this.scratch = new Float64Array(this.kernelCount);
    this.dims = models.map((model, j) => {
      const column = new Float64Array(count);
      for (let i = 0; i < count; i++) column[i] = observations[i * d + j]!;
      return model.kind === "numeric"
        ? numericDimension(model, column, d, settings, represents)
        : categoricalDimension(model, column, settings.priorWeight, represents);
    });
  }

  /** `count` draws, row-major count × d. Each draw picks one kernel by weight and samples every dimension from it. */
  sample(rng: Rng, count: number): Float64Array {
    const d = this.dims.length;
    const out = new Float64Array(count * d);
    for (let c = 0; c < count; c++) {
      const kernel = weightedIndex(this.weights as unknown as number[], rng);
      for (let j = 0; j < d; j++) {
        const dim = this.dims[j]!;
        out[c * d + j] = "mu" in dim ? sampleNumeric(dim, kernel, rng) : sampleCategorical(dim, kernel, rng);
      }
    }
    return out;
  }

  /** log density (log mass for discrete dimensions) of each of `count` row-major points, into `out`. */
  logDensity(points: Float64Array, count: number, out: Float64Array): void {
    const d = this.dims.length;
    const m = this.kernelCount;
    const acc = this.scratch;
    for (let c = 0; c < count; c++) {
      acc.set(this.logWeights);
      for (let j = 0; j < d; j++) {
        const dim = this.dims[j]!;
        const x = points[c * d + j]!;
        if ("mu" in dim) {
          if (dim.model.discrete) this.addBinMass(dim, x, acc, m);
          else addDensity(dim, x, acc, m);
        } else {
          addCategorical(dim, x | 0, acc, m);
        }
      }
      out[c] = logSumExp(acc, m);
    }
  }

  private addBinMass(dim: NumericDimension, x: number, acc: Float64Array, m: number): void {
    binOf(dim.model, x, this.bin);
    const lo = this.bin[0]!;
    const hi = this.bin[1]!;
    for (let i = 0; i < m; i++) {
      const mu = dim.mu[i]!;
      const s = dim.sigma[i]!;
      acc[i]! += logNormalMass((lo - mu) / s, (hi - mu) / s) - dim.logMass[i]!;
    }
  }
}

function addDensity(dim: NumericDimension, x: number, acc: Float64Array, m: number): void {
  const { mu, sigma, logNorm } = dim;
  for (let i = 0; i < m; i++) {
    const z = (x - mu[i]!) / sigma[i]!;
    acc[i]! += -0.5 * z * z - logNorm[i]!;
  }
}

function addCategorical(dim: CategoricalDimension, k: number, acc: Float64Array, m: number): void {
  const size = dim.model.size;
  const logProb = dim.logProb;
  for (let i = 0, at = k; i < m; i++, at += size) acc[i]! += logProb[at]!;
}

function sampleNumeric(dim: NumericDimension, kernel: number, rng: Rng): number {
  return truncatedNormal(dim.mu[kernel]!, dim.sigma[kernel]!, dim.model.low, dim.model.high, rng);
}

function sampleCategorical(dim: CategoricalDimension, kernel: number, rng: Rng): number {
  const size = dim.model.size;
  let u = rng();
  const base = kernel * size;
  for (let k = 0; k < size - 1; k++) {
    u -= Math.exp(dim.logProb[base + k]!);
    if (u < 0) return k;
  }
  return size - 1;
}

function numericDimension(model: NumericModel, column: Float64Array, d: number, settings: ParzenSettings, represents: number): NumericDimension {
  const n = column.length;
  const m = n + 1;
  const mu = new Float64Array(m);
  const sigma = new Float64Array(m);
  mu.set(column);
  mu[n] = model.priorMu;
  const minSigma = settings.magicClip ? model.range / Math.min(MAGIC_CLIP_CAP, 1 + represents) : model.range * 1e-6;
  const maxSigma = model.range;
  if (settings.bandwidth === "scott") {
    const s = SCOTT_FACTOR * model.range * Math.pow(Math.max(represents, 1), -1 / (d + 4));
    sigma.fill(Math.min(maxSigma, Math.max(minSigma, s)), 0, n);
  } else {
    neighbourBandwidths(model, column, sigma, settings.considerEndpoints);
    for (let i = 0; i < n; i++) sigma[i] = Math.min(maxSigma, Math.max(minSigma, sigma[i]!));
  }
  sigma[n] = model.priorSigma;

  const logNorm = new Float64Array(m);
  const logMass = new Float64Array(m);
  const bounded = Number.isFinite(model.low) || Number.isFinite(model.high);
  // Scott bandwidths are one value for every kernel: take its log once.
  let lastSigma = NaN;
  let logSigma = NaN;
  for (let i = 0; i < m; i++) {
    const s = sigma[i]!;
    if (s !== lastSigma) logSigma = Math.log((lastSigma = s));
    const lz = bounded ? logNormalMass((model.low - mu[i]!) / s, (model.high - mu[i]!) / s) : 0;
    logMass[i] = lz;
    logNorm[i] = logSigma + LOG_SQRT_2PI + lz;
  }
  return { model, mu, sigma, logNorm, logMass };
}

/**
 * Bergstra et al.'s rule: each observation's bandwidth is the larger gap to its neighbours when all
 * observations and the prior's centre are sorted. The outermost points have one neighbour; with
 * `considerEndpoints` the gap to the box's end counts as the other.
 */
function neighbourBandwidths(model: NumericModel, column: Float64Array, sigma: Float64Array, considerEndpoints: boolean): void {
  const n = column.length;
  if (n === 0) return;
  const points = new Float64Array(n + 1);
  points.set(column);
  points[n] = model.priorMu;
  const order = Array.from({ length: n + 1 }, (_, i) => i).sort((a, b) => points[a]! - points[b]! || a - b);
  for (let r = 0; r <= n; r++) {
    const i = order[r]!;
    if (i === n) continue; // the prior keeps its own bandwidth
    const x = points[i]!;
    const left = r > 0 ? x - points[order[r - 1]!]! : considerEndpoints ? x - model.low : 0;
    const right = r < n ? points[order[r + 1]!]! - x : considerEndpoints ? model.high - x : 0;
    sigma[i] = Number.isFinite(Math.max(left, right)) ? Math.max(left, right) : model.range;
  }
}

/**
 * Each observation's kernel keeps most of its mass on the observed choice and spreads the rest by the
 * prior: p(k) = (1[k = c] + α·π_k) / (1 + α), with α = priorWeight / (1 + n), so smoothing fades as
 * evidence accumulates (an Aitchison–Aitken-style bandwidth). The prior kernel is π itself.
 */
function categoricalDimension(model: CategoricalModel, column: Float64Array, priorWeight: number, represents: number): CategoricalDimension {
  const n = column.length;
  const size = model.size;
  const logProb = new Float64Array((n + 1) * size);
  const alpha = priorWeight / (1 + represents);
  // A kernel's row depends only on its observed choice: compute each choice's row once and copy it.
  const rows = new Float64Array(size * size);
  for (let c = 0; c < size; c++) {
    for (let k = 0; k < size; k++) rows[c * size + k] = Math.log(((k === c ? 1 : 0) + alpha * model.prior[k]!) / (1 + alpha));
  }
  for (let i = 0; i < n; i++) {
    const c = column[i]!;
    logProb.set(rows.subarray(c * size, c * size + size), i * size);
  }
  for (let k = 0; k < size; k++) logProb[n * size + k] = Math.log(model.prior[k]!);
  return { model, logProb };
}
