/**
 * The GP's view of the search space: one model coordinate per non-fixed parameter. A numeric parameter's
 * internal coordinate (log space for log kinds, shared with TPE through its parameter models) is mapped
 * onto [0, 1], so lengthscales are comparable across parameters and the kernel prior means the same for
 * each; the unbounded normal kinds go through their prior's CDF. A categorical parameter keeps its choice
 * index (the kernel compares it as equal or not). Integer and quantised parameters are continuous here
 * and rounded when decoded; `snap` gives the coordinate of the value a point would really be.
 */
import type { FlatParams, Rng, SearchSpace } from "../../space/types.js";
import { buildParamModels, decodeValue, encodeValue, type ModelledParam, type ParamModel } from "../tpe/param-models.js";
import { erfc } from "../tpe/normal.js";
import type { ModelSpace } from "./kernel.js";

/** How far from 0 and 1 the normal kinds' CDF coordinate is kept (their values stay finite). */
const CDF_MARGIN = 1e-6;

export class SpaceEncoding implements ModelSpace {
  readonly models: readonly ParamModel[];
  readonly modelled: readonly ModelledParam[];
  readonly dims: number;
  readonly categorical: Uint8Array;
  readonly choices: Int32Array;

  constructor(space: SearchSpace) {
    this.models = buildParamModels(space);
    this.modelled = this.models.filter((m): m is ModelledParam => m.kind !== "fixed");
    this.dims = this.modelled.length;
    this.categorical = new Uint8Array(this.dims);
    this.choices = new Int32Array(this.dims);
    this.modelled.forEach((m, d) => {
      if (m.kind === "categorical") {
        this.categorical[d] = 1;
        this.choices[d] = m.size;
      }
    });
  }

  /** Row `row` of `out` from a trial's parameters; false if a parameter is missing or not placeable. */
  encode(params: FlatParams, out: Float64Array, row: number): boolean {
    for (let d = 0; d < this.dims; d++) {
      const model = this.modelled[d]!;
      const internal = encodeValue(model, params[model.spec.name]);
      if (Number.isNaN(internal)) return false;
      out[row * this.dims + d] = model.kind === "categorical" ? internal : toUnit(model, internal);
    }
    return true;
  }

  /** The trial parameters at a model point (rounded where the parameter is discrete). */
  decode(point: Float64Array): FlatParams {
    const params: FlatParams = {};
    let d = 0;
    for (const model of this.models) {
      if (model.kind === "fixed") params[model.spec.name] = model.value;
      else {
        const x = point[d++]!;
        params[model.spec.name] = decodeValue(model, model.kind === "categorical" ? x : fromUnit(model, x));
      }
    }
    return params;
  }

  /** Replace the point by the model coordinates of the value it decodes to (integers, q-steps, bins). */
  snap(point: Float64Array): void {
    for (let d = 0; d < this.dims; d++) {
      const model = this.modelled[d]!;
      if (model.kind === "categorical") point[d] = Math.min(model.size - 1, Math.max(0, Math.round(point[d]!)));
      else if (model.discrete) {
        const value = decodeValue(model, fromUnit(model, point[d]!));
        point[d] = toUnit(model, encodeValue(model, value));
      } else point[d] = Math.min(1, Math.max(0, point[d]!));
    }
  }

  /** A uniformly random point of the model space (the unit cube and uniform choices), into `out` at `row`. */
  randomPoint(rng: Rng, out: Float64Array, row = 0): void {
    for (let d = 0; d < this.dims; d++) {
      out[row * this.dims + d] = this.categorical[d] === 1 ? Math.floor(rng() * this.choices[d]!) : rng();
    }
  }
}

function isBounded(model: Extract<ModelledParam, { kind: "numeric" }>): boolean {
  return Number.isFinite(model.low) && Number.isFinite(model.high);
}

function toUnit(model: Extract<ModelledParam, { kind: "numeric" }>, internal: number): number {
  if (isBounded(model)) return (internal - model.low) / (model.high - model.low);
  const u = normalCdf((internal - model.priorMu) / model.priorSigma);
  return Math.min(1 - CDF_MARGIN, Math.max(CDF_MARGIN, u));
}

function fromUnit(model: Extract<ModelledParam, { kind: "numeric" }>, u: number): number {
  const clamped = Math.min(1, Math.max(0, u));
  if (isBounded(model)) return model.low + clamped * (model.high - model.low);
  return model.priorMu + model.priorSigma * normalQuantile(Math.min(1 - CDF_MARGIN, Math.max(CDF_MARGIN, clamped)));
}

/** Φ(z) from erfc (Numerical Recipes §6.2, relative error below 1.2e-7, accurate in the tails). */
function normalCdf(z: number): number {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

/** Φ⁻¹(p) by Acklam's rational approximation (relative error below 1.2e-9), for 0 < p < 1. */
function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
