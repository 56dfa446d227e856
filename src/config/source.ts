/**
 * Parsing sweep-file text into a YAML node tree that remembers where every node came from.
 *
 * JSON goes through the same parser (JSON is a subset of YAML 1.2), so JSON files get the same line and
 * column positions as YAML files, and the validator only ever walks one kind of tree.
 */
import { LineCounter, parseDocument, type Alias, type Document, type Node, type YAMLError } from "yaml";
import { SWEEP_FILE_LIMITS, checkTree, nestingTooDeep, scanNesting, tokenScanDepth, type SweepFileLimits } from "./limits.js";
import { escapeControl } from "../terminal-text.js";
import type { Diagnostic } from "./types.js";

export type SourceFormat = "yaml" | "json";

/** A parsed sweep file: its node tree plus what is needed to turn offsets into line:column. */
export interface SourceFile {
  readonly text: string;
  readonly file?: string;
  readonly format: SourceFormat;
  readonly doc: Document.Parsed;
  /** 1-based line and column of a character offset. */
  position(offset: number): { line: number; column: number };
  /** The node an alias refers to (the last node with its anchor before it), or undefined if none. */
  aliasTarget(alias: Alias): Node | undefined;
}

export interface ParsedSource {
  readonly source: SourceFile;
  /** YAML/JSON syntax errors and warnings, already positioned. */
  readonly diagnostics: Diagnostic[];
}

/**
 * Parses `text`, refusing (with positioned errors) documents beyond `limits`: absurd nesting before the
 * parser recurses into it, and after parsing whatever the tree walk of limits.ts finds. The file size is
 * the caller's to check, before reading (load.ts).
 */
export function parseSource(text: string, format: SourceFormat, file?: string, limits: SweepFileLimits = SWEEP_FILE_LIMITS): ParsedSource {
  const deepAt = scanNesting(text, tokenScanDepth(limits));
  if (deepAt !== undefined) return refuseUnparsed(text, format, file, deepAt, limits);

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    keepSourceTokens: true,
    prettyErrors: false,
    // The validator reports duplicate keys itself, with the key path and both positions.
    uniqueKeys: false,
    // The JSON schema rejects YAML-only plain scalars (`foo`, `.inf`, `0x10`) in a .json file.
    schema: format === "json" ? "json" : "core",
    version: "1.2",
  });
  const tree = checkTree(doc, limits);
  const source: SourceFile = {
    text,
    ...(file !== undefined ? { file } : {}),
    format,
    doc,
    position(offset) {
      const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
      return { line, column: col };
    },
    aliasTarget: (alias) => tree.aliasTargets.get(alias),
  };
  const diagnostics = [
    ...doc.errors.map((e) => syntaxDiagnostic(source, e, "error", limits)),
    ...doc.warnings.map((e) => syntaxDiagnostic(source, e, "warning", limits)),
    ...tree.problems.map((p): Diagnostic => {
      const { line, column } = source.position(p.node.range?.[0] ?? 0);
      return { severity: "error", ...(file !== undefined ? { file } : {}), line, column, path: escapeControl(p.path), message: p.message, expected: p.expected, found: p.found };
    }),
  ];
  return { source, diagnostics };
}

/** A document nested too deeply to hand to the parser: an empty tree and one error at the offending token. */
function refuseUnparsed(text: string, format: SourceFormat, file: string | undefined, offset: number, limits: SweepFileLimits): ParsedSource {
  const position = (at: number) => {
    const end = Math.max(0, Math.min(at, text.length));
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: end - lineStart + 1 };
  };
  const source: SourceFile = {
    text,
    ...(file !== undefined ? { file } : {}),
    format,
    doc: parseDocument(""),
    position,
    aliasTarget: () => undefined,
  };
  const diagnostic: Diagnostic = { severity: "error", ...(file !== undefined ? { file } : {}), ...position(offset), path: "", ...nestingTooDeep(limits) };
  return { source, diagnostics: [diagnostic] };
}

function syntaxDiagnostic(source: SourceFile, e: YAMLError, severity: "error" | "warning", limits: SweepFileLimits): Diagnostic {
  const { line, column } = source.position(e.pos[0]);
  const format = source.format === "json" ? "JSON" : "YAML";
  let message = `${format} syntax: ${escapeControl(firstLine(e.message))}`;
  if (e.code === "RESOURCE_EXHAUSTION") {
    // The composer recursed until the stack ran out: nesting the token scan could not see (indentation).
    return { severity: "error", ...(source.file !== undefined ? { file: source.file } : {}), line, column, path: "", ...nestingTooDeep(limits) };
  }
  if (e.code === "TAG_RESOLVE_FAILED" && source.format === "json") {
    const found = source.text.slice(e.pos[0], e.pos[1]);
    message = `JSON syntax: expected a quoted string, a number, true, false or null, found ${escapeControl(found)}`;
  } else if (e.code === "MULTIPLE_DOCS") {
    message = `${format} syntax: a sweep file holds one document, found a second one (a "---" line)`;
  }
  return {
    severity,
    ...(source.file !== undefined ? { file: source.file } : {}),
    line,
    column,
    path: "",
    message,
  };
}

/** The yaml package appends a code excerpt after the first line when pretty errors are on; keep the sentence. */
function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}
