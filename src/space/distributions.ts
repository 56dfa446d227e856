/**
 * What each W&B distribution means (wandb/sweeps `params.py`), and the continuous "internal" space a model
 * based sampler (TPE) works in.
 *
 * Internal coordinates, per kind:
 *   - linear kinds (uniform, q_uniform, int_uniform, normal, q_normal, beta): the value itself;
 *   - log kinds (log_uniform*, q_log_uniform*, log_normal, q_log_normal): ln(value);
 *   - inverse-log kinds (inv_log_uniform*): ln(1 / value), as W&B models them;
 *   - categorical: the index of the value; constant: 0.
 * Discrete kinds are continuous there and rounded on the way back (`fromInternal`).
 *
 * Bounds are chosen so that, for every bounded kind except categorical-with-probabilities and beta,
 * `fromInternal(uniform draw over internalBounds)` has exactly the law of `sample`: integer-valued kinds get
 * half a unit of room on each side so the end values are as likely as the inner ones. `sample` is built on
 * that same path, so a prior over the internal box and plain random search agree.
 */
import type { Distribution, DistributionKind, Rng } from "./types.js";
import { paramsEqual } from "./params.js";
import { isMultipleOf, quantize, stepIndex } from "./quantize.js";
import { betaVariate, standardNormal, weightedIndex } from "./variates.js";

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** Every distribution kind, in the order W&B's schema lists its families. */
export const DISTRIBUTION_KINDS = [
  "constant",
  "categorical",
  "int_uniform",
  "uniform",
  "q_uniform",
  "log_uniform",
  "log_uniform_values",
  "q_log_uniform",
  "q_log_uniform_values",
  "inv_log_uniform",
  "inv_log_uniform_values",
  "normal",
  "q_normal",
  "log_normal",
  "q_log_normal",
  "beta",
] as const satisfies readonly DistributionKind[];

// Compile-time check that the list above names every kind of the contract.
type MissingKinds = Exclude<DistributionKind, (typeof DISTRIBUTION_KINDS)[number]>;
const everyKindListed: MissingKinds extends never ? true : MissingKinds = true;
void everyKindListed;

type QuantizedDistribution = Extract<Distribution, { q: number }>;

/** Kinds whose values are rounded to a multiple of `q`. */
export function isQuantized(dist: Distribution): dist is QuantizedDistribution {
  return "q" in dist;
}

/** Kinds with numbers as values (everything but constant and categorical). */
export function isNumeric(dist: Distribution): boolean {
  return dist.kind !== "constant" && dist.kind !== "categorical";
}

/** Kinds whose values form a countable set: constant, categorical, int_uniform and the q_* kinds. */
export function isDiscrete(dist: Distribution): boolean {
  return dist.kind === "constant" || dist.kind === "categorical" || dist.kind === "int_uniform" || isQuantized(dist);
}

type Scale = "linear" | "log" | "inverse-log";

function scaleOf(dist: Distribution): Scale {
  switch (dist.kind) {
    case "log_uniform":
    case "log_uniform_values":
    case "q_log_uniform":
    case "q_log_uniform_values":
    case "log_normal":
    case "q_log_normal":
      return "log";
    case "inv_log_uniform":
    case "inv_log_uniform_values":
      return "inverse-log";
    default:
      return "linear";
  }
}

/**
 * The range of values the distribution's continuous draw covers, before any q-rounding; null for the
 * normal kinds and for constant/categorical. q-rounding can move a value past these bounds by up to q/2
 * (W&B rounds after drawing), which `contains` allows for.
 */
export function valueBounds(dist: Distribution): Interval | null {
  switch (dist.kind) {
    case "int_uniform":
    case "uniform":
    case "q_uniform":
    case "log_uniform_values":
    case "q_log_uniform_values":
    case "inv_log_uniform_values":
      return { low: dist.min, high: dist.max };
    case "log_uniform":
    case "q_log_uniform":
      return { low: Math.exp(dist.min), high: Math.exp(dist.max) };
    case "inv_log_uniform":
      // 1 / exp(U(min, max)): the larger exponent gives the smaller value.
      return { low: Math.exp(-dist.max), high: Math.exp(-dist.min) };
    case "beta":
      return { low: 0, high: 1 };
    case "constant":
    case "categorical":
    case "normal":
    case "q_normal":
    case "log_normal":
    case "q_log_normal":
      return null;
    default:
      return assertNever(dist);
  }
}

/** The box TPE models in; null for the unbounded normal kinds. */
export function internalBounds(dist: Distribution): Interval | null {
  switch (dist.kind) {
    case "constant":
      return { low: 0, high: 0 };
    case "categorical":
      return { low: -0.5, high: dist.values.length - 0.5 };
    case "int_uniform":
      return { low: dist.min - 0.5, high: dist.max + 0.5 };
    case "uniform":
    case "q_uniform":
    case "log_uniform":
    case "q_log_uniform":
    case "inv_log_uniform":
      // For log_uniform and inv_log_uniform the bounds are already the exponents.
      return { low: dist.min, high: dist.max };
    case "log_uniform_values":
    case "q_log_uniform_values":
      return { low: Math.log(dist.min), high: Math.log(dist.max) };
    case "inv_log_uniform_values":
      return { low: -Math.log(dist.max), high: -Math.log(dist.min) };
    case "beta":
      return { low: 0, high: 1 };
    case "normal":
    case "q_normal":
    case "log_normal":
    case "q_log_normal":
      return null;
    default:
      return assertNever(dist);
  }
}

function clamp(x: number, bounds: Interval | null): number {
  if (bounds === null) return x;
  return Math.min(bounds.high, Math.max(bounds.low, x));
}

function requireFiniteNumber(dist: Distribution, value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(`${what} for a ${dist.kind} parameter must be a finite number, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * The internal coordinate of a value. Numbers outside the range are clamped into the internal box (q-rounded
 * values can legitimately sit past it); values of the wrong type, non-positive values of log kinds and
 * values missing from a categorical list throw. For values not produced by this space (e.g. enqueued by
 * hand), check `contains` first.
 */
export function toInternal(dist: Distribution, value: unknown): number {
  if (dist.kind === "constant") return 0;
  if (dist.kind === "categorical") {
    const index = dist.values.findIndex((candidate) => paramsEqual(candidate, value));
    if (index < 0) {
      throw new Error(`${describeValue(value)} is not one of the categorical values ${describeValue(dist.values)}`);
    }
    return index;
  }
  const v = requireFiniteNumber(dist, value, "value");
  const scale = scaleOf(dist);
  let x: number;
  if (scale === "linear") {
    x = v;
  } else if (v > 0) {
    x = scale === "log" ? Math.log(v) : -Math.log(v);
  } else if (v === 0 && isQuantized(dist)) {
    // q-rounding of exp(x) gives 0 for every x below ln(q/2); ln(q/4) is a representative that maps back to 0.
    x = Math.log(dist.q / 4);
  } else {
    throw new Error(`value for a ${dist.kind} parameter must be positive, got ${describeValue(v)}`);
  }
  return clamp(x, internalBounds(dist));
}

/** The value at internal coordinate `x` (clamped into the internal box first; discrete kinds rounded). */
export function fromInternal(dist: Distribution, x: number): unknown {
  if (typeof x !== "number" || Number.isNaN(x)) {
    throw new Error(`internal coordinate for a ${dist.kind} parameter must be a number, got ${describeValue(x)}`);
  }
  const inBox = clamp(x, internalBounds(dist));
  switch (dist.kind) {
    case "constant":
      return dist.value;
    case "categorical":
      return dist.values[Math.min(dist.values.length - 1, Math.max(0, Math.round(inBox)))];
    case "int_uniform":
      return Math.min(dist.max, Math.max(dist.min, Math.round(inBox))) + 0;
    default:
      break;
  }
  const scale = scaleOf(dist);
  let value = scale === "linear" ? inBox : Math.exp(scale === "log" ? inBox : -inBox);
  // exp(ln(max)) can exceed max by an ulp; keep continuous draws inside the range the user wrote.
  if (scale !== "linear") value = clamp(value, valueBounds(dist));
  return isQuantized(dist) ? quantize(value, dist.q) : value;
}

/** One draw from the distribution. */
export function sample(dist: Distribution, rng: Rng): unknown {
  switch (dist.kind) {
    case "constant":
      return dist.value;
    case "categorical": {
      if (dist.values.length === 0) throw new Error("a categorical parameter needs at least one value, got []");
      const index = dist.probabilities
        ? weightedIndex(checkedProbabilities(dist.values, dist.probabilities), rng)
        : Math.floor(rng() * dist.values.length);
      return dist.values[index];
    }
    case "int_uniform": {
      checkIntegerRange(dist.min, dist.max);
      return dist.min + Math.floor(rng() * (dist.max - dist.min + 1));
    }
    case "normal":
    case "q_normal":
    case "log_normal":
    case "q_log_normal":
      // Internal coordinate ~ N(mu, sigma); fromInternal applies exp and/or q-rounding.
      return fromInternal(dist, dist.mu + dist.sigma * standardNormal(rng));
    case "beta":
      return betaVariate(dist.a, dist.b, rng);
    default: {
      // The uniform families: uniform in the internal coordinate (linear, log or inverse-log) — see the
      // header. For inv_log_uniform W&B draws 1 - u, which has the same law as u.
      const bounds = internalBounds(dist);
      const valid = bounds !== null && Number.isFinite(bounds.low) && Number.isFinite(bounds.high);
      if (!valid || bounds.low > bounds.high) {
        const positive = dist.kind.endsWith("_values") ? " and 0 < min" : "";
        throw new Error(`${dist.kind} needs finite bounds with min <= max${positive}, got ${describeValue(dist)}`);
      }
      return fromInternal(dist, bounds.low + rng() * (bounds.high - bounds.low));
    }
  }
}

function checkedProbabilities(values: readonly unknown[], probabilities: readonly number[]): readonly number[] {
  if (probabilities.length !== values.length) {
    throw new Error(
      `categorical probabilities must have one entry per value (${values.length}), got ${probabilities.length}`,
    );
  }
  return probabilities;
}

function checkIntegerRange(min: number, max: number): void {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
    throw new Error(`int_uniform needs integer bounds with min <= max, got min ${min}, max ${max}`);
  }
}

/** Relative slack for range checks, so values that went through JSON or exp/log are not rejected. */
const RANGE_TOLERANCE = 1e-12;

function withinRange(v: number, bounds: Interval): boolean {
  const slack = RANGE_TOLERANCE * Math.max(1, Math.abs(bounds.low), Math.abs(bounds.high));
  return v >= bounds.low - slack && v <= bounds.high + slack;
}

/** Whether `value` is one the distribution can produce: right type, inside the range, on the q grid. */
export function contains(dist: Distribution, value: unknown): boolean {
  if (dist.kind === "constant") return paramsEqual(dist.value, value);
  if (dist.kind === "categorical") return dist.values.some((candidate) => paramsEqual(candidate, value));
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  if (dist.kind === "int_uniform") return Number.isInteger(value) && value >= dist.min && value <= dist.max;
  const bounds = valueBounds(dist);
  if (isQuantized(dist)) {
    if (!isMultipleOf(value, dist.q)) return false;
    if (scaleOf(dist) === "log" && value < 0) return false;
    if (bounds === null) return true;
    // W&B rounds after drawing, so the reachable multiples run from round(low/q) to round(high/q).
    const k = stepIndex(value, dist.q);
    return k >= stepIndex(bounds.low, dist.q) && k <= stepIndex(bounds.high, dist.q);
  }
  if (bounds !== null) return withinRange(value, bounds);
  if (dist.kind === "log_normal") return value > 0;
  return true; // normal
}

/** JSON for messages, falling back to String for what JSON cannot show. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown distribution ${describeValue(value)}`);
}
