/**
 * Hyperband with several brackets as in Li et al. (2018), run asynchronously. With R = max_resource,
 * eta = reduction_factor and s_max = floor(log_eta(R / min_resource)), bracket s (s = 0..s_max) halves s
 * times: its rungs sit at R / eta^s, R / eta^(s-1), …, R / eta, and the top 1/eta of the bracket's trials
 * at a rung go on. Bracket s_max is the most aggressive; bracket 0 runs its trials to R unchecked, the
 * hedge that protects slow starters.
 *
 * A trial's bracket is a function of its number alone, so it is the same in every process and after a
 * resume. Trials are dealt to brackets in the proportions of one Hyperband iteration — bracket s starts
 * ceil((s_max + 1) / (s + 1) * eta^s) trials — interleaved evenly rather than in blocks, so that a short
 * sweep still sees every bracket. Trials compete only with trials of their own bracket.
 */
import { PrunerConfigError, checkNumber, quote } from "./options.js";
import { decideAtRung, type RungLadder } from "./rungs.js";
import type { PruneDecision, Pruner, PrunerContext } from "./types.js";

export interface HyperbandPrunerOptions {
  /** The lowest rung any bracket may have: fixes s_max. Default 1. */
  readonly minResource?: number;
  /** Steps a full trial runs (R). Required. */
  readonly maxResource: number;
  /** eta. Default 3. */
  readonly reductionFactor?: number;
  /** Per bracket: trials (the judged one included) that must have reached a rung before it prunes. Default 1. */
  readonly minTrials?: number;
}

export class HyperbandPruner implements Pruner {
  readonly name = "hyperband";
  readonly minResource: number;
  readonly maxResource: number;
  readonly reductionFactor: number;
  readonly minTrials: number;
  /** The most aggressive bracket's number of halvings, floor(log_eta(R / min_resource)). */
  readonly sMax: number;
  /** Trial number modulo this pattern's length gives the trial's bracket. */
  readonly allocation: readonly number[];
  private readonly ladders: readonly RungLadder[];

  constructor(options: HyperbandPrunerOptions, path = "sweep.pruner") {
    this.minResource = checkNumber(`${path}.min_resource`, options.minResource ?? 1, { above: 0 });
    if (options.maxResource === undefined) {
      throw new PrunerConfigError(`${path}.max_resource`, "a number > min_resource: the steps a full trial runs", "nothing");
    }
    this.maxResource = checkNumber(`${path}.max_resource`, options.maxResource, { above: this.minResource });
    this.reductionFactor = checkNumber(`${path}.reduction_factor`, options.reductionFactor ?? 3, { above: 1 });
    this.minTrials = checkNumber(`${path}.min_trials`, options.minTrials ?? 1, { integer: true, min: 1 });
    this.sMax = halvingsBetween(this.minResource, this.maxResource, this.reductionFactor);
    if (this.sMax < 1) {
      const needed = this.minResource * this.reductionFactor;
      throw new PrunerConfigError(`${path}.max_resource`, `a number >= min_resource * reduction_factor (${needed}), for one halving`, quote(this.maxResource));
    }
    this.ladders = Array.from({ length: this.sMax + 1 }, (_, s) => this.ladder(s));
    this.allocation = interleave(this.ladders.map((_, s) => trialsInBracket(this.sMax, s, this.reductionFactor)));
  }

  /** The bracket (its number of halvings s; s_max is the most aggressive) of a trial, from its number alone. */
  bracketOf(trialNumber: number): number {
    return this.allocation[trialNumber % this.allocation.length]!;
  }

  /** The steps at which bracket s checks its trials, ascending. */
  rungsOf(bracket: number): number[] {
    const ladder = this.ladders[bracket];
    const rungs: number[] = [];
    for (let k = 0; ladder?.resource(k) !== undefined; k++) rungs.push(ladder.resource(k)!);
    return rungs;
  }

  decide(ctx: PrunerContext): PruneDecision {
    const bracket = this.bracketOf(ctx.trial.number);
    const sameBracket = ctx.trials.filter((t) => this.bracketOf(t.number) === bracket);
    return decideAtRung(this.ladders[bracket]!, ctx.goal, ctx.trial, sameBracket, `hyperband bracket s=${bracket}`);
  }

  private ladder(halvings: number): RungLadder {
    const { maxResource, reductionFactor, minTrials } = this;
    return {
      reductionFactor,
      minTrials,
      resource: (rung) => (rung < halvings ? maxResource / reductionFactor ** (halvings - rung) : undefined),
    };
  }
}

/** How many times R can be divided by eta staying >= min (by repeated multiplication: no log rounding). */
function halvingsBetween(minResource: number, maxResource: number, reductionFactor: number): number {
  let halvings = 0;
  for (let r = minResource * reductionFactor; r <= maxResource; r *= reductionFactor) halvings++;
  return halvings;
}

/** Li et al.'s trials for the bracket with s halvings: ceil((s_max + 1) / (s + 1) * eta^s). */
function trialsInBracket(sMax: number, s: number, eta: number): number {
  return Math.ceil(((sMax + 1) / (s + 1)) * eta ** s);
}

/**
 * A sequence holding index i exactly weights[i] times, spread evenly (smooth weighted round-robin: each
 * turn every index gains its weight, the richest is picked and pays the total; ties go to the lower index).
 */
export function interleave(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const credit = weights.map(() => 0);
  const order: number[] = [];
  for (let turn = 0; turn < total; turn++) {
    let pick = 0;
    for (let i = 0; i < weights.length; i++) {
      credit[i]! += weights[i]!;
      if (credit[i]! > credit[pick]!) pick = i;
    }
    credit[pick]! -= total;
    order.push(pick);
  }
  return order;
}
