/**
 * Records, from the numbers as written, which parameter values are Python floats (`1.0`, `0.0`) although
 * JavaScript reads them as the integers 1 and 0. The runner needs it to write `${args}` as the W&B agent
 * does (`--clip=1.0`, not `--clip=1`); see space/float-masks.ts for the rule it completes.
 */
import { isAlias, isMap, isScalar, isSeq, type Node, type YAMLMap } from "yaml";
import type { Distribution, FloatMask, ParamFloats } from "../space/types.js";
import type { Checker } from "./checker.js";
import { isIntegerLiteral } from "./read.js";

const QUANTISED = new Set(["q_uniform", "q_log_uniform", "q_log_uniform_values", "q_normal", "q_log_normal"]);

/**
 * `ParamSpec.floats` for a leaf parameter, or undefined when the default rule of `floatMaskOf` already
 * gives the right types (so stored sweeps only carry it where it matters).
 */
export function paramFloats(c: Checker, dist: Distribution, map: YAMLMap): ParamFloats | undefined {
  if (QUANTISED.has(dist.kind)) {
    // W&B: ints exactly when q is a Python int; its default q is 1.0, a float (the default rule).
    const q = resolve(c, map.get("q", true));
    return q !== null && isIntegerLiteral(q) ? { sampled: false } : undefined;
  }
  if (dist.kind === "categorical") {
    const values = resolve(c, map.get("values", true));
    if (!isSeq(values)) return undefined;
    const masks = values.items.map((item) => maskOf(c, item));
    return masks.some((m) => m !== false) ? { values: masks } : undefined;
  }
  if (dist.kind === "constant") {
    const mask = maskOf(c, map.get("value", true));
    return mask !== false ? { value: mask } : undefined;
  }
  return undefined;
}

/** The mask of a written value: `true` for an integral number written as a float (`1.0`, `1e3`). */
function maskOf(c: Checker, raw: unknown): FloatMask {
  const node = resolve(c, raw);
  if (node === null) return false;
  if (isScalar(node)) {
    return typeof node.value === "number" && Number.isInteger(node.value) && !isIntegerLiteral(node);
  }
  if (isSeq(node)) {
    const items = node.items.map((item) => maskOf(c, item));
    return items.some((m) => m !== false) ? items : false;
  }
  if (isMap(node)) {
    const entries: Record<string, FloatMask> = {};
    let any = false;
    for (const pair of node.items) {
      const key = resolve(c, pair.key);
      if (!isScalar(key)) continue;
      const mask = maskOf(c, pair.value);
      entries[String(key.value)] = mask;
      any ||= mask !== false;
    }
    return any ? entries : false;
  }
  return false;
}

function resolve(c: Checker, node: unknown): Node | null {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return (node.resolve(c.source.doc) as Node | undefined) ?? null;
  return node as Node;
}
