/**
 * Typed readers for scalar and list nodes. Each returns the value, or undefined after reporting
 * `expected X, found Y` at the node, so callers can keep validating the rest of the file.
 */
import { isScalar, isSeq, type Node } from "yaml";
import { type Anchor, type Checker, indexPath } from "./checker.js";
import { suggest } from "./suggest.js";

export interface NumberRule {
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Exclusive lower bound. */
  readonly above?: number;
}

/** "a number", "an integer >= 1", "a number > 0" — the phrase used in `expected ...`. */
function describeNumberRule(rule: NumberRule = {}): string {
  let text = rule.integer ? "an integer" : "a number";
  if (rule.min !== undefined) text += ` >= ${rule.min}`;
  if (rule.above !== undefined) text += ` > ${rule.above}`;
  return text;
}

export function readNumber(c: Checker, node: Node | null, path: string, rule: NumberRule = {}): number | undefined {
  const what = describeNumberRule(rule);
  if (!isScalar(node) || typeof node.value !== "number") {
    c.expected(node, path, what);
    return undefined;
  }
  const value = node.value;
  if (!Number.isFinite(value)) {
    c.expected(node, path, `a finite ${what.replace(/^an? /, "")}`);
    return undefined;
  }
  const fails =
    (rule.integer === true && !Number.isInteger(value)) ||
    (rule.min !== undefined && value < rule.min) ||
    (rule.above !== undefined && value <= rule.above);
  if (fails) {
    c.expected(node, path, what);
    return undefined;
  }
  return value;
}

export function readString(c: Checker, node: Node | null, path: string, nonEmpty = true): string | undefined {
  if (!isScalar(node) || typeof node.value !== "string" || (nonEmpty && node.value.trim() === "")) {
    c.expected(node, path, nonEmpty ? "a non-empty string" : "a string");
    return undefined;
  }
  return node.value;
}

export function readBoolean(c: Checker, node: Node | null, path: string): boolean | undefined {
  if (!isScalar(node) || typeof node.value !== "boolean") {
    c.expected(node, path, "true or false");
    return undefined;
  }
  return node.value;
}

/** One of a fixed set of strings, with a did-you-mean for near misses. */
export function readEnum<T extends string>(
  c: Checker,
  node: Node | null,
  path: string,
  options: readonly T[],
): T | undefined {
  const what = `one of ${options.join(", ")}`;
  if (isScalar(node) && typeof node.value === "string" && (options as readonly string[]).includes(node.value)) {
    return node.value as T;
  }
  if (isScalar(node) && typeof node.value === "string") {
    const suggestion = suggest(node.value, options);
    c.error(node, path, `expected ${what}, found ${JSON.stringify(node.value)}`, {
      expected: what,
      found: JSON.stringify(node.value),
      ...(suggestion !== undefined ? { suggestion } : {}),
    });
    return undefined;
  }
  c.expected(node, path, what);
  return undefined;
}

/** A list whose items are read by `item`; undefined if it is not a list or any item is bad. */
export function readList<T>(
  c: Checker,
  node: Node | null,
  path: string,
  what: string,
  item: (node: Node | null, path: string) => T | undefined,
  fallback?: Anchor,
): T[] | undefined {
  if (!isSeq(node)) {
    c.expected(node, path, what, fallback);
    return undefined;
  }
  const values: T[] = [];
  let ok = true;
  node.items.forEach((raw, i) => {
    const itemPath = indexPath(path, i);
    const value = item(c.resolve(raw, itemPath), itemPath);
    if (value === undefined) ok = false;
    else values.push(value);
  });
  return ok ? values : undefined;
}

/**
 * The node as plain JSON-like data (mappings become objects, aliases are followed). The limits walk has
 * already bounded the aliases; yaml's own guard against alias expansion stays on as a second line, and
 * if it ever trips, it is an error at the node rather than an internal error.
 */
export function plainValue(c: Checker, node: Node | null, path = ""): unknown {
  if (node === null) return null;
  try {
    return node.toJS(c.source.doc, { maxAliasCount: c.limits.maxAliasExpansion });
  } catch (error) {
    if (!(error instanceof ReferenceError || error instanceof RangeError)) throw error;
    c.error(node, path, `aliases expand this value too much (${error.message})`, {
      expected: `aliases adding at most ${c.limits.maxAliasExpansion} nodes`,
      found: "more",
    });
    return null;
  }
}

/**
 * Whether a number was written as an integer literal (`3`, `-2`, `0x10`), not as a float (`3.0`, `1e3`).
 * W&B infers int_uniform from Python's int type, and YAML `1.0` or JSON `1.0` is a float there although
 * JavaScript cannot tell 1.0 from 1; the source text can.
 */
export function isIntegerLiteral(node: Node | null): boolean {
  if (!isScalar(node) || typeof node.value !== "number" || !Number.isInteger(node.value)) return false;
  const text = (node.source ?? String(node.value)).trim();
  return /^[-+]?(?:0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$/.test(text);
}
