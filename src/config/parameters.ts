/**
 * The `parameters:` block -> a flat `SearchSpace`. Nested parameters (`optimizer: {parameters: {...}}`)
 * become dotted leaf names with their key path kept, in file order.
 */
import { isAlias, isMap, isScalar, isSeq, type Node, type YAMLMap } from "yaml";
import type { ParamSpec } from "../space/types.js";
import { type Anchor, type Checker, type Entry, describeFound } from "./checker.js";
import { resolveDistribution } from "./distribution.js";
import { paramFloats } from "./float-marks.js";
import { PARAMETER_NAME_PATTERN } from "./keys.js";

const NAME = new RegExp(PARAMETER_NAME_PATTERN);

/** Where a leaf parameter was written, so later checks (grid) can point at it. */
export interface ParamSource {
  /** The parameter's definition (its mapping). */
  readonly node: Node;
  /** Its name in the file. */
  readonly keyNode: Node;
  readonly path: string;
}

export interface ResolvedParameters {
  readonly params: ParamSpec[];
  readonly sources: ReadonlyMap<string, ParamSource>;
}

export function resolveParameters(c: Checker, node: Node | null, path: string, fallback: Anchor): ResolvedParameters {
  const params: ParamSpec[] = [];
  const sources = new Map<string, ParamSource>();
  const map = c.map(node, path, fallback, "a mapping of parameter names to parameter definitions");
  if (map !== undefined) {
    const tooMany = countOverLimit(c, map, path);
    if (tooMany !== undefined) {
      // Refused before any parameter is resolved: the count is the whole cost of finding out.
      const { entry, total } = tooMany;
      const max = c.limits.maxParameters;
      c.error(entry.keyNode, entry.path, `too many parameters: ${total}; at most ${max} are allowed`, {
        expected: `at most ${max} parameters`,
        found: `${total} parameters`,
      });
    } else {
      collect(c, map, path, [], params, sources);
    }
  }
  return { params, sources };
}

/**
 * When the block holds more leaf parameters than the limit: the entry of the first one too many (in file
 * order) and the total. Counts keys only (a nested block counts its leaves) and validates nothing; the
 * limits walk has already bounded the depth and refused circular aliases.
 */
function countOverLimit(c: Checker, root: YAMLMap, rootPath: string): { entry: { keyNode: Node; path: string }; total: number } | undefined {
  const max = c.limits.maxParameters;
  let total = 0;
  let first: { keyNode: Node; path: string } | undefined;
  const follow = (node: unknown): unknown => (isAlias(node) ? c.source.aliasTarget(node) : node);
  const count = (map: YAMLMap, path: string): void => {
    for (const pair of map.items) {
      const key = follow(pair.key);
      const childPath = `${path}.${isScalar(key) ? String(key.value) : "?"}`;
      const value = follow(pair.value);
      const nested = isMap(value) ? follow(value.get("parameters", true)) : undefined;
      if (isMap(nested)) {
        count(nested, `${childPath}.parameters`);
        continue;
      }
      total++;
      if (total === max + 1) first = { keyNode: (pair.key as Node | null) ?? map, path: childPath };
    }
  };
  count(root, rootPath);
  return first === undefined ? undefined : { entry: first, total };
}

function collect(
  c: Checker,
  map: YAMLMap,
  path: string,
  trail: readonly string[],
  params: ParamSpec[],
  sources: Map<string, ParamSource>,
): void {
  const entries = c.entries(map, path);
  if (entries.length === 0 && map.items.length === 0) {
    c.error(map, path, "expected at least one parameter, found an empty mapping", {
      expected: "at least one parameter",
      found: "an empty mapping",
    });
  }
  for (const entry of entries) {
    if (!NAME.test(entry.key)) {
      c.error(entry.keyNode, entry.path, `invalid parameter name ${JSON.stringify(entry.key)}`, {
        expected: "letters, digits, _, . and -, not starting with a digit",
        found: JSON.stringify(entry.key),
      });
    }
    if (!isMap(entry.value)) {
      reportNotAParameter(c, entry);
      continue;
    }
    const fields = c.entries(entry.value, entry.path);
    const nested = fields.find((f) => f.key === "parameters");
    const leafPath = [...trail, entry.key];
    if (nested !== undefined) {
      for (const other of fields) {
        if (other === nested) continue;
        c.unknownKey(other, ["parameters"], {
          why: `key "${other.key}" is not allowed beside "parameters" (a nested parameter holds only "parameters")`,
          suggest: false,
        });
      }
      const inner = c.map(nested.value, nested.path, nested.keyNode, "a mapping of nested parameters");
      if (inner !== undefined) collect(c, inner, nested.path, leafPath, params, sources);
      continue;
    }
    const dist = resolveDistribution(c, entry, entry.value, fields);
    if (dist === undefined) continue;
    const name = leafPath.join(".");
    const clash = sources.get(name);
    if (clash !== undefined) {
      const { line, column } = c.locate(clash.keyNode);
      const where = `${line}:${column} as ${clash.path}`;
      c.error(entry.keyNode, entry.path, `parameter name "${name}" is used twice (also at ${where})`);
      continue;
    }
    const floats = paramFloats(c, dist, entry.value);
    params.push({ name, path: leafPath, dist, ...(floats !== undefined ? { floats } : {}) });
    sources.set(name, { node: entry.value, keyNode: entry.keyNode, path: entry.path });
  }
}

/** `lr: 0.001` instead of `lr: {value: 0.001}` is the usual mistake; say how to write it. */
function reportNotAParameter(c: Checker, entry: Entry): void {
  const what = 'a mapping with "value", "values", "min" and "max", "distribution", or "parameters"';
  const found = describeFound(entry.value);
  let hint = "";
  if (isScalar(entry.value) && entry.value.value !== null) {
    hint = ` (for a constant write "${entry.key}: {value: ${entry.value.source ?? String(entry.value.value)}}")`;
  } else if (isSeq(entry.value)) {
    hint = ` (for choices write "${entry.key}: {values: [...]}")`;
  }
  c.error(entry.value ?? entry.keyNode, entry.path, `expected ${what}, found ${found}${hint}`, { expected: what, found });
}
