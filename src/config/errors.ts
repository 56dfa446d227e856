/** Sweep-file diagnostics as text, and the error thrown when a sweep file has errors. */
import { escapeControl } from "../terminal-text.js";
import type { Diagnostic } from "./types.js";

/**
 * `sweeps/x.yaml:12:5 parameters.lr.min: expected a number, found "abc" (did you mean "values"?)`.
 * Location parts that are unknown are left out. The severity is not included: callers label it
 * (`ConfigError` marks warnings, the CLI prefixes `error:`/`warning:`). One line, fit for a terminal:
 * control characters from the file (a key "\x1b[2J") are escaped.
 */
export function formatDiagnostic(d: Diagnostic): string {
  return escapeControl(formatRaw(d));
}

function formatRaw(d: Diagnostic): string {
  const location = [d.file, d.line, d.column].filter((part) => part !== undefined && part !== "").join(":");
  const head = [location, d.path === "" ? "" : `${d.path}:`].filter((part) => part !== "").join(" ");
  const suggestion = d.suggestion !== undefined ? ` (did you mean ${JSON.stringify(d.suggestion)}?)` : "";
  const body = `${d.message}${suggestion}`;
  return head === "" ? body : `${head} ${body}`;
}

/** File order, so a long report reads top to bottom like the file. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Every problem of a sweep file at once (errors and the warnings found alongside), in file order. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const sorted = sortDiagnostics(diagnostics);
    super(ConfigError.render(sorted));
    this.diagnostics = sorted;
  }

  get errors(): Diagnostic[] {
    return this.diagnostics.filter((d) => d.severity === "error");
  }

  get warnings(): Diagnostic[] {
    return this.diagnostics.filter((d) => d.severity === "warning");
  }

  /** A summary line, then one line per diagnostic. */
  format(): string {
    return ConfigError.render(this.diagnostics);
  }

  private static render(diagnostics: readonly Diagnostic[]): string {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    const warnings = diagnostics.length - errors;
    const file = diagnostics.find((d) => d.file !== undefined)?.file;
    const counts = warnings > 0 ? `${plural(errors, "error")}, ${plural(warnings, "warning")}` : plural(errors, "error");
    const summary = `invalid sweep file${file !== undefined ? ` ${escapeControl(file)}` : ""} (${counts}):`;
    const line = (d: Diagnostic) => `  ${d.severity === "warning" ? "warning: " : ""}${formatDiagnostic(d)}`;
    return [summary, ...diagnostics.map(line)].join("\n");
  }
}
