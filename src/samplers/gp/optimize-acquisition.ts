/**
 * Maximising log-EI over the mixed space. EI is multimodal and cheap next to a trial, so: score a pool of
 * random points and of perturbations of the best observed points, then refine the most promising few by
 * local search — preconditioned projected gradient ascent on the numeric coordinates (integers and q-steps
 * treated as continuous) alternated with trying every choice of each categorical — and finally snap each
 * result to the value it would really take (rounded integers, q-steps) and re-score it there, so the
 * comparison between results is between points that can actually be run.
 */
import type { Rng } from "../../space/types.js";
import { standardNormal } from "../../space/variates.js";
import { logEiPartials, logExpectedImprovement, MIN_VARIANCE } from "./acquisition.js";
import type { SpaceEncoding } from "./encoding.js";
import type { GpPosterior } from "./posterior.js";

export interface AcquisitionSettings {
  /** Uniformly random points scored. */
  readonly randomCandidates: number;
  /** Perturbations scored around each of the best observed points. */
  readonly perturbationsPerIncumbent: number;
  /** Best observed points perturbed. */
  readonly incumbents: number;
  /** Best-scoring pool points refined by local search. */
  readonly localStarts: number;
  /** Gradient steps per local search round. */
  readonly localIterations: number;
}

export const ACQUISITION_DEFAULTS: AcquisitionSettings = {
  randomCandidates: 256,
  perturbationsPerIncumbent: 16,
  incumbents: 5,
  localStarts: 4,
  localIterations: 15,
};

export interface AcquisitionResult {
  readonly point: Float64Array;
  readonly logEi: number;
}

export class AcquisitionOptimizer {
  private readonly gradMean: Float64Array;
  private readonly gradVariance: Float64Array;

  /**
   * `best`: the incumbent (standardised, maximised). `incumbentRows`: rows of `posterior.x` of the best
   * observed points, best first.
   */
  constructor(
    private readonly posterior: GpPosterior,
    private readonly encoding: SpaceEncoding,
    private readonly best: number,
    private readonly settings: AcquisitionSettings = ACQUISITION_DEFAULTS,
  ) {
    this.gradMean = new Float64Array(encoding.dims);
    this.gradVariance = new Float64Array(encoding.dims);
  }

  score(point: Float64Array): number {
    const { mean, variance } = this.posterior.predict(point);
    return logExpectedImprovement(mean, variance, this.best);
  }

  /** The best point found, or null when log-EI is -Infinity everywhere scored (nothing left to learn). */
  maximize(rng: Rng, incumbentRows: readonly number[]): AcquisitionResult | null {
    const dims = this.encoding.dims;
    const pool: { point: Float64Array; score: number }[] = [];
    const add = (point: Float64Array) => {
      this.encoding.snap(point);
      pool.push({ point, score: this.score(point) });
    };
    for (let c = 0; c < this.settings.randomCandidates; c++) {
      const point = new Float64Array(dims);
      this.encoding.randomPoint(rng, point);
      add(point);
    }
    const x = this.posterior.x;
    const lambda = this.posterior.params.inverseSquaredLengthscales;
    for (const row of incumbentRows.slice(0, this.settings.incumbents)) {
      for (let c = 0; c < this.settings.perturbationsPerIncumbent; c++) {
        const point = x.slice(row * dims, (row + 1) * dims);
        // Half the perturbations within a tenth of a lengthscale, half within half of one.
        const scale = c % 2 === 0 ? 0.1 : 0.5;
        for (let d = 0; d < dims; d++) {
          if (this.encoding.categorical[d] === 1) {
            if (rng() < 1 / dims) point[d] = Math.floor(rng() * this.encoding.choices[d]!);
          } else {
            point[d] = point[d]! + scale * Math.min(1, 1 / Math.sqrt(lambda[d]!)) * standardNormal(rng);
          }
        }
        add(point);
      }
    }
    pool.sort((a, b) => b.score - a.score);
    let bestResult: AcquisitionResult | null = null;
    const starts = pool.slice(0, this.settings.localStarts).filter((p) => p.score > -Infinity);
    for (const start of starts) {
      const refined = this.localSearch(start.point, start.score);
      if (bestResult === null || refined.logEi > bestResult.logEi) bestResult = refined;
    }
    if (bestResult === null && pool[0] !== undefined && pool[0].score > -Infinity) bestResult = { point: pool[0].point, logEi: pool[0].score };
    return bestResult;
  }

  /** Two rounds of (gradient ascent on numeric coordinates, then each categorical's best choice), then snap. */
  localSearch(start: Float64Array, startScore: number): AcquisitionResult {
    let point: Float64Array = Float64Array.from(start);
    let score = startScore;
    for (let round = 0; round < 2; round++) {
      const before = score;
      ({ point, score } = this.gradientAscent(point, score));
      ({ point, score } = this.categoricalSweep(point, score));
      if (score <= before + 1e-9) break;
    }
    const snapped = Float64Array.from(point);
    this.encoding.snap(snapped);
    const snappedScore = this.score(snapped);
    // Snapping can land on a worse (or already observed) value; the unsnapped start was a real point.
    if (snappedScore >= startScore) return { point: snapped, logEi: snappedScore };
    return { point: start, logEi: startScore };
  }

  private gradientAscent(start: Float64Array, startScore: number): { point: Float64Array; score: number } {
    const dims = this.encoding.dims;
    const numeric = [] as number[];
    for (let d = 0; d < dims; d++) if (this.encoding.categorical[d] === 0) numeric.push(d);
    if (numeric.length === 0) return { point: start, score: startScore };
    const lambda = this.posterior.params.inverseSquaredLengthscales;
    let point = Float64Array.from(start);
    let score = startScore;
    const grad = new Float64Array(dims);
    const trial = new Float64Array(dims);
    let step = 1;
    for (let iter = 0; iter < this.settings.localIterations; iter++) {
      if (!this.gradient(point, grad)) break;
      // Precondition by the squared lengthscale: a step of one unit moves about one lengthscale per unit z.
      let maxMove = 0;
      for (const d of numeric) {
        grad[d] = grad[d]! / lambda[d]!;
        maxMove = Math.max(maxMove, Math.abs(grad[d]!));
      }
      if (maxMove < 1e-10) break;
      const cap = 0.25 / maxMove;
      let improved = false;
      for (let tries = 0; tries < 12; tries++) {
        const eta = Math.min(step, cap);
        trial.set(point);
        for (const d of numeric) trial[d] = Math.min(1, Math.max(0, point[d]! + eta * grad[d]!));
        const s = this.score(trial);
        if (s > score + 1e-12) {
          point = Float64Array.from(trial);
          score = s;
          improved = true;
          step = eta * 2;
          break;
        }
        step = eta * 0.5;
      }
      if (!improved) break;
    }
    return { point, score };
  }

  /** ∇ log EI with respect to the numeric coordinates; false where it is not defined (zero variance). */
  private gradient(point: Float64Array, out: Float64Array): boolean {
    const { mean, variance } = this.posterior.predictWithGradient(point, this.gradMean, this.gradVariance);
    if (!(variance > MIN_VARIANCE)) return false;
    const { dMean, dVariance } = logEiPartials(mean, variance, this.best);
    if (!Number.isFinite(dMean) || !Number.isFinite(dVariance)) return false;
    for (let d = 0; d < out.length; d++) out[d] = dMean * this.gradMean[d]! + dVariance * this.gradVariance[d]!;
    return true;
  }

  private categoricalSweep(start: Float64Array, startScore: number): { point: Float64Array; score: number } {
    const point = Float64Array.from(start);
    let score = startScore;
    for (let d = 0; d < this.encoding.dims; d++) {
      if (this.encoding.categorical[d] === 0) continue;
      const current = point[d]!;
      let bestChoice = current;
      for (let k = 0; k < this.encoding.choices[d]!; k++) {
        if (k === current) continue;
        point[d] = k;
        const s = this.score(point);
        if (s > score) {
          score = s;
          bestChoice = k;
        }
      }
      point[d] = bestChoice;
    }
    return { point, score };
  }
}
