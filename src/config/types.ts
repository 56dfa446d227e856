/**
 * A sweep file after validation, with every default written in (schema-first, as wandb/sweeps does it), so
 * no algorithm downstream has to guess a default.
 */
import type { SearchSpace } from "../space/types.js";

export type Method = "random" | "grid" | "bayes";
export type Goal = "minimize" | "maximize";

export interface MetricSpec {
  readonly name: string;
  readonly goal: Goal;
  readonly target?: number;
}

/** W&B's `early_terminate` block, defaults filled (eta 3, strict true). */
export interface EarlyTerminateSpec {
  readonly type: "hyperband";
  readonly min_iter?: number;
  readonly max_iter?: number;
  readonly eta: number;
  readonly s?: number;
  readonly strict: boolean;
}

/** Our own settings, from the `sweep:` block of the sweep file (snake_case there) and from CLI flags. */
export interface SweepSettings {
  /** Seed for every random choice of the sweep; omitted = a random seed chosen once and stored. */
  readonly seed?: number;
  /** Storage location: a SQLite file path (default `storage/sweeps.db`) or `:memory:`. */
  readonly storage?: string;
  /** GPU selection, e.g. "0,2,3" or "all" (default: all visible). */
  readonly gpus?: string;
  readonly trialsPerGpu?: number;
  readonly gpusPerTrial?: number;
  /** CPU slots when there is no GPU. */
  readonly parallel?: number;
  /** Seconds before a trial is stopped; omitted = no limit. */
  readonly trialTimeout?: number;
  /** How many times a failed trial is re-run. */
  readonly maxRetries?: number;
  /** Which reported value of the metric is the trial's objective. */
  readonly objective?: "last" | "best";
  /** Sampler options (`type: tpe` or `gp` and that sampler's options), passed through to the sampler as written. */
  readonly sampler?: Readonly<Record<string, unknown>>;
  /** Pruner selection and options (median, asha, hyperband, wandb_hyperband, none), passed through as written. */
  readonly pruner?: Readonly<Record<string, unknown>>;
  /** Put the `wandb` compatibility module (clients/python/wandb_shim) first on trainers' PYTHONPATH. */
  readonly wandbShim?: boolean;
  /** Per-model resources (`sweep.resources`): the first rule matching a trial's parameters sets its GPUs. */
  readonly resources?: readonly ResourceRule[];
}

/** A parameter value a resource rule can match. */
export type ResourceValue = string | number | boolean | null;

/** One `sweep.resources` rule (config/resources.ts); what it leaves out comes from the sweep's settings. */
export interface ResourceRule {
  /** Flat (dotted) parameter name -> the values that match; every name must match. */
  readonly when: Readonly<Record<string, readonly ResourceValue[]>>;
  readonly gpusPerTrial?: number;
  readonly trialsPerGpu?: number;
}

export interface SweepConfig {
  readonly name?: string;
  readonly description?: string;
  readonly project?: string;
  readonly entity?: string;
  readonly method: Method;
  readonly metric?: MetricSpec;
  /** The `parameters` block as written (validated); the resolved form is `ResolvedSweep.space`. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly program?: string;
  /** W&B command template, list of tokens with macros such as `${env}` `${args}`. */
  readonly command?: readonly string[];
  readonly early_terminate?: EarlyTerminateSpec;
  readonly run_cap?: number;
  readonly sweep: SweepSettings;
}

export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly file?: string;
  /** 1-based. */
  readonly line?: number;
  /** 1-based. */
  readonly column?: number;
  /** Key path such as `parameters.lr.min`; "" for the document root. */
  readonly path: string;
  readonly message: string;
  readonly expected?: string;
  readonly found?: string;
  /** A did-you-mean suggestion for misspelt keys. */
  readonly suggestion?: string;
}

export interface ResolvedSweep {
  readonly config: SweepConfig;
  readonly space: SearchSpace;
  readonly warnings: readonly Diagnostic[];
  /** The source text as written. */
  readonly raw: string;
  readonly file?: string;
}
