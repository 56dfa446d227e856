/**
 * W&B's `early_terminate: {type: hyperband}` with W&B's bands and thresholds (wandb/sweeps
 * `hyperband_stop_runs`); with `keepSlowStarters: false` a sweep moved from W&B stops exactly the same runs
 * here, and by default some of the runs W&B would stop go on (below):
 *
 * - An iteration is the n-th logged (finite) value of the sweep metric, not the step number.
 * - The bands — the iterations at which runs are checked — are `int(min_iter * eta^k)` for k = 0, 1, …, or
 *   with `max_iter` the values `int(max_iter / eta^k)` for k = 1..s that are >= 1, ascending.
 * - A running trial is judged at the highest band it has reached. The threshold of band b is taken over
 *   every trial (any status, the judged one included) with at least b values: their b-th values sorted
 *   best first, the one at index `floor(n / eta)`.
 * - strict (default): the trial's b-th value is compared; lenient: its best value so far. Strictly worse
 *   than the threshold means stop. Ties continue.
 *
 * A trial stays at its band until it reaches the next one and is judged again at every report, against a
 * threshold that moves as more trials reach that band — as W&B's controller does on each poll.
 *
 * Keeping slow starters (on by default; `keepSlowStarters: false` is W&B's rule exactly): a trial that W&B's
 * rule would stop goes on when (1) its trial number deals it a later first band, as Hyperband's brackets do
 * (`skippedBands`), or (2) it is no worse at the band than the best completed trial was there. Early bands
 * judge runs that warm up or start late before their curves cross; without (1) no slow starter ever
 * finishes, and (2) lets every run that starts like the best one so far finish (docs/early-termination.md).
 *
 * Forecasts (on by default with (1) and (2); `forecast: false` turns them off): from the band at
 * iteration 3 on, once a trial has completed, trials are compared on where their curves are heading rather
 * than on their value at the band (forecast.ts): the threshold is the top 1/eta of every trial's forecast
 * of its final value from its first b values, the judged trial is stopped only when even its optimistic
 * forecast is behind that threshold and behind the best completed trial's final value, and (1) still holds.
 */
import type { EarlyTerminateSpec, Goal } from "../config/types.js";
import type { TrialView } from "../samplers/types.js";
import { formatValue, fromLoss, lossCurve, toLoss, worseWord, type LossPoint } from "./curve.js";
import { forecastCurve, pooledNoiseSd } from "./forecast.js";
import { PrunerConfigError, checkBoolean, checkNumber, checkOptionalNumber, quote } from "./options.js";
import type { PruneDecision, Pruner, PrunerContext } from "./types.js";

export interface WandbHyperbandOptions {
  /** First band; bands follow at min_iter * eta^k. Ignored when maxIter is given (as in W&B). */
  readonly minIter?: number;
  /** Bands are maxIter / eta^k for k = 1..s (those >= 1). */
  readonly maxIter?: number;
  /** Default 3. */
  readonly eta?: number;
  /** Number of bands below maxIter. Default with maxIter: floor(log_eta(maxIter)), i.e. every band >= 1. */
  readonly s?: number;
  /** Default true. */
  readonly strict?: boolean;
  /**
   * Keep slow starters (default true): some trials skip the lowest bands, and a trial behind a band's
   * threshold goes on while it is no worse there than the best completed trial was. false: W&B's rule exactly.
   */
  readonly keepSlowStarters?: boolean;
  /**
   * Judge trials by a forecast of their final value from the band at iteration 3 on (default: the same as
   * keepSlowStarters). Needs keepSlowStarters; false keeps the value comparison at every band.
   */
  readonly forecast?: boolean;
}

/** How many of the latest trials' curves the noise estimate reads. */
const NOISE_SAMPLE_TRIALS = 256;

/** The first band at which a curve has enough values to show its bend. */
export const FORECAST_FROM_ITERATION = 3;

/** W&B computes 100 bands from min_iter; any past this size can never be reached by a real history. */
const MAX_MIN_ITER_BANDS = 100;

export class WandbHyperbandPruner implements Pruner {
  readonly name = "wandb-hyperband";
  readonly eta: number;
  readonly strict: boolean;
  readonly keepSlowStarters: boolean;
  readonly forecast: boolean;
  private readonly pointForecasts = new PointForecastCache();
  /** Iterations (1-based counts of logged values) at which trials are checked, ascending. */
  readonly bands: readonly number[];
  /** The options as given, so a sweep can store them and every process that loads it builds the same pruner. */
  readonly options: WandbHyperbandOptions;

  constructor(options: WandbHyperbandOptions, path = "early_terminate") {
    this.options = { ...options };
    this.eta = options.eta === undefined ? 3 : checkNumber(`${path}.eta`, options.eta, { above: 1 });
    this.strict = options.strict === undefined ? true : checkBoolean(`${path}.strict`, options.strict);
    this.keepSlowStarters = options.keepSlowStarters === undefined ? true : checkBoolean(`${path}.keep_slow_starters`, options.keepSlowStarters);
    this.forecast = options.forecast === undefined ? this.keepSlowStarters : checkBoolean(`${path}.forecast`, options.forecast);
    if (this.forecast && !this.keepSlowStarters) {
      throw new PrunerConfigError(`${path}.forecast`, "false or no forecast key beside keep_slow_starters: false (W&B's exact rule has no forecasts)", "true");
    }
    this.bands = wandbHyperbandBands(options, path);
  }

  /** From the validated `early_terminate` block of a sweep config. */
  static fromSpec(spec: EarlyTerminateSpec, path = "early_terminate"): WandbHyperbandPruner {
    return new WandbHyperbandPruner(
      { minIter: spec.min_iter, maxIter: spec.max_iter, eta: spec.eta, s: spec.s, strict: spec.strict },
      path,
    );
  }

  decide(ctx: PrunerContext): PruneDecision {
    const own = lossCurve(ctx.trial, ctx.goal);
    const bandIndex = highestBandReached(this.bands, own.length);
    if (bandIndex < 0) return { prune: false };
    const band = this.bands[bandIndex]!;
    if (this.forecast && band >= FORECAST_FROM_ITERATION) {
      // Every trial's curve, read once: for the horizon, the noise and the forecasts at the band.
      const curves = ctx.trials.map((t) => lossCurve(t, ctx.goal).map((p) => p.loss));
      const horizon = longestCompleted(ctx.trials, curves);
      // Forecast at least to the band itself, should the completed trials have logged fewer values.
      if (horizon > 0) return this.decideByForecast(ctx, curves, own, bandIndex, band, Math.max(horizon, band));
    }

    const atBand: number[] = [];
    for (const t of ctx.trials) {
      const curve = lossCurve(t, ctx.goal);
      if (curve.length >= band) atBand.push(curve[band - 1]!.loss);
    }
    atBand.sort((a, b) => a - b);
    // Same float arithmetic as W&B's `sorted(values)[int(r * len(values))]` with r = 1.0 / eta.
    const threshold = atBand[Math.floor((1 / this.eta) * atBand.length)]!;
    const judged = this.strict ? own[band - 1]!.loss : Math.min(...own.map((p) => p.loss));
    const step = own[own.length - 1]!.step;
    const shownThreshold = fromLoss(ctx.goal, threshold);
    if (!(judged > threshold)) return { prune: false, step, threshold: shownThreshold };
    let behindBest = "";
    if (this.keepSlowStarters) {
      if (bandIndex < skippedBands(ctx.trial.number, this.eta)) return { prune: false, step, threshold: shownThreshold };
      const incumbent = incumbentAt(ctx.trials, ctx.goal, band, this.strict);
      if (incumbent !== undefined && !(judged > incumbent)) return { prune: false, step, threshold: shownThreshold };
      // Said in the reason: a slow starter goes on while it keeps up with the best completed trial.
      if (incumbent !== undefined) behindBest = `, and ${worseWord(ctx.goal)} the best completed trial's ${formatValue(fromLoss(ctx.goal, incumbent))} there`;
    }
    return {
      prune: true,
      step,
      threshold: shownThreshold,
      reason:
        `W&B hyperband band ${bandIndex + 1} (iteration ${band}): ` +
        `${this.strict ? `value at iteration ${band}` : "best value so far"} ${formatValue(fromLoss(ctx.goal, judged))} ` +
        `is ${worseWord(ctx.goal)} the threshold ${formatValue(shownThreshold)} ` +
        `(top 1/${formatValue(this.eta)} of ${atBand.length} trials at that iteration)${behindBest}`,
    };
  }

  /**
   * The band's decision on forecasts of the final value (iteration `horizon`, the longest completed
   * curve): every trial that reached the band is forecast from its first `band` values, the threshold is
   * W&B's quantile of those point forecasts, and the judged trial, on its optimistic forecast, must be
   * behind the threshold and behind the best completed trial's final value to stop.
   */
  private decideByForecast(
    ctx: PrunerContext,
    curves: readonly (readonly number[])[],
    own: readonly LossPoint[],
    bandIndex: number,
    band: number,
    horizon: number,
  ): PruneDecision {
    // The noise level from the latest trials' curves: as good an estimate, at a cost that does not grow with the sweep.
    const noise = pooledNoiseSd(curves.slice(-NOISE_SAMPLE_TRIALS));
    const judged = forecastCurve(own.slice(0, band).map((p) => p.loss), horizon, noise).optimistic;
    const step = own[own.length - 1]!.step;
    // The cheap reasons to go on first; the threshold needs a forecast of every trial at the band.
    if (bandIndex < skippedBands(ctx.trial.number, this.eta)) return { prune: false, step };
    const best = bestCompleted(ctx.trials, ctx.goal)?.loss ?? Infinity;
    if (!(judged > best)) return { prune: false, step };
    const forecasts: number[] = [];
    ctx.trials.forEach((t, i) => {
      if (curves[i]!.length >= band) forecasts.push(this.pointForecasts.get(t.number, curves[i]!.slice(0, band), horizon));
    });
    forecasts.sort((a, b) => a - b);
    const threshold = forecasts[Math.floor((1 / this.eta) * forecasts.length)]!;
    const shownThreshold = fromLoss(ctx.goal, threshold);
    if (!(judged > threshold)) return { prune: false, step, threshold: shownThreshold };
    return {
      prune: true,
      step,
      threshold: shownThreshold,
      reason:
        `W&B hyperband band ${bandIndex + 1} (iteration ${band}): forecast of the value at iteration ${horizon} ` +
        `${formatValue(fromLoss(ctx.goal, judged))} at best is ${worseWord(ctx.goal)} the threshold ${formatValue(shownThreshold)} ` +
        `(top 1/${formatValue(this.eta)} of ${forecasts.length} trials' forecasts from ${band} values), ` +
        `and ${worseWord(ctx.goal)} the best completed trial's final ${formatValue(fromLoss(ctx.goal, best))}`,
    };
  }
}

/**
 * Point forecasts by trial, remembered: a trial's first b values never change once logged, and every
 * decision at band b needs the forecast of every trial there (without this, each report costs a fit per
 * trial of the sweep). An entry is used only when its values are the ones asked about, so a pruner reused
 * across sweeps, or a trial re-run after a resume, is never answered from another curve.
 */
class PointForecastCache {
  private readonly entries = new Map<string, { readonly values: readonly number[]; readonly point: number }>();

  get(trialNumber: number, values: readonly number[], horizon: number): number {
    const key = `${trialNumber}:${values.length}:${horizon}`;
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.values.every((v, i) => v === values[i])) return hit.point;
    // The point forecast does not depend on the noise level: only the optimistic one does.
    const point = forecastCurve(values, horizon, 0).point;
    this.entries.set(key, { values, point });
    return point;
  }
}

/** The most values any completed trial logged: how long a full trial is, as far as the sweep knows. */
function longestCompleted(trials: readonly TrialView[], curves: readonly (readonly number[])[]): number {
  let longest = 0;
  trials.forEach((t, i) => {
    if (t.status === "completed") longest = Math.max(longest, curves[i]!.length);
  });
  return longest;
}

/**
 * The bands as W&B computes them, with the same float arithmetic (repeated multiplication or division by
 * eta, then truncation), so e.g. min_iter 5, eta 3 gives 5, 15, 45, 135, … and max_iter 81, eta 3, s 3
 * gives 3, 9, 27.
 */
export function wandbHyperbandBands(options: WandbHyperbandOptions, path = "early_terminate"): number[] {
  const eta = options.eta === undefined ? 3 : checkNumber(`${path}.eta`, options.eta, { above: 1 });
  const minIter = checkOptionalNumber(`${path}.min_iter`, options.minIter, { integer: true, min: 1 });
  const maxIter = checkOptionalNumber(`${path}.max_iter`, options.maxIter, { integer: true, min: 1 });
  if (minIter === undefined && maxIter === undefined) {
    throw new PrunerConfigError(path, '"min_iter" or "max_iter"', "neither");
  }
  const bands: number[] = [];
  // With both, max_iter wins, as in W&B's code (its schema accepts both).
  if (maxIter === undefined && minIter !== undefined) {
    let band = minIter;
    for (let i = 0; i < MAX_MIN_ITER_BANDS && band <= Number.MAX_SAFE_INTEGER; i++) {
      bands.push(Math.trunc(band));
      band *= eta;
    }
    return bands;
  }
  const s = options.s === undefined ? defaultS(maxIter!, eta) : checkNumber(`${path}.s`, options.s, { integer: true, min: 1 });
  let band = maxIter!;
  for (let i = 0; i < s; i++) {
    band /= eta;
    if (band < 1) break;
    bands.push(Math.trunc(band));
  }
  if (bands.length === 0) {
    throw new PrunerConfigError(`${path}.max_iter`, `max_iter >= eta (${formatValue(eta)}), so that one band is >= 1`, quote(maxIter));
  }
  return bands.sort((a, b) => a - b);
}

/**
 * W&B's schema asks for `s` beside `max_iter` but its code reads `s` unconditionally, so a file without it
 * crashes there. We take Li et al.'s s_max = floor(log_eta(max_iter)): every band max_iter / eta^k that is
 * still >= 1 — the full Hyperband, and the most any `s` can give. Counted by division, as the bands are,
 * to avoid log rounding (log(243)/log(3) is 4.999…).
 */
export function defaultS(maxIter: number, eta: number): number {
  let s = 0;
  for (let band = maxIter / eta; band >= 1; band /= eta) s++;
  return Math.max(s, 1);
}

/**
 * How many of the lowest bands trial `number` skips: one for every factor m = round(eta) (at least 2) in
 * number + 1, as Hyperband's brackets (Li et al., 2018) deal trials — with eta 3, trials 2, 5, 8, … skip the
 * first band (a third of all trials), trials 8, 17, 26, … at least the first two (a ninth), and so on.
 */
export function skippedBands(number: number, eta: number): number {
  const m = Math.max(2, Math.round(eta));
  let skipped = 0;
  for (let rest = number + 1; rest % m === 0 && skipped < MAX_MIN_ITER_BANDS; rest /= m) skipped++;
  return skipped;
}

/**
 * The best completed trial's loss at `band` (its band-th value; strict: that value, lenient: its best up to
 * there), or undefined when no completed trial logged that many values. "Best" is by final value.
 */
function incumbentAt(trials: readonly TrialView[], goal: Goal, band: number, strict: boolean): number | undefined {
  const best = bestCompleted(trials, goal);
  if (best === undefined) return undefined;
  const curve = lossCurve(best.trial, goal);
  if (curve.length < band) return undefined;
  return strict ? curve[band - 1]!.loss : Math.min(...curve.slice(0, band).map((p) => p.loss));
}

/** The completed trial with the best finite final value, and that value as a loss; undefined when none. */
function bestCompleted(trials: readonly TrialView[], goal: Goal): { readonly trial: TrialView; readonly loss: number } | undefined {
  let best: { trial: TrialView; loss: number } | undefined;
  for (const t of trials) {
    if (t.status !== "completed" || t.value === null || !Number.isFinite(t.value)) continue;
    const loss = toLoss(goal, t.value);
    if (best === undefined || loss < best.loss) best = { trial: t, loss };
  }
  return best;
}

/** Index of the highest band <= the number of values logged, or -1 when not even the first is reached. */
function highestBandReached(bands: readonly number[], logged: number): number {
  let index = -1;
  for (let i = 0; i < bands.length && bands[i]! <= logged; i++) index = i;
  return index;
}
