/**
 * What every command shares: where the storage is and how to print.
 */
import { existsSync } from "node:fs";
import { DEFAULT_STORAGE_PATH, openStorage, parseStorageLocation } from "../storage/index.js";
import type { Storage } from "../storage/types.js";
import { CliError } from "./errors.js";
import { choice, text } from "./flags.js";
import { ExitCode } from "../exit-codes.js";
import { escapeControlInJson } from "../terminal-text.js";

export type OutputFormat = "table" | "json";

/** The global options as yargs hands them over (checked by the functions below). */
export interface GlobalArgs {
  readonly storage?: string;
  readonly logFormat?: string;
}

/**
 * The storage location: the flag, else the sweep file's `sweep.storage`, else `storage/sweeps.db`. A
 * malformed one (empty, unknown scheme) is refused here (exit 8), before anything is opened.
 */
export function storageLocation(args: GlobalArgs, fromConfig?: string): string {
  const location = text(args.storage, "--storage") ?? fromConfig ?? DEFAULT_STORAGE_PATH;
  parseStorageLocation(location);
  return location;
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
      `no storage at ${parsed.path} (give the database of your sweeps with --storage PATH; default ${DEFAULT_STORAGE_PATH})`,
      ExitCode.notFound,
    );
  }
  return openStorage(location, { readOnly: options.readOnly === true });
}

/** Print machine-readable output: one JSON document, pretty-printed, on stdout (no raw control characters). */
export function printJson(value: unknown): void {
  process.stdout.write(escapeControlInJson(JSON.stringify(value, null, 2)) + "\n");
}
