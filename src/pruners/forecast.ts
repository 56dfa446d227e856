/**
 * Learning-curve forecasts for pruning: where a loss curve is heading, from its first values.
 *
 * Why: early values favour runs that learn fast over runs that end low (a high learning rate leads at
 * epoch 3 and finishes behind), so a rule that compares values at an early band stops exactly the slow
 * runs that would have won — the short-horizon bias that made pruning slower than no pruning on the
 * benchmark's crossing and noisy curves (bench/README.md). A forecast of the final value compares runs on
 * where they are going instead. It is deliberately small:
 *
 * - One model, y(t) = a + b·e^(−c·t) with b ≥ 0 (a loss falling towards a floor a), fitted by least squares
 *   for a fixed decay c on a log grid, the best c kept. Exponential decay is what most training curves look
 *   like between their warmup and their floor; a curve it cannot fit (rising, flat) forecasts near its last
 *   values, which is what the value rule would have used.
 * - Uncertainty from the reports' noise, which the sweep's own curves show (second differences). The
 *   optimistic forecast is the lowest of the plausible fits (their squared error within 2σ² of the best,
 *   a profile likelihood) minus one standard error of its prediction: a run is stopped only when even a
 *   generous reading of its curve ends behind the others.
 *
 * Iterations are 1-based positions in the curve (the n-th reported value), as W&B's hyperband counts them.
 */

export interface Forecast {
  /** The best-fitting curve's value at the horizon. */
  readonly point: number;
  /** The lowest plausible value at the horizon, one standard error below the lowest plausible fit. */
  readonly optimistic: number;
}

/** Fastest decay tried, per iteration: e^(−3) ≈ 0.05 of the gap left after one iteration. */
const MAX_DECAY = 3;
/** Slowest decay tried for a short horizon; longer horizons go down to 0.4 / horizon. */
const MIN_DECAY = 0.02;
const DECAY_STEPS = 40;
/** Fits whose squared error is within this many σ² of the best are plausible (~χ²₁ at 84%). */
const PLAUSIBLE_SSE = 2;
/** Standard errors subtracted from a fit's prediction for the optimistic forecast. */
const OPTIMISM_Z = 1;
/** Second differences needed before the noise estimate is trusted; below it σ counts as 0. */
const MIN_DIFFERENCES = 10;

/**
 * Forecast at iteration `horizon` of a curve whose values at iterations 1..n are `losses` (lower is better),
 * given the reports' noise standard deviation `noiseSd`.
 */
export function forecastCurve(losses: readonly number[], horizon: number, noiseSd: number): Forecast {
  const n = losses.length;
  const last = losses[n - 1]!;
  if (n < 3) return { point: last, optimistic: last };
  const minDecay = Math.min(MIN_DECAY, 0.4 / horizon);
  const meanY = losses.reduce((s, y) => s + y, 0) / n;
  let bestSse = Infinity;
  let point = last;
  const fits: { sse: number; prediction: number; se: number }[] = [];
  for (let k = 0; k <= DECAY_STEPS; k++) {
    const c = minDecay * (MAX_DECAY / minDecay) ** (k / DECAY_STEPS);
    const x = Array.from({ length: n }, (_, i) => Math.exp(-c * (i + 1)));
    const meanX = x.reduce((s, v) => s + v, 0) / n;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      const dx = x[i]! - meanX;
      sxx += dx * dx;
      sxy += dx * (losses[i]! - meanY);
    }
    if (!(sxx > 0)) continue;
    const b = sxy / sxx;
    if (b < 0) continue; // a rising curve: not this model
    const a = meanY - b * meanX;
    let sse = 0;
    for (let i = 0; i < n; i++) sse += (a + b * x[i]! - losses[i]!) ** 2;
    const atHorizon = Math.exp(-c * horizon);
    const prediction = a + b * atHorizon;
    // Standard error of a simple regression's prediction at x = e^(−c·horizon).
    const se = noiseSd * Math.sqrt(1 / n + (atHorizon - meanX) ** 2 / sxx);
    fits.push({ sse, prediction, se });
    if (sse < bestSse) {
      bestSse = sse;
      point = prediction;
    }
  }
  if (fits.length === 0) return { point: last, optimistic: last };
  let optimistic = Infinity;
  for (const f of fits) {
    if (f.sse <= bestSse + PLAUSIBLE_SSE * noiseSd * noiseSd) optimistic = Math.min(optimistic, f.prediction - OPTIMISM_Z * f.se);
  }
  return { point, optimistic };
}

/**
 * The reports' noise standard deviation, pooled over curves: the median absolute second difference
 * (y[i−1] − 2y[i] + y[i+1]), which is 6σ² in variance for white noise and barely moved by a smooth curve,
 * scaled to a standard deviation. The median keeps a spike or a blow-up from inflating it. 0 until there
 * are enough differences to say.
 */
export function pooledNoiseSd(curves: Iterable<readonly number[]>): number {
  const differences: number[] = [];
  for (const y of curves) {
    for (let i = 1; i + 1 < y.length; i++) differences.push(Math.abs(y[i - 1]! - 2 * y[i]! + y[i + 1]!));
  }
  if (differences.length < MIN_DIFFERENCES) return 0;
  differences.sort((p, q) => p - q);
  const mid = differences.length >> 1;
  const median = differences.length % 2 === 1 ? differences[mid]! : (differences[mid - 1]! + differences[mid]!) / 2;
  // MAD to σ for a normal (0.6745), and √6 for the second difference's variance.
  return median / 0.6745 / Math.sqrt(6);
}

