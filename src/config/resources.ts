/**
 * Per-model resources: the `sweep.resources` rules of a sweep file.
 *
 *   sweep:
 *     trials_per_gpu: 2            # the default: base models, two to a GPU
 *     resources:
 *       - when: {model_name: [klue/roberta-large, xlm-roberta-large]}
 *         trials_per_gpu: 1        # large models get a GPU of their own
 *       - when: {model_name: xlm-roberta-xl}
 *         gpus_per_trial: 2        # and the largest two (torchrun)
 *
 * A trial takes the first rule whose `when` matches its parameters (every key, one of the listed values), and
 * the sweep's own `gpus_per_trial` / `trials_per_gpu` for whatever the rule leaves out. A rule can only match
 * on parameters whose values can be listed (a categorical, a constant or an integer), and every value it lists
 * must be one the parameter can take, so a misspelt model name is an error, not a rule that never applies.
 */
import { isScalar, isSeq, type Node } from "yaml";
import type { Distribution, ParamSpec } from "../space/types.js";
import type { Checker } from "./checker.js";
import { readList, readNumber } from "./read.js";
import type { ResourceRule, ResourceValue } from "./types.js";

const RULE_KEYS = {
  when: "Parameter values this rule applies to: {name: value} or {name: [value, ...]}; every key must match.",
  gpus_per_trial: "GPUs given to each matching trial (default: the sweep's gpus_per_trial).",
  trials_per_gpu: "Matching trials sharing one GPU (default: the sweep's trials_per_gpu).",
} as const;

/** `sweep.resources`: a list of rules; `params` (the sweep's parameters, when known) checks their `when`. */
export function readResourceRules(c: Checker, node: Node | null, path: string, params: readonly ParamSpec[] | undefined): ResourceRule[] | undefined {
  return readList(c, node, path, "a list of rules such as {when: {model_name: large}, trials_per_gpu: 1}", (item, itemPath) => readRule(c, item, itemPath, params));
}

function readRule(c: Checker, node: Node | null, path: string, params: readonly ParamSpec[] | undefined): ResourceRule | undefined {
  const map = c.map(node, path, node, "a rule: {when: {...}, gpus_per_trial: N, trials_per_gpu: N}");
  if (map === undefined) return undefined;
  let when: Record<string, readonly ResourceValue[]> | undefined;
  let gpusPerTrial: number | undefined;
  let trialsPerGpu: number | undefined;
  let ok = true;
  for (const entry of c.entries(map, path)) {
    if (entry.key === "when") {
      when = readWhen(c, entry.value, entry.path, entry.keyNode, params);
      if (when === undefined) ok = false;
    } else if (entry.key === "gpus_per_trial") {
      gpusPerTrial = readNumber(c, entry.value, entry.path, { integer: true, min: 1 });
      if (gpusPerTrial === undefined) ok = false;
    } else if (entry.key === "trials_per_gpu") {
      trialsPerGpu = readNumber(c, entry.value, entry.path, { integer: true, min: 1 });
      if (trialsPerGpu === undefined) ok = false;
    } else {
      c.unknownKey(entry, Object.keys(RULE_KEYS));
    }
  }
  if (!ok) return undefined;
  if (when === undefined) {
    c.missingKey(map, path, "when", `a resource rule needs "when"`, { expected: "when: {parameter: value or [values]}" });
    return undefined;
  }
  if (gpusPerTrial === undefined && trialsPerGpu === undefined) {
    c.error(map, path, "a resource rule sets nothing", { expected: "gpus_per_trial and/or trials_per_gpu", found: "neither" });
    return undefined;
  }
  return { when, ...(gpusPerTrial !== undefined ? { gpusPerTrial } : {}), ...(trialsPerGpu !== undefined ? { trialsPerGpu } : {}) };
}

function readWhen(c: Checker, node: Node | null, path: string, fallback: Node, params: readonly ParamSpec[] | undefined): Record<string, readonly ResourceValue[]> | undefined {
  const map = c.map(node, path, fallback, "a mapping of parameter names to a value or a list of values");
  if (map === undefined) return undefined;
  const when: Record<string, readonly ResourceValue[]> = {};
  let ok = true;
  for (const entry of c.entries(map, path)) {
    const values = isSeq(entry.value)
      ? readList(c, entry.value, entry.path, "a list of values", (item, itemPath) => readValue(c, item, itemPath))
      : optionalList(readValue(c, entry.value, entry.path));
    if (values === undefined || values.length === 0) {
      if (values !== undefined) c.expected(entry.value, entry.path, "at least one value");
      ok = false;
      continue;
    }
    if (params !== undefined) {
      const spec = params.find((p) => p.name === entry.key);
      if (spec === undefined) {
        c.unknownKey(entry, params.map((p) => p.name), { why: `"when" names "${entry.key}", which is not a parameter of this sweep` });
        ok = false;
        continue;
      }
      if (!checkValues(c, entry.value, entry.path, spec, values)) ok = false;
    }
    when[entry.key] = values;
  }
  if (ok && Object.keys(when).length === 0) {
    c.expected(node, path, "at least one parameter");
    return undefined;
  }
  return ok ? when : undefined;
}

function optionalList<T>(value: T | undefined): T[] | undefined {
  return value === undefined ? undefined : [value];
}

function readValue(c: Checker, node: Node | null, path: string): ResourceValue | undefined {
  if (isScalar(node) && (typeof node.value === "string" || typeof node.value === "number" || typeof node.value === "boolean" || node.value === null)) {
    return node.value as ResourceValue;
  }
  c.expected(node, path, "a parameter value (string, number, boolean or null)");
  return undefined;
}

/** Every listed value must be one the parameter can take; only listable parameters can be matched on. */
function checkValues(c: Checker, node: Node | null, path: string, spec: ParamSpec, values: readonly ResourceValue[]): boolean {
  const possible = listableValues(spec.dist);
  if (possible === "integers") {
    const bad = values.find((v) => typeof v !== "number" || !Number.isInteger(v));
    if (bad === undefined) return true;
    c.error(node, path, `"${spec.name}" is an integer parameter; ${JSON.stringify(bad)} can never match`, { expected: "whole numbers", found: JSON.stringify(bad) });
    return false;
  }
  if (possible === undefined) {
    c.error(node, path, `"${spec.name}" is a ${spec.dist.kind} parameter: its values cannot be listed, so a rule cannot match on it`, {
      expected: "a categorical (values), constant (value) or int_uniform parameter",
      found: spec.dist.kind,
    });
    return false;
  }
  const bad = values.filter((v) => !possible.some((p) => p === v));
  if (bad.length === 0) return true;
  c.error(node, path, `${bad.map((v) => JSON.stringify(v)).join(", ")} ${bad.length === 1 ? "is" : "are"} not among the values of "${spec.name}"`, {
    expected: `one of ${possible.map((v) => JSON.stringify(v)).join(", ")}`,
    found: bad.map((v) => JSON.stringify(v)).join(", "),
  });
  return false;
}

function listableValues(dist: Distribution): readonly unknown[] | "integers" | undefined {
  if (dist.kind === "categorical") return dist.values;
  if (dist.kind === "constant") return [dist.value];
  if (dist.kind === "int_uniform") return "integers";
  return undefined;
}

/** The first rule whose `when` matches `params` (flat, dotted names), or undefined. */
export function matchingRule(rules: readonly ResourceRule[], params: Readonly<Record<string, unknown>>): { rule: ResourceRule; index: number } | undefined {
  const index = rules.findIndex((rule) => Object.entries(rule.when).every(([name, values]) => values.some((v) => v === params[name])));
  return index === -1 ? undefined : { rule: rules[index]!, index };
}
