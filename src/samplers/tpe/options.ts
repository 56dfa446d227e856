/**
 * TPE settings: what the sweep file's `sweep.sampler` block (snake_case) and the library (camelCase) may set,
 * their defaults, and validation. docs/tpe.md explains each default.
 */
import { describeValue } from "../../space/distributions.js";

/** How running and queued trials enter the model while they have no value yet. */
export type ConstantLiar = false | "worst" | "best" | "mean" | number;

/** Number of trials that form the "good" set out of `n` ranked ones. */
export type GammaFunction = (n: number) => number;

export interface TPEOptions {
  /** Random trials before the model is used. */
  readonly nStartupTrials?: number;
  /** Candidates drawn from the good model per suggestion; the one maximising l(x)/g(x) wins. */
  readonly nEiCandidates?: number;
  /** Joint kernels over all parameters (true) or one independent model per parameter (false). */
  readonly multivariate?: boolean;
  /** With `multivariate`, model parameters that occur in the same trials together (conditional spaces). */
  readonly group?: boolean;
  /** true = "worst". */
  readonly constantLiar?: boolean | ConstantLiar;
  /** Fraction of ranked trials that are "good", or a function n -> count (library only). */
  readonly gamma?: number | GammaFunction;
  /** Cap on the good set's size when `gamma` is a fraction. */
  readonly maxGoodTrials?: number;
  /** Weight of the prior kernel relative to one observation. */
  readonly priorWeight?: number;
  /** Univariate bandwidths: count the distance to the range's ends for the outermost observations. */
  readonly considerEndpoints?: boolean;
  /** Lower bound on bandwidths: range / min(100, 1 + n). */
  readonly magicClip?: boolean;
}

export interface ResolvedTPEOptions {
  readonly nStartupTrials: number;
  readonly nEiCandidates: number;
  readonly multivariate: boolean;
  readonly group: boolean;
  readonly constantLiar: ConstantLiar;
  readonly gamma: GammaFunction;
  /** The fraction as given, for messages and docs; null when `gamma` was a function. */
  readonly gammaFraction: number | null;
  readonly maxGoodTrials: number;
  readonly priorWeight: number;
  readonly considerEndpoints: boolean;
  readonly magicClip: boolean;
}

export const TPE_DEFAULTS = {
  nStartupTrials: 10,
  nEiCandidates: 24,
  multivariate: true,
  group: true,
  constantLiar: "worst",
  gamma: 0.2,
  maxGoodTrials: 25,
  priorWeight: 1,
  considerEndpoints: false,
  magicClip: true,
} as const;

/** Every option by its sweep-file (snake_case) name, with its library (camelCase) name. */
const OPTION_NAMES = {
  n_startup_trials: "nStartupTrials",
  n_ei_candidates: "nEiCandidates",
  multivariate: "multivariate",
  group: "group",
  constant_liar: "constantLiar",
  gamma: "gamma",
  max_good_trials: "maxGoodTrials",
  prior_weight: "priorWeight",
  consider_endpoints: "considerEndpoints",
  magic_clip: "magicClip",
} as const satisfies Record<string, keyof TPEOptions>;

type SnakeName = keyof typeof OPTION_NAMES;

export class TPEOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TPEOptionsError";
  }
}

const LIAR_WORDS = ["worst", "best", "mean"] as const;

/**
 * Validate options given in either spelling (`n_startup_trials` or `nStartupTrials`) and fill defaults.
 * Unknown keys are errors: a misspelt option silently ignored would change a sweep's behaviour unnoticed.
 */
export function resolveTPEOptions(raw: Readonly<Record<string, unknown>> | TPEOptions = {}): ResolvedTPEOptions {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new TPEOptionsError(`TPE sampler options must be a mapping, got ${describeValue(raw)}`);
  }
  const given = new Map<keyof TPEOptions, { key: string; value: unknown }>();
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const name = canonicalName(key);
    const earlier = given.get(name);
    if (earlier) throw new TPEOptionsError(`TPE option ${name} is given twice, as '${earlier.key}' and '${key}'`);
    given.set(name, { key, value });
  }
  const read = <T>(name: keyof TPEOptions, fallback: T, check: (value: unknown, key: string) => T): T => {
    const entry = given.get(name);
    return entry === undefined ? fallback : check(entry.value, entry.key);
  };

  const gammaRaw = given.get("gamma");
  const gammaFraction = gammaRaw === undefined ? TPE_DEFAULTS.gamma : typeof gammaRaw.value === "function" ? null : fraction(gammaRaw.value, gammaRaw.key);
  const maxGoodTrials = read("maxGoodTrials", TPE_DEFAULTS.maxGoodTrials, (v, k) => integer(v, k, 1));
  const gamma: GammaFunction =
    gammaFraction === null
      ? checkedGammaFunction(gammaRaw!.value as GammaFunction)
      : (n) => Math.min(Math.ceil(gammaFraction * n), maxGoodTrials);

  return {
    nStartupTrials: read("nStartupTrials", TPE_DEFAULTS.nStartupTrials, (v, k) => integer(v, k, 0)),
    nEiCandidates: read("nEiCandidates", TPE_DEFAULTS.nEiCandidates, (v, k) => integer(v, k, 1)),
    multivariate: read("multivariate", TPE_DEFAULTS.multivariate, boolean),
    group: read("group", TPE_DEFAULTS.group, boolean),
    constantLiar: read("constantLiar", TPE_DEFAULTS.constantLiar as ConstantLiar, liar),
    gamma,
    gammaFraction,
    maxGoodTrials,
    priorWeight: read("priorWeight", TPE_DEFAULTS.priorWeight, positive),
    considerEndpoints: read("considerEndpoints", TPE_DEFAULTS.considerEndpoints, boolean),
    magicClip: read("magicClip", TPE_DEFAULTS.magicClip, boolean),
  };
}

function canonicalName(key: string): keyof TPEOptions {
  if (key in OPTION_NAMES) return OPTION_NAMES[key as SnakeName];
  const camel = Object.values(OPTION_NAMES).find((name) => name === key);
  if (camel) return camel;
  const known = Object.keys(OPTION_NAMES).join(", ");
  throw new TPEOptionsError(`unknown TPE option ${describeValue(key)}; expected one of ${known}`);
}

function integer(value: unknown, key: string, min: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new TPEOptionsError(`TPE option ${key} must be an integer >= ${min}, got ${describeValue(value)}`);
  }
  return value;
}

function boolean(value: unknown, key: string): boolean {
  if (typeof value !== "boolean") throw new TPEOptionsError(`TPE option ${key} must be true or false, got ${describeValue(value)}`);
  return value;
}

function positive(value: unknown, key: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TPEOptionsError(`TPE option ${key} must be a finite number > 0, got ${describeValue(value)}`);
  }
  return value;
}

function fraction(value: unknown, key: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 1) {
    throw new TPEOptionsError(
      `TPE option ${key} must be a fraction in (0, 1] (the share of trials counted as good), got ${describeValue(value)}`,
    );
  }
  return value;
}

function liar(value: unknown, key: string): ConstantLiar {
  if (value === true) return "worst";
  if (value === false) return false;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && (LIAR_WORDS as readonly string[]).includes(value)) return value as ConstantLiar;
  throw new TPEOptionsError(
    `TPE option ${key} must be true, false, "worst", "best", "mean" or a finite number (the value assumed for ` +
      `running trials), got ${describeValue(value)}`,
  );
}

/** A user's gamma function, guarded so a bad return value fails with a clear message at use. */
function checkedGammaFunction(fn: GammaFunction): GammaFunction {
  return (n) => {
    const count = fn(n);
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
      throw new TPEOptionsError(`TPE gamma function must return an integer >= 0, got ${describeValue(count)} for n = ${n}`);
    }
    return Math.min(count, n);
  };
}
