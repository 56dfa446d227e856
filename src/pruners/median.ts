/**
 * The median rule (Golovin et al.'s median stopping rule, Optuna's MedianPruner): a trial whose value at
 * its latest step is worse than the median of the other trials' values at that same step is stopped.
 *
 * "Other trials" are all trials but the judged one that reported a finite value at exactly that step and
 * did not fail — completed, pruned and still running ones alike. Counting running trials lets a parallel
 * sweep prune before anything has completed; counting pruned ones keeps the early, crowded steps honest.
 */
import { formatValue, fromLoss, lossCurve, median, worseWord } from "./curve.js";
import { checkNumber } from "./options.js";
import type { PruneDecision, Pruner, PrunerContext } from "./types.js";

export interface MedianPrunerOptions {
  /** No pruning before this step (a trial's step must be >= warmupSteps). Default 0. */
  readonly warmupSteps?: number;
  /** At least this many other trials must have a value at the step before it is judged. Default 5. */
  readonly minTrials?: number;
}

export class MedianPruner implements Pruner {
  readonly name = "median";
  readonly warmupSteps: number;
  readonly minTrials: number;

  constructor(options: MedianPrunerOptions = {}, path = "sweep.pruner") {
    this.warmupSteps = checkNumber(`${path}.warmup_steps`, options.warmupSteps ?? 0, { integer: true, min: 0 });
    this.minTrials = checkNumber(`${path}.min_trials`, options.minTrials ?? 5, { integer: true, min: 1 });
  }

  decide(ctx: PrunerContext): PruneDecision {
    const own = lossCurve(ctx.trial, ctx.goal);
    const latest = own[own.length - 1];
    if (latest === undefined || latest.step < this.warmupSteps) return { prune: false };

    const others: number[] = [];
    for (const t of ctx.trials) {
      if (t.number === ctx.trial.number || t.status === "failed") continue;
      const point = lossCurve(t, ctx.goal).find((p) => p.step === latest.step);
      if (point !== undefined) others.push(point.loss);
    }
    if (others.length < this.minTrials) return { prune: false, step: latest.step };

    const threshold = median(others);
    const shownThreshold = fromLoss(ctx.goal, threshold);
    if (!(latest.loss > threshold)) return { prune: false, step: latest.step, threshold: shownThreshold };
    return {
      prune: true,
      step: latest.step,
      threshold: shownThreshold,
      reason:
        `median rule at step ${latest.step}: value ${formatValue(fromLoss(ctx.goal, latest.loss))} is ` +
        `${worseWord(ctx.goal)} the median ${formatValue(shownThreshold)} of ${others.length} other trials`,
    };
  }
}
