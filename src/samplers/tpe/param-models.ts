/**
 * How TPE sees each parameter: a numeric coordinate in the space layer's internal box (log space for log
 * kinds), a categorical index, or a fixed value it need not model. Built once per search space.
 */
import { fromInternal, internalBounds, isQuantized, toInternal } from "../../space/distributions.js";
import { paramsEqual } from "../../space/params.js";
import type { Distribution, ParamSpec, SearchSpace } from "../../space/types.js";

export interface NumericModel {
  readonly kind: "numeric";
  readonly spec: ParamSpec;
  /** Truncation bounds of the kernels (±Infinity for the normal kinds). */
  readonly low: number;
  readonly high: number;
  /** Width that bandwidths scale with: the box, or 6 sigma for the unbounded normal kinds. */
  readonly range: number;
  readonly priorMu: number;
  readonly priorSigma: number;
  /** int_uniform and q-kinds: candidates are scored by the mass of the value's bin, not a density. */
  readonly discrete: boolean;
}

export interface CategoricalModel {
  readonly kind: "categorical";
  readonly spec: ParamSpec;
  readonly size: number;
  /** The prior over choices: the file's `probabilities`, normalised, or uniform. */
  readonly prior: Float64Array;
}

export interface FixedModel {
  readonly kind: "fixed";
  readonly spec: ParamSpec;
  readonly value: unknown;
}

export type ParamModel = NumericModel | CategoricalModel | FixedModel;
export type ModelledParam = NumericModel | CategoricalModel;

const LOG_KINDS = new Set<Distribution["kind"]>([
  "log_uniform",
  "log_uniform_values",
  "q_log_uniform",
  "q_log_uniform_values",
  "log_normal",
  "q_log_normal",
]);

export function buildParamModels(space: SearchSpace): ParamModel[] {
  return space.params.map(buildParamModel);
}

function buildParamModel(spec: ParamSpec): ParamModel {
  const dist = spec.dist;
  if (dist.kind === "constant") return { kind: "fixed", spec, value: dist.value };
  if (dist.kind === "categorical") {
    if (dist.values.length === 1) return { kind: "fixed", spec, value: dist.values[0] };
    const prior = new Float64Array(dist.values.length);
    let total = 0;
    for (let k = 0; k < prior.length; k++) total += prior[k] = dist.probabilities?.[k] ?? 1;
    for (let k = 0; k < prior.length; k++) prior[k]! /= total;
    return { kind: "categorical", spec, size: dist.values.length, prior };
  }
  const discrete = dist.kind === "int_uniform" || isQuantized(dist);
  const bounds = internalBounds(dist);
  if (bounds === null) {
    // normal, q_normal, log_normal, q_log_normal: the internal coordinate is N(mu, sigma) a priori.
    const d = dist as Extract<Distribution, { mu: number }>;
    return { kind: "numeric", spec, low: -Infinity, high: Infinity, range: 6 * d.sigma, priorMu: d.mu, priorSigma: d.sigma, discrete };
  }
  if (!(bounds.high > bounds.low)) return { kind: "fixed", spec, value: fromInternal(dist, bounds.low) };
  const range = bounds.high - bounds.low;
  return {
    kind: "numeric",
    spec,
    low: bounds.low,
    high: bounds.high,
    range,
    priorMu: 0.5 * (bounds.low + bounds.high),
    // Wide enough that the prior kernel is nearly flat over the box: it keeps every region reachable.
    priorSigma: range,
    discrete,
  };
}

/** A parameter's coordinate in a trial, or NaN when the trial lacks it or holds a value the model cannot place. */
export function encodeValue(model: ModelledParam, value: unknown): number {
  if (value === undefined) return NaN;
  if (model.kind === "categorical") return categoricalIndex(model, value);
  if (typeof value !== "number" || !Number.isFinite(value)) return NaN;
  try {
    return toInternal(model.spec.dist, value);
  } catch {
    return NaN; // e.g. a non-positive value enqueued by hand for a log parameter
  }
}

function categoricalIndex(model: CategoricalModel, value: unknown): number {
  const values = (model.spec.dist as Extract<Distribution, { kind: "categorical" }>).values;
  // Primitive values (the usual case) compare with ===; objects and arrays need structural equality.
  if (value === null || typeof value !== "object") {
    for (let k = 0; k < values.length; k++) if (values[k] === value) return k;
  }
  for (let k = 0; k < values.length; k++) if (paramsEqual(values[k], value)) return k;
  return NaN;
}

/** The parameter value at a model coordinate. */
export function decodeValue(model: ModelledParam, x: number): unknown {
  if (model.kind === "categorical") {
    const values = (model.spec.dist as Extract<Distribution, { kind: "categorical" }>).values;
    return values[x];
  }
  return fromInternal(model.spec.dist, x);
}

/**
 * The interval of internal coordinates that round to the same value as `x`, for discrete numeric kinds:
 * [k - 1/2, k + 1/2] for integers, and for q-kinds the value's q-bin [v - q/2, v + q/2] mapped into the
 * internal space (log for log kinds), both clipped to the box. Written into `out` as [low, high].
 */
export function binOf(model: NumericModel, x: number, out: Float64Array): void {
  const dist = model.spec.dist;
  let lo: number;
  let hi: number;
  if (dist.kind === "int_uniform") {
    const k = Math.round(Math.min(model.high, Math.max(model.low, x)));
    lo = k - 0.5;
    hi = k + 0.5;
  } else {
    const q = (dist as Extract<Distribution, { q: number }>).q;
    const v = fromInternal(dist, x) as number;
    if (LOG_KINDS.has(dist.kind)) {
      lo = v - q / 2 > 0 ? Math.log(v - q / 2) : -Infinity;
      hi = Math.log(v + q / 2);
    } else {
      lo = v - q / 2;
      hi = v + q / 2;
    }
  }
  out[0] = Math.max(lo, model.low);
  out[1] = Math.min(hi, model.high);
}
