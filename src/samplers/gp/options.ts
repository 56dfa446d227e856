/**
 * GP sampler settings: what the sweep file's `sweep.sampler` block (snake_case, next to `type: gp`) and the
 * library (camelCase) may set, their defaults and validation. docs/samplers.md explains each.
 */
import { describeValue } from "../../space/distributions.js";

export interface GpOptions {
  /** Random trials before the model is used. */
  readonly nStartupTrials?: number;
  /** Uniformly random points scored by the acquisition per suggestion. */
  readonly nCandidates?: number;
  /** Best-scoring candidates refined by local search. */
  readonly nLocalSearch?: number;
  /** Random restarts of the hyperparameter fit besides the warm start and the default start. */
  readonly fitRestarts?: number;
}

export interface ResolvedGpOptions {
  readonly nStartupTrials: number;
  readonly nCandidates: number;
  readonly nLocalSearch: number;
  readonly fitRestarts: number;
}

export const GP_DEFAULTS: ResolvedGpOptions = {
  nStartupTrials: 10,
  nCandidates: 256,
  nLocalSearch: 4,
  fitRestarts: 2,
};

const OPTION_NAMES = {
  n_startup_trials: "nStartupTrials",
  n_candidates: "nCandidates",
  n_local_search: "nLocalSearch",
  fit_restarts: "fitRestarts",
} as const satisfies Record<string, keyof GpOptions>;

const MINIMUM: Record<keyof GpOptions, number> = { nStartupTrials: 1, nCandidates: 1, nLocalSearch: 0, fitRestarts: 0 };

export class GpOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GpOptionsError";
  }
}

/**
 * Validate options given in either spelling and fill defaults. Unknown keys are errors, as for TPE: a
 * misspelt option silently ignored would change a sweep unnoticed. `type` is the selector of the
 * `sweep.sampler` block and is accepted (it must say `gp`).
 */
export function resolveGpOptions(raw: Readonly<Record<string, unknown>> | GpOptions = {}): ResolvedGpOptions {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new GpOptionsError(`GP sampler options must be a mapping, got ${describeValue(raw)}`);
  }
  const out: Record<keyof GpOptions, number> = { ...GP_DEFAULTS };
  const seen = new Map<keyof GpOptions, string>();
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (key === "type") {
      if (value !== "gp") throw new GpOptionsError(`GP sampler option type must be "gp", got ${describeValue(value)}`);
      continue;
    }
    const name = canonicalName(key);
    const earlier = seen.get(name);
    if (earlier !== undefined) throw new GpOptionsError(`GP option ${name} is given twice, as '${earlier}' and '${key}'`);
    seen.set(name, key);
    const min = MINIMUM[name];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
      throw new GpOptionsError(`GP option ${key} must be an integer >= ${min}, got ${describeValue(value)}`);
    }
    out[name] = value;
  }
  return out;
}

function canonicalName(key: string): keyof GpOptions {
  if (Object.hasOwn(OPTION_NAMES, key)) return OPTION_NAMES[key as keyof typeof OPTION_NAMES];
  const camel = Object.values(OPTION_NAMES).find((name) => name === key);
  if (camel) return camel;
  const known = ["type", ...Object.keys(OPTION_NAMES)].join(", ");
  throw new GpOptionsError(`unknown GP option ${describeValue(key)}; expected one of ${known}`);
}

/** The options in the sweep file's spelling, for storing a library-made sampler with its sweep. */
export function gpOptionsAsConfig(options: ResolvedGpOptions): Record<string, unknown> {
  return {
    type: "gp",
    n_startup_trials: options.nStartupTrials,
    n_candidates: options.nCandidates,
    n_local_search: options.nLocalSearch,
    fit_restarts: options.fitRestarts,
  };
}
