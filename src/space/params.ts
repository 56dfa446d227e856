/**
 * Flat trial parameters (what samplers and storage see) versus the nested config a trainer receives.
 */
import type { FlatParams, SearchSpace } from "./types.js";

/**
 * JSON with object keys sorted at every level, so two values that are equal as data give the same text
 * whatever order their keys were written in. `undefined` (a missing value) gets its own marker so it never
 * equals `null`.
 */
export function stableStringify(value: unknown): string {
  if (value === undefined) return "undefined";
  return JSON.stringify(sortKeysDeep(value));
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}

/** Equal as JSON data, ignoring key order: the notion of "same point" used for de-duplication. */
export function paramsEqual(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The nested trial config: each param's value placed at its `path`. Flat keys that are not in the space
 * (e.g. added by hand to an enqueued trial) are kept too, nested by splitting their name on dots.
 */
export function unflattenParams(space: SearchSpace, flat: FlatParams): Record<string, unknown> {
  const pathByName = new Map(space.params.map((p) => [p.name, p.path]));
  const nested: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(flat)) {
    const path = pathByName.get(name) ?? name.split(".");
    setAtPath(nested, path, value, name);
  }
  return nested;
}

function setAtPath(target: Record<string, unknown>, path: readonly string[], value: unknown, name: string): void {
  if (path.length === 0) throw new Error(`parameter "${name}" has an empty key path`);
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const child = node[key];
    if (child === undefined) {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    } else if (isPlainObject(child)) {
      node = child;
    } else {
      throw new Error(
        `parameter "${name}" needs "${path.slice(0, i + 1).join(".")}" to be an object, ` +
          `but another parameter set it to ${JSON.stringify(child)}`,
      );
    }
  }
  const leaf = path[path.length - 1]!;
  if (leaf in node) {
    throw new Error(
      `parameter "${name}" would overwrite "${path.join(".")}", which is already set to ${JSON.stringify(node[leaf])}`,
    );
  }
  node[leaf] = value;
}

/**
 * The inverse of `unflattenParams` for the space's params: reads each param's value from its path in a
 * nested config (e.g. one a user wants to enqueue). Params missing from the config are left out; keys the
 * space does not know are ignored.
 */
export function flattenConfig(space: SearchSpace, config: Readonly<Record<string, unknown>>): FlatParams {
  const flat: FlatParams = {};
  for (const param of space.params) {
    let node: unknown = config;
    let found = true;
    for (const key of param.path) {
      if (!isPlainObject(node) || !(key in node)) {
        found = false;
        break;
      }
      node = node[key];
    }
    if (found) flat[param.name] = node;
  }
  return flat;
}
