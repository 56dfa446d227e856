/**
 * What every command shares: where the storage is and how to print.
 */
import { existsSync } from "node:fs";
import { DEFAULT_STORAGE_PATH, openStorage, parseStorageLocation } from "../storage/index.js";
import type { Storage } from "../storage/types.js";
import { CliError } from "./errors.js";
import { ExitCode } from "../exit-codes.js";
import { escapeControlInJson } from "../terminal-text.js";

export type OutputFormat = "table" | "json";

export interface GlobalArgs {
  readonly storage?: string;
  readonly logFormat?: "pretty" | "json";
}

/** The storage location: the flag, else the sweep file's `sweep.storage`, else `storage/sweeps.db`. */
export function storageLocation(args: GlobalArgs, fromConfig?: string): string {
  return args.storage ?? fromConfig ?? DEFAULT_STORAGE_PATH;
}

/**
 * Open a storage that must already exist (read commands, resume, agent): a typo in `--storage` should say
 * "no storage there", not silently create an empty database and report no sweeps.
 */
export async function openExistingStorage(location: string): Promise<Storage> {
  const parsed = parseStorageLocation(location);
  if (parsed.kind === "sqlite" && !existsSync(parsed.path)) {
    throw new CliError(
      `no storage at ${parsed.path} (give the database of your sweeps with --storage PATH; default ${DEFAULT_STORAGE_PATH})`,
      ExitCode.notFound,
    );
  }
  return openStorage(location);
}

/** Print machine-readable output: one JSON document, pretty-printed, on stdout (no raw control characters). */
export function printJson(value: unknown): void {
  process.stdout.write(escapeControlInJson(JSON.stringify(value, null, 2)) + "\n");
}
