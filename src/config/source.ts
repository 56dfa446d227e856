/**
 * Parsing sweep-file text into a YAML node tree that remembers where every node came from.
 *
 * JSON goes through the same parser (JSON is a subset of YAML 1.2), so JSON files get the same line and
 * column positions as YAML files, and the validator only ever walks one kind of tree.
 */
import { LineCounter, parseDocument, type Document, type YAMLError } from "yaml";
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
}

export interface ParsedSource {
  readonly source: SourceFile;
  /** YAML/JSON syntax errors and warnings, already positioned. */
  readonly diagnostics: Diagnostic[];
}

export function parseSource(text: string, format: SourceFormat, file?: string): ParsedSource {
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
  const source: SourceFile = {
    text,
    ...(file !== undefined ? { file } : {}),
    format,
    doc,
    position(offset) {
      const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
      return { line, column: col };
    },
  };
  const diagnostics = [
    ...doc.errors.map((e) => syntaxDiagnostic(source, e, "error")),
    ...doc.warnings.map((e) => syntaxDiagnostic(source, e, "warning")),
  ];
  return { source, diagnostics };
}

function syntaxDiagnostic(source: SourceFile, e: YAMLError, severity: "error" | "warning"): Diagnostic {
  const { line, column } = source.position(e.pos[0]);
  const format = source.format === "json" ? "JSON" : "YAML";
  let message = `${format} syntax: ${firstLine(e.message)}`;
  if (e.code === "TAG_RESOLVE_FAILED" && source.format === "json") {
    const found = source.text.slice(e.pos[0], e.pos[1]);
    message = `JSON syntax: expected a quoted string, a number, true, false or null, found ${found}`;
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
