/**
 * The pruner contract: decide from stored history alone whether a running trial should stop, so a
 * decision is the same in any process and after a resume. Used by the runner (on reported metrics) and by
 * library users in-process (`shouldPrune()`).
 */
import type { Goal } from "../config/types.js";
import type { TrialView } from "../samplers/types.js";

export interface PrunerContext {
  readonly goal: Goal;
  /** The trial being judged (status running). */
  readonly trial: TrialView;
  /** Every trial of the sweep, the judged one included. */
  readonly trials: readonly TrialView[];
}

export interface PruneDecision {
  readonly prune: boolean;
  /** Which rule decided, e.g. "hyperband band 2 (iteration 15)". Shown in `sweep show`. */
  readonly reason?: string;
  readonly step?: number;
  readonly threshold?: number;
}

export interface Pruner {
  readonly name: string;
  decide(ctx: PrunerContext): PruneDecision;
}

/** Never prunes: the default when a sweep has no `early_terminate`. */
export const noPruner: Pruner = {
  name: "none",
  decide: () => ({ prune: false }),
};
