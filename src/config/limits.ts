/**
 * Limits on sweep files, so a hostile or broken file is refused in milliseconds with a positioned error
 * instead of taking minutes, gigabytes, or the process (a YAML alias bomb, a 20 MB file, 800k parameters,
 * thousands of nested brackets).
 *
 * The checks run from cheapest to dearest and each stops the load at the first problem:
 *   1. the file's size, from `fstat`, before a byte is read (and a bounded read for pipes);
 *   2. a scan of the YAML tokens for absurd flow/compact nesting, before the parser builds a tree
 *      (the yaml package's composer recurses, and thousands of `[` cost seconds before it gives up);
 *   3. one iterative walk of the parsed tree: nesting depth, list lengths, string lengths, alias count,
 *      circular aliases, and how many nodes the aliases add when expanded (billion laughs).
 * The number of parameters is checked while the parameters are read (parameters.ts).
 *
 * Figures (docs/sweep-file.md#limits): the yaml package parses about 1 MiB per 1-2 s on a small shared
 * machine, so 256 KiB keeps the worst file within the limit at a few hundred milliseconds, and is still
 * some 250 times the size of a typical sweep file.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { CST, Lexer, isAlias, isMap, isPair, isScalar, isSeq, type Alias, type Document, type Node } from "yaml";
import type { Diagnostic } from "./types.js";

export interface SweepFileLimits {
  /** Size of the file (or text) in bytes. */
  readonly maxFileBytes: number;
  /** Levels of mappings and lists, the document's root mapping being level 1. */
  readonly maxDepth: number;
  /** `*alias` references in the file. */
  readonly maxAliases: number;
  /** Nodes that the aliases add when they are expanded, all aliases together. */
  readonly maxAliasExpansion: number;
  /** Characters in one string (key or value). */
  readonly maxStringLength: number;
  /** Items in one list (`values:`, `command:`, ...). */
  readonly maxListItems: number;
  /** Leaf parameters, nested ones included. */
  readonly maxParameters: number;
}

export const SWEEP_FILE_LIMITS: SweepFileLimits = Object.freeze({
  maxFileBytes: 256 * 1024,
  maxDepth: 32,
  maxAliases: 100,
  maxAliasExpansion: 10_000,
  maxStringLength: 16 * 1024,
  maxListItems: 10_000,
  maxParameters: 1_000,
});

/** Nesting beyond this many levels is refused from the tokens alone, before the parser recurses into it. */
const TOKEN_SCAN_DEPTH_FACTOR = 4;

export function resolveLimits(overrides: Partial<SweepFileLimits> = {}): SweepFileLimits {
  return { ...SWEEP_FILE_LIMITS, ...definedOnly(overrides) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** "256 KiB", "20.0 MiB", "812 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Number.isInteger(bytes / 1024) ? bytes / 1024 : (bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function tooLarge(bytes: number | undefined, limits: SweepFileLimits, file: string | undefined): Diagnostic {
  const exactly = (n: number) => (n < 1024 ? formatBytes(n) : `${formatBytes(n)} (${n} bytes)`);
  const found = bytes === undefined ? `more than ${formatBytes(limits.maxFileBytes)}` : exactly(bytes);
  return {
    severity: "error",
    ...(file !== undefined ? { file } : {}),
    line: 1,
    column: 1,
    path: "",
    message: `the sweep file is too large: ${found}; at most ${formatBytes(limits.maxFileBytes)} is allowed`,
    expected: `a sweep file of at most ${exactly(limits.maxFileBytes)}`,
    found,
  };
}

/** The size check for text handed to the library (`parseSweepConfig`): bytes of its UTF-8 encoding. */
export function checkTextSize(text: string, limits: SweepFileLimits, file?: string): Diagnostic | undefined {
  // Each UTF-16 unit is at least one byte and at most three: decide without encoding when possible.
  if (text.length * 3 <= limits.maxFileBytes) return undefined;
  const bytes = text.length > limits.maxFileBytes ? undefined : Buffer.byteLength(text, "utf8");
  if (bytes !== undefined && bytes <= limits.maxFileBytes) return undefined;
  return tooLarge(bytes ?? Buffer.byteLength(text, "utf8"), limits, file);
}

export type BoundedRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly diagnostic: Diagnostic };

/**
 * Reads a sweep file, refusing one over the size limit by its `fstat` size before reading it. Files whose
 * size `fstat` cannot tell (pipes, `<(...)`, devices) are read only up to one byte past the limit.
 * Errors opening or reading the file are thrown as they are.
 */
export function readBounded(path: string, limits: SweepFileLimits): BoundedRead {
  const fd = openSync(path, "r");
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.size > limits.maxFileBytes) return { ok: false, diagnostic: tooLarge(stat.size, limits, path) };
    const buffer = Buffer.alloc(limits.maxFileBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > limits.maxFileBytes) return { ok: false, diagnostic: tooLarge(stat.isFile() ? stat.size : undefined, limits, path) };
    return { ok: true, text: buffer.toString("utf8", 0, length) };
  } finally {
    closeSync(fd);
  }
}

/** Marker tokens the yaml lexer adds that are not part of the source text. */
const SYNTHETIC_TOKENS = new Set(["\u0002", "\u0018", "\u001f"]);

/**
 * Offset of the first bracket or compact block indicator at which the nesting is certainly deeper than
 * `maxDepth`, from the lexer's tokens alone (linear, no recursion). Flow collections (`[`, `{`) nest across
 * lines; compact block collections (`- - - x`, `- ? - x`) nest within one line. Indentation-nested
 * mappings cost quadratic space, so a file within the size limit cannot nest them deep enough to matter
 * here; the tree walk counts them exactly.
 */
export function scanNesting(text: string, maxDepth: number): number | undefined {
  // Every level takes one of these characters: with few of them, no need to lex (most files).
  let indicators = 0;
  for (let i = 0; i < text.length && indicators <= maxDepth; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x5b || ch === 0x7b || ch === 0x2d || ch === 0x3f) indicators++; // [ { - ?
  }
  if (indicators <= maxDepth) return undefined;

  let offset = 0;
  let flow = 0;
  let compact = 0;
  let scalarNext = false;
  for (const token of new Lexer().lex(text)) {
    if (SYNTHETIC_TOKENS.has(token)) {
      scalarNext = token === "\u001f";
      continue;
    }
    const start = offset;
    offset += token.length;
    if (scalarNext) {
      // The text of a scalar (block scalars included): brackets in it are characters, not structure.
      scalarNext = false;
      continue;
    }
    switch (CST.tokenType(token)) {
      case "flow-map-start":
      case "flow-seq-start":
        flow++;
        break;
      case "flow-map-end":
      case "flow-seq-end":
        flow = Math.max(0, flow - 1);
        break;
      case "seq-item-ind":
      case "explicit-key-ind":
        compact++;
        break;
      case "newline":
        compact = 0;
        break;
      default:
        continue;
    }
    if (flow + compact > maxDepth) return start;
  }
  return undefined;
}

/** The error for nesting found by `scanNesting`: no tree yet, so no key path. */
export function nestingTooDeep(limits: SweepFileLimits): { message: string; expected: string; found: string } {
  const scanLimit = tokenScanDepth(limits);
  return {
    message: `nesting too deep: more than ${scanLimit} levels of mappings and lists; at most ${limits.maxDepth} are allowed`,
    expected: `at most ${limits.maxDepth} levels of mappings and lists`,
    found: `more than ${scanLimit} levels`,
  };
}

/** The depth at which the token scan refuses a file before parsing it (a multiple of the exact limit). */
export function tokenScanDepth(limits: SweepFileLimits): number {
  return limits.maxDepth * TOKEN_SCAN_DEPTH_FACTOR;
}

/** A problem found by the tree walk: where (a node), the key path, and the words. */
export interface LimitProblem {
  readonly node: Node;
  readonly path: string;
  readonly message: string;
  readonly expected: string;
  readonly found: string;
}

export interface TreeCheck {
  readonly problems: LimitProblem[];
  /** Every alias's node, resolved once in document order (yaml's own `Alias.resolve` walks the whole document each call). */
  readonly aliasTargets: ReadonlyMap<Alias, Node>;
}

interface Frame {
  readonly node: unknown;
  readonly path: string;
  /** Levels of collections around this node. */
  readonly depth: number;
}

function joinPath(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  if (isAlias(key)) return `*${key.source}`;
  return "?";
}

/**
 * One walk of the parsed tree in document order, without following aliases: depth, list and string
 * lengths, alias count; then circular aliases and the alias expansion, each node counted once.
 * At most one problem of each kind is reported (the first, in file order).
 */
export function checkTree(doc: Document.Parsed, limits: SweepFileLimits): TreeCheck {
  const problems: LimitProblem[] = [];
  const reported = new Set<string>();
  const report = (kind: string, problem: LimitProblem) => {
    if (reported.has(kind)) return;
    reported.add(kind);
    problems.push(problem);
  };
  const anchors = new Map<string, Node>();
  const aliasTargets = new Map<Alias, Node>();
  const aliases: { alias: Alias; path: string }[] = [];
  let aliasCount = 0;
  let firstExtraAlias: { alias: Alias; path: string } | undefined;

  const stack: Frame[] = [{ node: doc.contents, path: "", depth: 0 }];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (node === null || node === undefined) continue;
    if (isAlias(node)) {
      aliasCount++;
      const target = anchors.get(node.source);
      if (target !== undefined) aliasTargets.set(node, target);
      aliases.push({ alias: node, path });
      if (aliasCount === limits.maxAliases + 1) firstExtraAlias = { alias: node, path };
      continue;
    }
    const anchor = (node as Node).anchor;
    if (anchor) anchors.set(anchor, node as Node);
    if (isScalar(node)) {
      if (typeof node.value === "string" && node.value.length > limits.maxStringLength) {
        report("string", {
          node,
          path,
          message: `string too long: ${node.value.length} characters; at most ${limits.maxStringLength} are allowed`,
          expected: `a string of at most ${limits.maxStringLength} characters`,
          found: `${node.value.length} characters`,
        });
      }
      continue;
    }
    if (!isMap(node) && !isSeq(node)) continue;
    const level = depth + 1;
    if (level > limits.maxDepth) {
      report("depth", {
        node,
        path,
        message: `nesting too deep: more than ${limits.maxDepth} levels of mappings and lists`,
        expected: `at most ${limits.maxDepth} levels of mappings and lists`,
        found: `a mapping or list at level ${level}`,
      });
      continue;
    }
    if (isSeq(node)) {
      if (node.items.length > limits.maxListItems) {
        report("list", {
          node,
          path,
          message: `list too long: ${node.items.length} items; at most ${limits.maxListItems} are allowed`,
          expected: `a list of at most ${limits.maxListItems} items`,
          found: `${node.items.length} items`,
        });
        continue;
      }
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i], path: `${path}[${i}]`, depth: level });
      continue;
    }
    for (let i = node.items.length - 1; i >= 0; i--) {
      const pair = node.items[i]!;
      if (!isPair(pair)) continue;
      const childPath = joinPath(path, keyText(pair.key));
      // Pushed value first so the key is visited first (anchors on keys precede aliases in their values).
      stack.push({ node: pair.value, path: childPath, depth: level });
      stack.push({ node: pair.key, path: childPath, depth: level });
    }
  }

  if (firstExtraAlias !== undefined) {
    report("aliases", {
      node: firstExtraAlias.alias,
      path: firstExtraAlias.path,
      message: `too many aliases: ${aliasCount}; at most ${limits.maxAliases} are allowed`,
      expected: `at most ${limits.maxAliases} aliases`,
      found: `${aliasCount} aliases`,
    });
  }
  if (problems.length === 0 && aliases.length > 0) checkExpansion(aliases, aliasTargets, limits, report);
  return { problems, aliasTargets };
}

class CircularAlias {
  constructor(readonly alias: Alias) {}
}

/**
 * The fully expanded document has as many nodes as the literal one, plus, for every alias written, the
 * expanded size of its target. Sizes are memoised per node, so this is linear in the literal document
 * however much the aliases would multiply it. A target still being sized when an alias inside it is met
 * is a circular reference (`&a [*a]`), which the validator could never finish walking.
 */
function checkExpansion(
  aliases: readonly { alias: Alias; path: string }[],
  targets: ReadonlyMap<Alias, Node>,
  limits: SweepFileLimits,
  report: (kind: string, problem: LimitProblem) => void,
): void {
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  const CAP = Number.MAX_SAFE_INTEGER;
  const sizeOf = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      const target = targets.get(node);
      if (target === undefined) return 1;
      if (open.has(target)) throw new CircularAlias(node);
      return sizeOf(target);
    }
    const known = sizes.get(node as Node);
    if (known !== undefined) return known;
    let size = 1;
    open.add(node as Node);
    if (isSeq(node)) for (const item of node.items) size = Math.min(CAP, size + sizeOf(item));
    else if (isMap(node)) {
      for (const pair of node.items) if (isPair(pair)) size = Math.min(CAP, size + sizeOf(pair.key) + sizeOf(pair.value));
    }
    open.delete(node as Node);
    sizes.set(node as Node, size);
    return size;
  };

  let added = 0;
  for (const { alias, path } of aliases) {
    const target = targets.get(alias);
    if (target === undefined) continue;
    let size: number;
    try {
      size = sizeOf(target);
    } catch (error) {
      if (!(error instanceof CircularAlias)) throw error;
      const at = error.alias;
      const where = aliases.find((a) => a.alias === at)?.path ?? path;
      report("circular", {
        node: at,
        path: where,
        message: `alias *${at.source} refers to a node that contains it (a circular reference)`,
        expected: `an alias to a node outside the anchor &${at.source}`,
        found: `*${at.source} inside &${at.source}`,
      });
      return;
    }
    added = Math.min(CAP, added + size);
    if (added > limits.maxAliasExpansion) {
      report("expansion", {
        node: alias,
        path,
        message:
          `aliases expand the file too much: with *${alias.source} (${size} nodes) they add ${added} nodes; ` +
          `at most ${limits.maxAliasExpansion} are allowed (an alias bomb?)`,
        expected: `aliases adding at most ${limits.maxAliasExpansion} nodes in all`,
        found: `${added} nodes`,
      });
      return;
    }
  }
}
