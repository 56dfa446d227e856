/**
 * Our own `sweep:` block (snake_case keys) -> `SweepSettings` (camelCase). CLI flags override these later;
 * the same value parsers (durations, GPU lists) are exported for the CLI so a flag and a file key accept
 * exactly the same spellings.
 */
import { isScalar, isSeq, type Node } from "yaml";
import { type Checker, indexPath, isNullScalar } from "./checker.js";
import { parseDuration } from "./duration.js";
import { OBJECTIVES, SWEEP_SETTING_KEYS, type SweepSettingName } from "./keys.js";
import { plainValue, readBoolean, readEnum, readNumber, readString } from "./read.js";
import { readResourceRules } from "./resources.js";
import type { ParamSpec } from "../space/types.js";
import type { SweepSettings } from "./types.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const GPU_EXPECTED = '"all", a comma-separated list of GPU indices such as "0,2,3", an index, or a list of indices';

/**
 * "all" stays "all"; "0, 2,3" -> "0,2,3"; undefined when the text is not a GPU selection or repeats an index.
 */
export function normaliseGpuSelection(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === "all") return "all";
  const parts = trimmed.split(",").map((p) => p.trim());
  if (!parts.every((p) => /^\d+$/.test(p))) return undefined;
  return joinGpuIndices(parts.map(Number));
}

function joinGpuIndices(indices: readonly number[]): string | undefined {
  if (indices.length === 0 || new Set(indices).size !== indices.length) return undefined;
  return indices.join(",");
}

/** `params`: the sweep's parameters when they could be read, so resource rules are checked against them. */
export function readSweepSettings(c: Checker, node: Node | null, path: string, fallback: Node, params?: readonly ParamSpec[]): SweepSettings {
  const settings: Mutable<SweepSettings> = {};
  // `sweep:` with everything commented out below it is an empty block, not a mistake.
  if (isNullScalar(node)) return settings;
  const map = c.map(node, path, fallback);
  if (map === undefined) return settings;
  for (const entry of c.entries(map, path)) {
    if (!Object.hasOwn(SWEEP_SETTING_KEYS, entry.key)) {
      c.unknownKey(entry, Object.keys(SWEEP_SETTING_KEYS));
      continue;
    }
    const key = entry.key as SweepSettingName;
    const value = entry.value;
    const p = entry.path;
    switch (key) {
      case "seed":
        assign(settings, "seed", readNumber(c, value, p, { integer: true, min: 0 }));
        break;
      case "storage":
        assign(settings, "storage", readString(c, value, p));
        break;
      case "gpus":
        assign(settings, "gpus", readGpus(c, value, p));
        break;
      case "trials_per_gpu":
        assign(settings, "trialsPerGpu", readNumber(c, value, p, { integer: true, min: 1 }));
        break;
      case "gpus_per_trial":
        assign(settings, "gpusPerTrial", readNumber(c, value, p, { integer: true, min: 1 }));
        break;
      case "parallel":
        assign(settings, "parallel", readNumber(c, value, p, { integer: true, min: 1 }));
        break;
      case "trial_timeout":
        assign(settings, "trialTimeout", readTimeout(c, value, p));
        break;
      case "max_retries":
        assign(settings, "maxRetries", readNumber(c, value, p, { integer: true, min: 0 }));
        break;
      case "objective":
        assign(settings, "objective", readEnum(c, value, p, OBJECTIVES));
        break;
      case "resources":
        assign(settings, "resources", readResourceRules(c, value, p, params));
        break;
      case "wandb_shim":
        assign(settings, "wandbShim", readBoolean(c, value, p));
        break;
      case "sampler":
      case "pruner": {
        const options = c.map(value, p, entry.keyNode, "a mapping of options");
        if (options !== undefined) {
          assign(settings, key, plainValue(c, options, p) as Record<string, unknown>);
        }
        break;
      }
    }
  }
  return settings;
}

function assign<K extends keyof SweepSettings>(settings: Mutable<SweepSettings>, key: K, value: SweepSettings[K]) {
  if (value !== undefined) settings[key] = value;
}

function readGpus(c: Checker, node: Node | null, path: string): string | undefined {
  if (isScalar(node) && typeof node.value === "string") {
    const gpus = normaliseGpuSelection(node.value);
    if (gpus === undefined) {
      const repeats = /^\s*\d+(\s*,\s*\d+)+\s*$/.test(node.value) ? " (each GPU index at most once)" : "";
      c.expected(node, path, GPU_EXPECTED + repeats);
    }
    return gpus;
  }
  if (isScalar(node) && typeof node.value === "number") {
    const index = readNumber(c, node, path, { integer: true, min: 0 });
    return index === undefined ? undefined : String(index);
  }
  if (isSeq(node)) {
    const indices: number[] = [];
    let ok = true;
    node.items.forEach((item, i) => {
      const itemPath = indexPath(path, i);
      const index = readNumber(c, c.resolve(item, itemPath), itemPath, { integer: true, min: 0 });
      if (index === undefined) ok = false;
      else indices.push(index);
    });
    if (!ok) return undefined;
    const gpus = joinGpuIndices(indices);
    if (gpus === undefined) {
      c.error(node, path, `expected a non-empty list of distinct GPU indices, found [${indices.join(", ")}]`, {
        expected: "a non-empty list of distinct GPU indices",
        found: `[${indices.join(", ")}]`,
      });
    }
    return gpus;
  }
  c.expected(node, path, GPU_EXPECTED);
  return undefined;
}

function readTimeout(c: Checker, node: Node | null, path: string): number | undefined {
  const what = 'seconds > 0, or a duration such as "90s", "30m", "2h", "1h30m"';
  if (isScalar(node) && typeof node.value === "number") {
    if (Number.isFinite(node.value) && node.value > 0) return node.value;
  } else if (isScalar(node) && typeof node.value === "string") {
    const seconds = parseDuration(node.value);
    if (seconds !== undefined && seconds > 0) return seconds;
  }
  c.expected(node, path, what);
  return undefined;
}
