/**
 * The one table of keys a sweep file may contain, at every position.
 *
 * The validator, the JSON Schema generator (schema.ts) and the schema/validator agreement test all read
 * these tables, so the editor schema and the validator cannot drift apart.
 */
import type { DistributionKind } from "../space/types.js";
import type { SweepSettings } from "./types.js";

/** Top-level keys we read, with the description shown in editors. */
export const TOP_LEVEL_KEYS = {
  method: "Search strategy: random, grid or bayes (TPE, or a Gaussian process with sweep.sampler.type: gp).",
  metric: "The metric to optimise, as the trainer reports it.",
  parameters: "The search space: one entry per hyperparameter.",
  program: "Training script, substituted for ${program} in `command`.",
  command: "Command template (list of tokens) with W&B macros such as ${env} ${interpreter} ${program} ${args}.",
  early_terminate: "Stop poorly performing trials early (hyperband).",
  run_cap: "Stop the sweep after this many trials.",
  name: "Sweep name.",
  description: "Free-text description of the sweep.",
  project: "W&B project (kept for reference; not used by sweep).",
  entity: "W&B entity (kept for reference; not used by sweep).",
  sweep: "Settings of this tool (seed, storage, GPUs, timeouts, sampler, pruner).",
} as const;
export type TopLevelKey = keyof typeof TOP_LEVEL_KEYS;

/** W&B keys that have no meaning here; accepted (so W&B files load unchanged) with a warning. */
export const WANDB_ONLY_TOP_LEVEL_KEYS = {
  apiVersion: "W&B API version; ignored.",
  kind: "W&B object kind; ignored.",
  controller: "W&B controller selection (local or cloud); ignored, the controller is always local.",
  job: "W&B Launch job; ignored.",
  image_uri: "W&B Launch image; ignored.",
} as const;

export const METRIC_KEYS = {
  name: "Metric name as reported by the trainer (e.g. val_loss).",
  goal: "minimize or maximize (default minimize).",
  target: "Stop the sweep once a trial reaches this value.",
} as const;
export type MetricKey = keyof typeof METRIC_KEYS;

export const WANDB_ONLY_METRIC_KEYS = {
  impute: "W&B bayes imputation for failed runs; ignored.",
  impute_while_running: "W&B bayes imputation for running runs; ignored.",
} as const;

export const GOALS = ["minimize", "maximize"] as const;
export const METHODS = ["random", "grid", "bayes"] as const;

export const EARLY_TERMINATE_KEYS = {
  type: "Early-termination algorithm; only hyperband.",
  min_iter: "First bracket (iteration of the first check); brackets follow at min_iter * eta^k. Ignored when max_iter is given (as in W&B).",
  max_iter: "Last bracket; with s, brackets are max_iter / eta^k for k = 1..s.",
  s: "Number of brackets counted back from max_iter (required with max_iter alone; defaults to every bracket >= 1 when min_iter is given too).",
  eta: "Bracket multiplier (default 3); at each bracket the top 1/eta trials continue.",
  strict: "Use the stricter termination rule of the original algorithm (default true).",
} as const;
export type EarlyTerminateKey = keyof typeof EARLY_TERMINATE_KEYS;

export const EARLY_TERMINATE_DEFAULTS = { eta: 3, strict: true } as const;

export interface SweepSettingKey {
  /** The camelCase field of SweepSettings it fills. */
  readonly setting: keyof SweepSettings;
  /** The CLI flag that overrides it. */
  readonly flag: string;
  readonly description: string;
}

/** Our own `sweep:` block, snake_case in the file. */
export const SWEEP_SETTING_KEYS = {
  seed: {
    setting: "seed",
    flag: "--seed",
    description: "Seed for every random choice of the sweep (integer). Default: chosen at random once and stored.",
  },
  storage: {
    setting: "storage",
    flag: "--storage",
    description: "SQLite file for trials (default storage/sweeps.db), or :memory:.",
  },
  gpus: {
    setting: "gpus",
    flag: "--gpus",
    description: 'GPUs to use: "all", "0,2,3", a single index, or a list of indices. Default: all visible.',
  },
  trials_per_gpu: {
    setting: "trialsPerGpu",
    flag: "--trials-per-gpu",
    description: "Trials sharing one GPU at a time (default 1).",
  },
  gpus_per_trial: {
    setting: "gpusPerTrial",
    flag: "--gpus-per-trial",
    description: "GPUs given to each trial (default 1).",
  },
  parallel: {
    setting: "parallel",
    flag: "--parallel",
    description: "Concurrent trials when there is no GPU (default 1).",
  },
  trial_timeout: {
    setting: "trialTimeout",
    flag: "--trial-timeout",
    description:
      'Stop a trial after this long: seconds, or a duration such as "90s", "30m", "2h", "1h30m". Default: no limit.',
  },
  max_retries: {
    setting: "maxRetries",
    flag: "--max-retries",
    description: "Re-runs of a failed trial (default 0).",
  },
  objective: {
    setting: "objective",
    flag: "--objective",
    description: "Which reported value is a trial's result: last (default) or best.",
  },
  sampler: {
    setting: "sampler",
    flag: "",
    description: "Sampler options for method bayes: type (tpe, the default, or gp) and that sampler's options, passed to the sampler as written.",
  },
  pruner: {
    setting: "pruner",
    flag: "",
    description: "Pruner selection and options (median, asha, hyperband, wandb_hyperband, none), passed to the pruner as written.",
  },
  resources: {
    setting: "resources",
    flag: "",
    description:
      "Per-model resources: a list of rules {when: {parameter: value or [values]}, gpus_per_trial: N, trials_per_gpu: N}; a trial takes the first rule that matches its parameters.",
  },
  wandb_shim: {
    setting: "wandbShim",
    flag: "--wandb-shim",
    description:
      "Run unchanged W&B trainers offline: a minimal `wandb` module (see docs/wandb-compat.md) goes first on the trainer's PYTHONPATH (default false).",
  },
} as const satisfies Record<string, SweepSettingKey>;
export type SweepSettingName = keyof typeof SWEEP_SETTING_KEYS;

export const OBJECTIVES = ["last", "best"] as const;

/** Every key a leaf or nested parameter may hold. */
export const PARAMETER_KEYS = {
  distribution: "Distribution kind; inferred from the other keys when omitted.",
  value: "A constant.",
  values: "The choices of a categorical parameter.",
  probabilities: "Probability of each of `values` (same length, sum 1).",
  min: "Lower bound (natural-log exponent for log_uniform, q_log_uniform and inv_log_uniform).",
  max: "Upper bound (natural-log exponent for log_uniform, q_log_uniform and inv_log_uniform).",
  q: "Quantisation step: samples are rounded to multiples of q (default 1).",
  mu: "Mean of a normal distribution (of the log for log_normal) (default 0).",
  sigma: "Standard deviation of a normal distribution (of the log for log_normal) (default 1).",
  a: "Beta distribution alpha (default 1).",
  b: "Beta distribution beta (default 1).",
  parameters: "Nested parameters: the trial config gets a nested object.",
} as const;
export type ParameterKey = keyof typeof PARAMETER_KEYS;

/** Parameter keys that take a number. */
export type NumericParameterKey = "min" | "max" | "q" | "mu" | "sigma" | "a" | "b";

export interface DistributionRule {
  /** Keys the kind reads (besides `distribution`). */
  readonly keys: readonly ParameterKey[];
  readonly required: readonly ParameterKey[];
  /** Defaults written in when the key is absent (W&B's schema defaults). */
  readonly defaults: Readonly<Partial<Record<NumericParameterKey, number>>>;
  readonly description: string;
}

const range = ["min", "max"] as const;
const qRange = ["min", "max", "q"] as const;

export const DISTRIBUTIONS: Readonly<Record<DistributionKind, DistributionRule>> = {
  constant: { keys: ["value"], required: ["value"], defaults: {}, description: "Always `value`." },
  categorical: {
    keys: ["values", "probabilities"],
    required: ["values"],
    defaults: {},
    description: "One of `values`, equally likely unless `probabilities` are given.",
  },
  int_uniform: { keys: range, required: range, defaults: {}, description: "An integer in [min, max], uniformly." },
  uniform: { keys: range, required: range, defaults: {}, description: "A real number in [min, max], uniformly." },
  q_uniform: {
    keys: qRange,
    required: range,
    defaults: { q: 1 },
    description: "round(uniform(min, max) / q) * q.",
  },
  log_uniform: {
    keys: range,
    required: range,
    defaults: {},
    description: "exp(uniform(min, max)): min and max are natural-log exponents.",
  },
  log_uniform_values: {
    keys: range,
    required: range,
    defaults: {},
    description: "A value between min and max whose logarithm is uniform (min > 0).",
  },
  q_log_uniform: {
    keys: qRange,
    required: range,
    defaults: { q: 1 },
    description: "round(exp(uniform(min, max)) / q) * q; min and max are natural-log exponents.",
  },
  q_log_uniform_values: {
    keys: qRange,
    required: range,
    defaults: { q: 1 },
    description: "round(log_uniform_values(min, max) / q) * q (min > 0).",
  },
  inv_log_uniform: {
    keys: range,
    required: range,
    defaults: {},
    description: "exp(-uniform(min, max)): 1 / a log-uniform value, bounds are natural-log exponents.",
  },
  inv_log_uniform_values: {
    keys: range,
    required: range,
    defaults: {},
    description: "1 / log_uniform_values(1/max, 1/min): a value in [min, max] whose inverse is log-uniform (min > 0).",
  },
  normal: {
    keys: ["mu", "sigma"],
    required: [],
    defaults: { mu: 0, sigma: 1 },
    description: "Normal with mean mu and standard deviation sigma.",
  },
  q_normal: {
    keys: ["mu", "sigma", "q"],
    required: [],
    defaults: { mu: 0, sigma: 1, q: 1 },
    description: "round(normal(mu, sigma) / q) * q.",
  },
  log_normal: {
    keys: ["mu", "sigma"],
    required: [],
    defaults: { mu: 0, sigma: 1 },
    description: "exp(normal(mu, sigma)).",
  },
  q_log_normal: {
    keys: ["mu", "sigma", "q"],
    required: [],
    defaults: { mu: 0, sigma: 1, q: 1 },
    description: "round(exp(normal(mu, sigma)) / q) * q.",
  },
  beta: { keys: ["a", "b"], required: [], defaults: { a: 1, b: 1 }, description: "Beta(a, b) on [0, 1]." },
};

export const DISTRIBUTION_KINDS = Object.keys(DISTRIBUTIONS) as DistributionKind[];

/** Other names W&B accepts for a kind. */
export const DISTRIBUTION_ALIASES: Readonly<Record<string, DistributionKind>> = {
  categorical_w_probabilities: "categorical",
};

/** Log kinds whose bounds are exponents, and the `_values` kind the user most likely meant instead. */
export const EXPONENT_BOUND_KINDS: Readonly<Partial<Record<DistributionKind, DistributionKind>>> = {
  log_uniform: "log_uniform_values",
  q_log_uniform: "q_log_uniform_values",
  inv_log_uniform: "inv_log_uniform_values",
};

/** Kinds whose bounds are values that must be positive, because their logarithm is taken. */
export const POSITIVE_BOUND_KINDS: readonly DistributionKind[] = [
  "log_uniform_values",
  "q_log_uniform_values",
  "inv_log_uniform_values",
];

/** Kinds grid search can enumerate (as W&B): finite choices, integer ranges and quantised ranges. */
export const GRID_KINDS: readonly DistributionKind[] = ["constant", "categorical", "int_uniform", "q_uniform"];

/** W&B parameter names: an identifier, possibly with `.` and `-`. */
export const PARAMETER_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_.-]*$";

/**
 * Macros of a `command:` template, as the runner expands them (src/runner/command.ts reads these lists, so
 * validation and launch cannot disagree). List macros expand to one argument per parameter and must be whole
 * tokens; scalar macros may sit inside a token (`--config=${args_json_file}`). `${envvar:NAME}` is the value
 * of an environment variable.
 */
export const LIST_MACROS = ["args", "args_no_hyphens", "args_no_boolean_flags", "args_no_equals"] as const;
export const SCALAR_MACROS = ["env", "interpreter", "program", "args_json", "args_json_file"] as const;
export const ENVVAR_MACRO_PREFIX = "envvar:";
/** W&B's command when a sweep file has none. */
export const DEFAULT_COMMAND_TOKENS: readonly string[] = ["${env}", "${interpreter}", "${program}", "${args}"];
export const COMMAND_MACROS: readonly string[] = [...SCALAR_MACROS, ...LIST_MACROS, `${ENVVAR_MACRO_PREFIX}NAME`];
