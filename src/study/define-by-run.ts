/**
 * Define-by-run: parameters an objective asks for while it runs (`trial.suggestFloat("lr", 1e-6, 1e-4,
 * {log: true})`), as Optuna's trial API does. Each call names a distribution of the space layer; the value
 * comes from the sweep's sampler over the trials that have that parameter, so TPE models conditional and
 * dynamic parameters the way it models W&B nested ones (a parameter absent from a trial is missing there).
 */
import { describeValue } from "../space/distributions.js";
import type { Distribution, FlatParams, ParamSpec, SearchSpace } from "../space/types.js";

export interface SuggestFloatOptions {
  /** Sample on a log scale (low > 0). */
  readonly log?: boolean;
  /** Values are multiples of `step` (low must be one). Not together with `log`. */
  readonly step?: number;
}

export interface SuggestIntOptions {
  /** Sample on a log scale (low >= 1). */
  readonly log?: boolean;
  /** Values are low, low + step, … (step > 1: low must be a multiple of it). Not together with `log`. */
  readonly step?: number;
}

export class SuggestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SuggestError";
  }
}

function finite(name: string, what: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new SuggestError(`suggest '${name}': ${what} must be a finite number, got ${describeValue(value)}`);
  }
  return value;
}

function checkRange(name: string, low: number, high: number): void {
  if (low > high) throw new SuggestError(`suggest '${name}': low (${low}) must be <= high (${high})`);
}

function checkStep(name: string, low: number, step: number, log: boolean | undefined): void {
  if (log) throw new SuggestError(`suggest '${name}': step and log cannot be used together`);
  if (!(step > 0)) throw new SuggestError(`suggest '${name}': step must be > 0, got ${step}`);
  const ratio = low / step;
  if (Math.abs(ratio - Math.round(ratio)) > 1e-9) {
    throw new SuggestError(`suggest '${name}': low (${low}) must be a multiple of step (${step}); values are multiples of step`);
  }
}

export function floatDistribution(name: string, low: unknown, high: unknown, options: SuggestFloatOptions = {}): Distribution {
  const lo = finite(name, "low", low);
  const hi = finite(name, "high", high);
  checkRange(name, lo, hi);
  if (options.step !== undefined) {
    const step = finite(name, "step", options.step);
    checkStep(name, lo, step, options.log);
    return { kind: "q_uniform", min: lo, max: hi, q: step };
  }
  if (options.log) {
    if (!(lo > 0)) throw new SuggestError(`suggest '${name}': low must be > 0 with log: true, got ${lo}`);
    return { kind: "log_uniform_values", min: lo, max: hi };
  }
  return { kind: "uniform", min: lo, max: hi };
}

export function intDistribution(name: string, low: unknown, high: unknown, options: SuggestIntOptions = {}): Distribution {
  const lo = finite(name, "low", low);
  const hi = finite(name, "high", high);
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) {
    throw new SuggestError(`suggest '${name}': low and high must be integers, got ${lo} and ${hi}`);
  }
  checkRange(name, lo, hi);
  if (options.step !== undefined && options.step !== 1) {
    const step = finite(name, "step", options.step);
    if (!Number.isSafeInteger(step)) throw new SuggestError(`suggest '${name}': step must be an integer, got ${step}`);
    checkStep(name, lo, step, options.log);
    return { kind: "q_uniform", min: lo, max: hi, q: step };
  }
  if (options.log) {
    if (!(lo >= 1)) throw new SuggestError(`suggest '${name}': low must be >= 1 with log: true, got ${lo}`);
    return { kind: "q_log_uniform_values", min: lo, max: hi, q: 1 };
  }
  return { kind: "int_uniform", min: lo, max: hi };
}

export function categoricalDistribution(name: string, choices: unknown): Distribution {
  if (!Array.isArray(choices) || choices.length === 0) {
    throw new SuggestError(`suggest '${name}': choices must be a non-empty array, got ${describeValue(choices)}`);
  }
  return { kind: "categorical", values: [...choices] };
}

/**
 * One-parameter spaces, one object per (name, distribution): the samplers cache their models per space
 * object, so asking for the same parameter again reuses them.
 */
export class DynamicSpaces {
  private readonly spaces = new Map<string, SearchSpace>();

  of(name: string, dist: Distribution): SearchSpace {
    return this.ofMany([[name, dist]]);
  }

  /** The space of these parameters, in the order given; the same object for the same parameters. */
  ofMany(params: readonly (readonly [string, Distribution])[]): SearchSpace {
    const key = params.map(([name, dist]) => `${name}\u0000${JSON.stringify(dist)}`).join("\u0001");
    let space = this.spaces.get(key);
    if (!space) {
      const specs: ParamSpec[] = params.map(([name, dist]) => ({ name, path: name.split("."), dist }));
      this.spaces.set(key, (space = { params: specs }));
    }
    return space;
  }
}

/**
 * The define-by-run parameters a joint sampler proposes together (Optuna's "relative search space"): those
 * every completed trial has, each with one and the same distribution, by name; minus `exclude` (values the
 * trial already has) and declared names. Empty before the first completed trial, and whenever the
 * completed trials share no such parameter (a conditional one is in some trials only, so it is left to the
 * one-parameter path).
 */
export function sharedDynamicParams(
  completedDistributions: readonly (Readonly<Record<string, unknown>> | undefined)[],
  exclude: ReadonlySet<string>,
): [string, Distribution][] {
  let common: Map<string, { dist: Distribution; key: string }> | null = null;
  for (const distributions of completedDistributions) {
    if (distributions === undefined) return [];
    if (common === null) {
      common = new Map(Object.entries(distributions).map(([name, dist]) => [name, { dist: dist as Distribution, key: JSON.stringify(dist) }]));
      continue;
    }
    for (const [name, entry] of common) {
      if (!Object.hasOwn(distributions, name) || JSON.stringify(distributions[name]) !== entry.key) common.delete(name);
    }
  }
  if (common === null) return [];
  return [...common]
    .filter(([name]) => !exclude.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, entry]) => [name, entry.dist]);
}

/**
 * Meta key of a trial's joint define-by-run proposal (joint samplers only): `{distributions, params}`, the
 * parameters proposed together at the trial's first define-by-run call and their values, handed out as
 * the objective asks for them.
 */
export const JOINT_PROPOSAL_KEY = "joint_proposal";

export interface JointProposal {
  readonly distributions: Readonly<Record<string, Distribution>>;
  readonly params: FlatParams;
}

export function isJointProposal(value: unknown): value is JointProposal {
  const isObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  return isObject(value) && isObject((value as JointProposal).params) && isObject((value as JointProposal).distributions);
}
