/** Entry points: sweep-file text or path -> `ResolvedSweep`, or a `ConfigError` listing every problem. */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { Checker } from "./checker.js";
import { ConfigError, sortDiagnostics } from "./errors.js";
import { parseSource, type SourceFormat } from "./source.js";
import { validateSweep } from "./sweep-config.js";
import type { ResolvedSweep } from "./types.js";

export interface ParseOptions {
  /** Shown in diagnostics; also picks the format when `format` is not given. */
  readonly file?: string;
  readonly format?: SourceFormat;
  /** Unknown keys become warnings (as the W&B service treats them) instead of errors. */
  readonly lenient?: boolean;
}

export function parseSweepConfig(text: string, opts: ParseOptions = {}): ResolvedSweep {
  const format = opts.format ?? (opts.file !== undefined ? formatFromPath(opts.file) : "yaml");
  const { source, diagnostics: syntax } = parseSource(text, format, opts.file);
  const checker = new Checker(source, opts.lenient ?? false);
  checker.diagnostics.push(...syntax);
  // A document with syntax errors is partial; its validation errors would mostly be echoes of them.
  const validated = checker.hasErrors ? undefined : validateSweep(checker);
  if (checker.hasErrors || validated === undefined) throw new ConfigError(checker.diagnostics);
  return {
    config: validated.config,
    space: validated.space,
    warnings: sortDiagnostics(checker.diagnostics),
    raw: text,
    ...(opts.file !== undefined ? { file: opts.file } : {}),
  };
}

export function loadSweepFile(path: string, opts: { lenient?: boolean } = {}): ResolvedSweep {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError([
      {
        severity: "error",
        file: path,
        line: 1,
        column: 1,
        path: "",
        message: `cannot read the sweep file: ${describeReadError(error)}`,
        expected: "a readable .yaml, .yml or .json file",
        found: path,
      },
    ]);
  }
  return parseSweepConfig(text, { file: path, format: formatFromPath(path), ...opts });
}

/** .json is JSON; .yaml, .yml and anything else is YAML (which also reads most JSON). */
export function formatFromPath(path: string): SourceFormat {
  return extname(path).toLowerCase() === ".json" ? "json" : "yaml";
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}
