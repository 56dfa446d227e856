/**
 * Python's int/float distinction for trial values, from the resolved search space.
 *
 * W&B samples floats from every continuous distribution (`uniform`, `log_uniform_values`, `normal`, ...),
 * ints from `int_uniform`, and from the `q_*` kinds ints exactly when `q` is a Python int (its schema's
 * default `q` is `1.0`, a float). Categorical and constant values keep the type they were written with.
 * The validator records what the default rule below cannot know (`ParamSpec.floats`); sweeps stored
 * before that existed fall back to the rule alone.
 */
import type { FlatParams, FloatMask, ParamSpec, SearchSpace } from "./types.js";

/** Kinds whose samples are Python ints unless told otherwise. */
const INT_KINDS = new Set(["int_uniform"]);
/** Kinds that sample numbers (everything but constant and categorical). */
const SAMPLED = (kind: string) => kind !== "constant" && kind !== "categorical";

/** Which numbers of `value`, one value of `spec`, are Python floats. */
export function floatMaskOf(spec: ParamSpec, value: unknown): FloatMask {
  const floats = spec.floats;
  if (floats !== undefined) {
    if ("sampled" in floats) return floats.sampled;
    if ("value" in floats) return floats.value;
    const values = spec.dist.kind === "categorical" ? spec.dist.values : [];
    const index = values.findIndex((v) => sameValue(v, value));
    return index >= 0 ? (floats.values[index] ?? false) : false;
  }
  return SAMPLED(spec.dist.kind) && !INT_KINDS.has(spec.dist.kind);
}

/** Flat name -> mask, for the parameters of one trial. */
export function flatFloatMasks(space: SearchSpace, params: FlatParams): Record<string, FloatMask> {
  const masks: Record<string, FloatMask> = {};
  for (const spec of space.params) {
    if (Object.hasOwn(params, spec.name)) masks[spec.name] = floatMaskOf(spec, params[spec.name]);
  }
  return masks;
}

/** A mask mirroring the nested trial config (`{optimizer: {lr: true}}`). */
export function nestedFloatMask(space: SearchSpace, params: FlatParams): FloatMask {
  const root: Record<string, FloatMask> = {};
  for (const spec of space.params) {
    if (!Object.hasOwn(params, spec.name)) continue;
    let node = root;
    spec.path.slice(0, -1).forEach((key) => {
      const next = node[key];
      if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
      node = node[key] as Record<string, FloatMask>;
    });
    node[spec.path[spec.path.length - 1]!] = floatMaskOf(spec, params[spec.name]);
  }
  return root;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
