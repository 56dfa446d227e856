/**
 * What every command shares: where the storage is and how to print.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DEFAULT_STORAGE_PATH, openStorage, parseStorageLocation } from "../storage/index.js";
import type { Storage } from "../storage/types.js";
import { CliError } from "./errors.js";
import { choice, text } from "./flags.js";
import { ExitCode } from "../exit-codes.js";
import { escapeControl, escapeControlInJson } from "../terminal-text.js";
import { snakeCaseKeys } from "../json-keys.js";

export type OutputFormat = "table" | "json";

/** The global options as yargs hands them over (checked by the functions below). */
export interface GlobalArgs {
  readonly storage?: string;
  readonly logFormat?: string;
}

/** Where the storage is when no flag or sweep file names it (Optuna's CLI reads OPTUNA_STORAGE the same way). */
export const STORAGE_ENV_VAR = "SWEEP_STORAGE";

/**
 * The storage location, first found of: `--storage`; the sweep file's `sweep.storage`; `$SWEEP_STORAGE`; the
 * nearest `storage/sweeps.db` in this folder or above it (as git finds `.git`, so any subfolder of a project
 * works); else `storage/sweeps.db` here (created by `run`). A malformed one (empty, unknown scheme) is refused
 * here (exit 8), before anything is opened.
 */
export function storageLocation(args: GlobalArgs, fromConfig?: string): string {
  const fromEnv = process.env[STORAGE_ENV_VAR];
  const location = text(args.storage, "--storage") ?? fromConfig ?? (fromEnv ? fromEnv : undefined) ?? discoverStorage(process.cwd()) ?? DEFAULT_STORAGE_PATH;
  parseStorageLocation(location);
  return location;
}

/** The nearest `storage/sweeps.db` at or above `dir`: relative when it is this folder's own, else absolute. */
export function discoverStorage(dir: string): string | null {
  for (let at = resolve(dir); ; at = dirname(at)) {
    const candidate = join(at, DEFAULT_STORAGE_PATH);
    if (existsSync(candidate)) return at === resolve(dir) ? DEFAULT_STORAGE_PATH : candidate;
    if (dirname(at) === at) return null;
  }
}

/** `--log-format`, checked. */
export function logFormat(args: GlobalArgs): "pretty" | "json" | undefined {
  return choice(args.logFormat, "--log-format", ["pretty", "json"] as const);
}

/** Checks the options every command takes; for commands that use neither, so a typo is still refused. */
export function checkGlobalArgs(args: GlobalArgs): void {
  storageLocation(args);
  logFormat(args);
}

/**
 * Open a storage that must already exist (read commands, resume, agent): a typo in `--storage` should say
 * "no storage there", not silently create an empty database and report no sweeps. The read-only commands
 * (ls, show, best, export, report) pass `readOnly`: they never write to the storage, so they work on
 * read-only media and never switch another application's file to WAL. Problems with the storage itself
 * (damaged, not a sweep storage, read-only for a writer) are StorageErrors: exit 8.
 */
export async function openExistingStorage(location: string, options: { readonly readOnly?: boolean } = {}): Promise<Storage> {
  const parsed = parseStorageLocation(location);
  if (parsed.kind === "sqlite" && !existsSync(parsed.path)) {
    throw new CliError(
      `no storage at ${parsed.path} (give the database of your sweeps with --storage PATH or ${STORAGE_ENV_VAR}; without either, the nearest ${DEFAULT_STORAGE_PATH} in this folder or above it is used)`,
      ExitCode.notFound,
    );
  }
  return openStorage(location, { readOnly: options.readOnly === true });
}

/**
 * Data (CSV, JSON lines) for stdout: kept byte for byte when it goes to a file or a pipe (pandas must read
 * what was stored), but with control characters shown as `\x1b` when stdout is a terminal, where a value
 * holding an escape sequence would otherwise drive the terminal.
 */
export function printData(text: string, stdout: { write(text: string): unknown; isTTY?: boolean } = process.stdout): void {
  // CSV's CRLF line ends are layout too; a lone CR inside a value is not.
  stdout.write(stdout.isTTY ? text.split("\r\n").map((line) => escapeControl(line, { keepLayout: true })).join("\r\n") : text);
}

/**
 * Print machine-readable output: one JSON document, pretty-printed, on stdout (no raw control characters),
 * its keys in snake_case like every JSON the CLI prints (src/json-keys.ts, docs/cli.md).
 */
export function printJson(value: unknown): void {
  process.stdout.write(jsonText(value) + "\n");
}

/** The text printJson prints (without the final newline), for writing it to a file instead. */
export function jsonText(value: unknown): string {
  return escapeControlInJson(JSON.stringify(snakeCaseKeys(value), null, 2));
}
