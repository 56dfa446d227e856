/**
 * What every command shares: where the storage is, how to print, where logs go.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pino, type Logger } from "pino";
import { DEFAULT_STORAGE_PATH, openStorage } from "../storage/index.js";
import type { Storage } from "../storage/types.js";
import { CliError } from "./errors.js";
import { ExitCode } from "./exit-codes.js";

export type OutputFormat = "table" | "json";

export interface GlobalArgs {
  readonly storage?: string;
  readonly logFormat?: "pretty" | "json";
}

export function isMemoryLocation(location: string): boolean {
  return location === ":memory:" || location === "memory:";
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
  const path = location.replace(/^sqlite:(\/\/)?/, "");
  if (!isMemoryLocation(location) && !/^postgres(ql)?:/.test(location) && !existsSync(path)) {
    throw new CliError(
      `no storage at ${path} (give the database of your sweeps with --storage PATH; default ${DEFAULT_STORAGE_PATH})`,
      ExitCode.notFound,
    );
  }
  return openStorage(location);
}

/**
 * Structured logs: JSON lines to `<storage dir>/logs/sweep.log`, and to stderr too with `--log-format json`.
 * Human output goes to stdout/stderr separately; the log file is for diagnosing a long sweep afterwards.
 */
export function createLogger(args: GlobalArgs, location: string): Logger {
  const streams: { stream: NodeJS.WritableStream | ReturnType<typeof pino.destination> }[] = [];
  if (!isMemoryLocation(location) && !/^postgres(ql)?:/.test(location)) {
    const dir = join(dirname(resolve(location.replace(/^sqlite:(\/\/)?/, ""))), "logs");
    mkdirSync(dir, { recursive: true });
    streams.push({ stream: pino.destination({ dest: join(dir, "sweep.log"), sync: true, mkdir: true }) });
  }
  if (args.logFormat === "json") streams.push({ stream: pino.destination({ dest: 2, sync: true }) });
  if (streams.length === 0) return pino({ enabled: false });
  return pino({ level: process.env.SWEEP_LOG_LEVEL ?? "info", base: { pid: process.pid } }, pino.multistream(streams));
}

/** Print machine-readable output: one JSON document, pretty-printed, on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}
