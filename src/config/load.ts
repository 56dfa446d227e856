/** Entry points: sweep-file text or path -> `ResolvedSweep`, or a `ConfigError` listing every problem. */
import { extname } from "node:path";
import { Checker } from "./checker.js";
import { ConfigError, sortDiagnostics } from "./errors.js";
import { checkTextSize, readBounded, resolveLimits, type SweepFileLimits } from "./limits.js";
import { parseSource, type SourceFormat } from "./source.js";
import { validateSweep } from "./sweep-config.js";
import type { ResolvedSweep } from "./types.js";

export interface ParseOptions {
  /** Shown in diagnostics; also picks the format when `format` is not given. */
  readonly file?: string;
  readonly format?: SourceFormat;
  /** Unknown keys become warnings (as the W&B service treats them) instead of errors. */
  readonly lenient?: boolean;
  /** Overrides of the limits on hostile files (`SWEEP_FILE_LIMITS`: size, depth, aliases, ...). */
  readonly limits?: Partial<SweepFileLimits>;
}

/**
 * Sweep-file text -> `ResolvedSweep`, or a `ConfigError`. Text beyond the limits (limits.ts) is refused
 * before it is parsed or, for what only the tree shows, before it is validated.
 */
export function parseSweepConfig(text: string, opts: ParseOptions = {}): ResolvedSweep {
  const format = opts.format ?? (opts.file !== undefined ? formatFromPath(opts.file) : "yaml");
  const limits = resolveLimits(opts.limits);
  const tooLarge = checkTextSize(text, limits, opts.file);
  if (tooLarge !== undefined) throw new ConfigError([tooLarge]);
  const { source, diagnostics: syntax } = parseSource(text, format, opts.file, limits);
  const checker = new Checker(source, opts.lenient ?? false, limits);
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

/** Reads and parses a sweep file; one over the size limit is refused by its size, before it is read. */
export function loadSweepFile(path: string, opts: { lenient?: boolean; limits?: Partial<SweepFileLimits> } = {}): ResolvedSweep {
  let text: string;
  try {
    const read = readBounded(path, resolveLimits(opts.limits));
    if (!read.ok) throw new ConfigError([read.diagnostic]);
    text = read.text;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
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
