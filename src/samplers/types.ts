/**
 * The sampler contract: a pure function from the sweep's history to the next point.
 *
 * Pure on purpose (as wandb/sweeps' `next_runs`): it runs inside the storage's write lock, so agents in
 * several processes always propose from the same, current history, and a resumed sweep proposes exactly
 * what the original would have.
 */
import type { Goal } from "../config/types.js";
import type { FlatParams, Rng, SearchSpace } from "../space/types.js";
import type { TrialStatus } from "../storage/types.js";

/** What a sampler knows of one earlier trial. */
export interface TrialView {
  readonly number: number;
  readonly status: TrialStatus;
  readonly params: FlatParams;
  readonly meta: Readonly<Record<string, unknown>>;
  /** Final objective value (completed trials), else null. */
  readonly value: number | null;
  /** Reported objective-metric values of the current attempt, by step ascending. */
  readonly intermediate: readonly { readonly step: number; readonly value: number }[];
}

export interface SamplerContext {
  readonly space: SearchSpace;
  /** Absent when the sweep has no metric (random and grid do not need one). */
  readonly goal?: Goal;
  readonly trials: readonly TrialView[];
  /** Seeded from the sweep seed and `trialNumber`, so a suggestion does not depend on which process asks. */
  readonly rng: Rng;
  readonly trialNumber: number;
}

export type Suggestion =
  | { readonly params: FlatParams; readonly meta?: Record<string, unknown> }
  | { readonly exhausted: true; readonly reason: string };

export interface Sampler {
  readonly name: string;
  /**
   * True for a sampler that models the parameters together (the GP, multivariate TPE). Define-by-run parameters that every
   * completed trial has, each with one and the same distribution, are then proposed together, once per
   * trial, as a declared space would be, rather than one one-parameter space per `suggest` call.
   */
  readonly joint?: boolean;
  suggest(ctx: SamplerContext): Suggestion;
}
