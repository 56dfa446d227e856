/**
 * Asynchronous successive halving (ASHA, Li et al. 2020) as a stopping rule: every trial starts at the
 * bottom rung, min_resource * reduction_factor^min_early_stopping_rate, and goes on past each rung
 * (reduction_factor times further up) only while it is in the top 1/reduction_factor there.
 */
import { checkNumber, checkOptionalNumber } from "./options.js";
import { decideAtRung, type RungLadder } from "./rungs.js";
import type { PruneDecision, Pruner, PrunerContext } from "./types.js";

export interface AshaPrunerOptions {
  /** Step of the first rung (before minEarlyStoppingRate). Default 1. */
  readonly minResource?: number;
  /** Rungs are reductionFactor apart; the top 1/reductionFactor goes on. Default 3. */
  readonly reductionFactor?: number;
  /** Skip the first rungs: the lowest one is at minResource * reductionFactor^rate. Default 0. */
  readonly minEarlyStoppingRate?: number;
  /** Steps a full trial runs; rungs at or past it are not checked. Default: no limit. */
  readonly maxResource?: number;
  /** Trials (the judged one included) that must have reached a rung before it prunes. Default 1. */
  readonly minTrials?: number;
}

export class AshaPruner implements Pruner, RungLadder {
  readonly name = "asha";
  readonly minResource: number;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  readonly maxResource: number | undefined;
  readonly minTrials: number;

  constructor(options: AshaPrunerOptions = {}, path = "sweep.pruner") {
    this.minResource = checkNumber(`${path}.min_resource`, options.minResource ?? 1, { above: 0 });
    this.reductionFactor = checkNumber(`${path}.reduction_factor`, options.reductionFactor ?? 3, { above: 1 });
    this.minEarlyStoppingRate = checkNumber(`${path}.min_early_stopping_rate`, options.minEarlyStoppingRate ?? 0, {
      integer: true,
      min: 0,
    });
    this.maxResource = checkOptionalNumber(`${path}.max_resource`, options.maxResource, { above: this.minResource });
    this.minTrials = checkNumber(`${path}.min_trials`, options.minTrials ?? 1, { integer: true, min: 1 });
  }

  resource(rung: number): number | undefined {
    const resource = this.minResource * this.reductionFactor ** (this.minEarlyStoppingRate + rung);
    return this.maxResource !== undefined && resource >= this.maxResource ? undefined : resource;
  }

  decide(ctx: PrunerContext): PruneDecision {
    return decideAtRung(this, ctx.goal, ctx.trial, ctx.trials, "ASHA");
  }
}
