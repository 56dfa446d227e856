/**
 * The sweep file as TypeScript types, for configs written as objects in code (`createSweep({config})`,
 * `defineSweepConfig`): the keys a sweep file may hold (src/config/keys.ts, docs/sweep-file.md), each
 * distribution as one member of a union discriminated by `distribution`, and `TrialConfigOf`, the type of
 * `trial.config` a literal config produces.
 *
 * These types only catch what a compiler can see (a misspelt method, a key a distribution does not read).
 * The validator (parseSweepConfig) still checks everything at run time, with the same messages as for a
 * file: bounds ordered, probabilities summing to 1, integers where integers are needed.
 */
import type { Goal, Method, ResourceValue } from "./types.js";

/** `value: V` (or `distribution: constant`): always V. */
export interface ConstantInput<V = unknown> {
  readonly distribution?: "constant";
  readonly value: V;
}

/** `values: [...]` (or `distribution: categorical`): one of the values, optionally weighted. */
export interface CategoricalInput<V = unknown> {
  readonly distribution?: "categorical" | "categorical_w_probabilities";
  readonly values: readonly V[];
  /** One per value, summing to 1. */
  readonly probabilities?: readonly number[];
}

/**
 * `min`/`max`. Without `distribution`, whole-number bounds sample integers (int_uniform, with a warning from
 * an object: see CreateSweepOptions.config) and others reals (uniform), as W&B infers from Python ints.
 */
export interface RangeInput {
  readonly distribution?: "int_uniform" | "uniform";
  readonly min: number;
  readonly max: number;
}

/**
 * Log-scaled ranges. `log_uniform` and `inv_log_uniform` take natural-log exponents as bounds; the
 * `_values` kinds take the values themselves (min > 0).
 */
export interface LogRangeInput {
  readonly distribution: "log_uniform" | "log_uniform_values" | "inv_log_uniform" | "inv_log_uniform_values";
  readonly min: number;
  readonly max: number;
}

/** Quantised ranges: samples rounded to multiples of `q` (default 1). */
export interface QuantizedRangeInput {
  readonly distribution: "q_uniform" | "q_log_uniform" | "q_log_uniform_values";
  readonly min: number;
  readonly max: number;
  readonly q?: number;
}

/** Normal and log-normal (mu 0, sigma 1 by default). */
export interface NormalInput {
  readonly distribution: "normal" | "log_normal";
  readonly mu?: number;
  readonly sigma?: number;
}

/** Quantised normal and log-normal. */
export interface QuantizedNormalInput {
  readonly distribution: "q_normal" | "q_log_normal";
  readonly mu?: number;
  readonly sigma?: number;
  readonly q?: number;
}

/** Beta(a, b) on [0, 1] (a and b 1 by default). */
export interface BetaInput {
  readonly distribution: "beta";
  readonly a?: number;
  readonly b?: number;
}

/** Every key a parameter may hold (src/config/keys.ts, PARAMETER_KEYS). */
type ParameterKey = "distribution" | "value" | "values" | "probabilities" | "min" | "max" | "q" | "mu" | "sigma" | "a" | "b" | "parameters";

/**
 * T, with the parameter keys T does not read marked absent: a config passed through a generic (as to
 * `defineSweepConfig`) gets no excess-property check, so without this `{distribution: "normal", min: 0}`
 * would type-check although normal reads no `min`.
 */
export type Exclusive<T> = T & { readonly [K in Exclude<ParameterKey, keyof T>]?: never };

/** One leaf parameter: every distribution of a W&B sweep file we support (docs/sweep-file.md). */
export type DistributionInput<V = unknown> =
  | Exclusive<ConstantInput<V>>
  | Exclusive<CategoricalInput<V>>
  | Exclusive<RangeInput>
  | Exclusive<LogRangeInput>
  | Exclusive<QuantizedRangeInput>
  | Exclusive<NormalInput>
  | Exclusive<QuantizedNormalInput>
  | Exclusive<BetaInput>;

/** Nested parameters: the trial config gets a nested object. */
export interface NestedParametersInput {
  readonly parameters: ParametersInput;
}

export type ParameterInput = DistributionInput | Exclusive<NestedParametersInput>;

export type ParametersInput = { readonly [name: string]: ParameterInput };

export interface MetricInput {
  /** As the trainer reports it (e.g. val_loss). */
  readonly name: string;
  /** Default minimize. */
  readonly goal?: Goal;
  /** Stop the sweep once a trial reaches this value. */
  readonly target?: number;
  /** W&B-only; accepted and ignored (with a warning). */
  readonly impute?: unknown;
  /** W&B-only; accepted and ignored (with a warning). */
  readonly impute_while_running?: unknown;
}

/** W&B's `early_terminate` block: hyperband, with either `min_iter` or `max_iter` and `s`. */
export interface EarlyTerminateInput {
  readonly type: "hyperband";
  readonly min_iter?: number;
  readonly max_iter?: number;
  readonly s?: number;
  /** Default 3. */
  readonly eta?: number;
  /** Default true. */
  readonly strict?: boolean;
}

/** Our own `sweep:` block (docs/sweep-file.md), snake_case as in the file. */
export interface SweepBlockInput {
  readonly seed?: number;
  readonly storage?: string;
  /** "all", "0,2,3", an index, or a list of indices. */
  readonly gpus?: string | number | readonly number[];
  readonly trials_per_gpu?: number;
  readonly gpus_per_trial?: number;
  readonly parallel?: number;
  /** Seconds, or a duration such as "90s", "30m", "2h", "1h30m". */
  readonly trial_timeout?: number | string;
  readonly max_retries?: number;
  readonly objective?: "last" | "best";
  /** Sampler options (`type: tpe` or `gp` and that sampler's options), passed to the sampler as written (docs/tpe.md, docs/samplers.md). */
  readonly sampler?: { readonly [key: string]: unknown };
  /** Pruner selection and options (docs/early-termination.md). */
  readonly pruner?: { readonly [key: string]: unknown };
  readonly wandb_shim?: boolean;
  /** Per-model resources: the first rule whose `when` matches a trial's parameters sets its GPUs. */
  readonly resources?: readonly ResourceRuleInput[];
}

/** One `sweep.resources` rule, as in the file (docs/sweep-file.md, "Per-model resources"). */
export interface ResourceRuleInput {
  /** Parameter name (dotted for nested ones) -> a value or a list of values. */
  readonly when: { readonly [parameter: string]: ResourceValue | readonly ResourceValue[] };
  readonly gpus_per_trial?: number;
  readonly trials_per_gpu?: number;
}

/** A sweep file as an object. */
export interface SweepConfigInput {
  readonly method: Method;
  readonly metric?: MetricInput;
  /** Required in a sweep file; a library sweep may leave it out and define its space as it runs (`trial.suggestFloat`). */
  readonly parameters?: ParametersInput;
  readonly name?: string;
  readonly description?: string;
  readonly project?: string;
  readonly entity?: string;
  readonly program?: string;
  /** W&B command template, e.g. `["${env}", "python", "${program}", "${args}"]`. */
  readonly command?: readonly string[];
  readonly early_terminate?: EarlyTerminateInput;
  readonly run_cap?: number;
  readonly sweep?: SweepBlockInput;
  /** W&B-only top-level keys; accepted and ignored (with a warning). */
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly controller?: unknown;
  readonly job?: unknown;
  readonly image_uri?: unknown;
}

/** The value a trial gets for one parameter. */
export type ParameterValue<P> = P extends { readonly parameters: infer N }
  ? ConfigOfParameters<N>
  : P extends { readonly value: infer V }
    ? V
    : P extends { readonly values: readonly (infer V)[] }
      ? V
      : number;

type ConfigOfParameters<N> = { readonly [K in keyof N]: ParameterValue<N[K]> };

/**
 * The type of `trial.config` for a config C: the nested parameters with their values' types (numbers for
 * ranges and continuous distributions, the listed values for `values`, V for `value: V`). Without a literal
 * config (any, or a config built at run time), a plain record.
 */
export type TrialConfigOf<C> = 0 extends 1 & C
  ? Record<string, unknown>
  : C extends { readonly parameters: infer N }
    ? string extends keyof N
      ? Record<string, unknown>
      : ConfigOfParameters<N>
    : Record<string, unknown>;

/**
 * Type-check a sweep config written in code and keep its literal types, so `createSweep` can type
 * `trial.config` from it: `defineSweepConfig({method: "random", parameters: {bs: {values: [16, 32]}}})` gives
 * trials whose `config.bs` is `16 | 32`. Returns the config unchanged; it is validated by `createSweep`.
 */
export function defineSweepConfig<const C extends SweepConfigInput>(config: C): C {
  return config;
}
