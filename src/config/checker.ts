/**
 * The validation context: collects every diagnostic (so a file's errors are all reported at once) and
 * knows how to position a node and walk mappings safely.
 */
import { isAlias, isMap, isScalar, isSeq, type Node, type Scalar, type YAMLMap } from "yaml";
import { escapeControl } from "../terminal-text.js";
import { SWEEP_FILE_LIMITS, type SweepFileLimits } from "./limits.js";
import type { SourceFile } from "./source.js";
import { suggest } from "./suggest.js";
import type { Diagnostic } from "./types.js";

/** Where a diagnostic points: a node, or a raw character offset for things that have no node. */
export type Anchor = Node | number | null | undefined;

export interface Details {
  readonly expected?: string;
  readonly found?: string;
  readonly suggestion?: string;
}

/** One `key: value` of a mapping, with the key path of the value. */
export interface Entry {
  readonly key: string;
  readonly keyNode: Node;
  readonly value: Node | null;
  readonly path: string;
}

export class Checker {
  readonly diagnostics: Diagnostic[] = [];
  /** Key paths a did-you-mean pointed to, so "missing key" is not reported again for the same typo. */
  private readonly suggestedPaths = new Set<string>();

  constructor(
    readonly source: SourceFile,
    /** Lenient: unknown keys are warnings and ignored, as the W&B service treats them. */
    readonly lenient: boolean,
    readonly limits: SweepFileLimits = SWEEP_FILE_LIMITS,
  ) {}

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === "error");
  }

  error(at: Anchor, path: string, message: string, details: Details = {}): void {
    this.report("error", at, path, message, details);
  }

  warning(at: Anchor, path: string, message: string, details: Details = {}): void {
    this.report("warning", at, path, message, details);
  }

  /**
   * A key that does not belong where it is: an error, or a warning in lenient mode. `why` replaces the
   * default message; a did-you-mean is computed over `allowed` unless the caller has a better hint.
   */
  unknownKey(entry: Entry, allowed: Iterable<string>, options: { why?: string; suggest?: boolean } = {}): void {
    const candidates = [...allowed];
    const suggestion = options.suggest === false ? undefined : suggest(entry.key, candidates);
    if (suggestion !== undefined) {
      const parent = entry.path.slice(0, entry.path.length - entry.key.length).replace(/\.$/, "");
      this.suggestedPaths.add(joinPath(parent, suggestion));
    }
    const reason = options.why ?? `unknown key "${entry.key}"`;
    const message = this.lenient ? `${reason}; ignored` : reason;
    this.report(this.lenient ? "warning" : "error", entry.keyNode, entry.path, message, {
      expected: `one of ${candidates.join(", ")}`,
      found: entry.key,
      ...(suggestion !== undefined ? { suggestion } : {}),
    });
  }

  /** Reports a required key as missing, unless a misspelling of it was already reported with a did-you-mean. */
  missingKey(at: Anchor, parentPath: string, key: string, message: string, details: Details = {}): void {
    if (this.suggestedPaths.has(joinPath(parentPath, key))) return;
    this.error(at, parentPath, message, { found: "nothing", ...details });
  }

  /** Reports a type mismatch: `expected <what>, found <node>`. */
  expected(at: Node | null | undefined, path: string, what: string, fallback?: Anchor): void {
    const found = describeFound(at);
    this.error(at ?? fallback, path, `expected ${what}, found ${found}`, { expected: what, found });
  }

  /**
   * Follows `*alias` references to the anchored node; reports an alias whose anchor is missing. Targets
   * come from the limits walk (limits.ts), which also refused circular aliases before validation began.
   */
  resolve(node: unknown, path: string): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = this.source.aliasTarget(node);
      if (target === undefined) {
        this.error(node, path, `alias *${node.source} refers to no anchor &${node.source}`);
        return null;
      }
      return target as Node;
    }
    return node as Node;
  }

  /**
   * The entries of a mapping in file order. Reports duplicate keys (as errors, naming the first occurrence)
   * and keys that are not plain scalars; those entries are skipped.
   */
  entries(map: YAMLMap, path: string): Entry[] {
    const seen = new Map<string, Node>();
    const result: Entry[] = [];
    for (const pair of map.items) {
      const keyNode = this.resolve(pair.key, path);
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === "object") {
        this.error(keyNode ?? map, path, `expected a plain key, found ${describeFound(keyNode)}`);
        continue;
      }
      const key = String(keyNode.value);
      const childPath = joinPath(path, key);
      const first = seen.get(key);
      if (first !== undefined) {
        const { line, column } = this.locate(first);
        this.error(keyNode, childPath, `duplicate key "${key}" (first defined at ${line}:${column})`);
        continue;
      }
      seen.set(key, keyNode);
      result.push({ key, keyNode, value: this.resolve(pair.value, childPath), path: childPath });
    }
    return result;
  }

  /** The mapping at `node`, or undefined after reporting what was found instead. */
  map(node: Node | null, path: string, fallback: Anchor, what = "a mapping"): YAMLMap | undefined {
    if (isMap(node)) return node;
    this.expected(node, path, what, fallback);
    return undefined;
  }

  locate(at: Anchor): { line: number; column: number } {
    if (typeof at === "number") return this.source.position(at);
    const start = at?.range?.[0];
    return this.source.position(start ?? 0);
  }

  /**
   * Keys and values of the file end up in the messages, which are printed on terminals (validate, run's
   * warnings) and kept as data (`--format json`): their control characters are escaped here, once.
   */
  private report(severity: Diagnostic["severity"], at: Anchor, path: string, message: string, details: Details) {
    const { line, column } = this.locate(at);
    const safe = Object.fromEntries(
      Object.entries(details).map(([k, v]) => [k, typeof v === "string" ? escapeControl(v) : v]),
    ) as Details;
    this.diagnostics.push({
      severity,
      ...(this.source.file !== undefined ? { file: this.source.file } : {}),
      line,
      column,
      path: escapeControl(path),
      message: escapeControl(message),
      ...safe,
    });
  }
}

export function joinPath(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** A short, quotable description of a node for "found ..." messages. */
export function describeFound(node: Node | null | undefined): string {
  if (node === null || node === undefined) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) return describeScalar(node);
  return "an unsupported YAML node";
}

function describeScalar(node: Scalar): string {
  const value = node.value;
  if (value === null) return node.source === "" || node.source === undefined ? "nothing" : "null";
  if (typeof value === "string") {
    const text = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(text);
  }
  if (typeof value === "number") return node.source !== undefined && node.source !== "" ? node.source : String(value);
  return String(value);
}

/** Whether `node` is a scalar whose value is null (`key:` with nothing, `~`, `null`). */
export function isNullScalar(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}
