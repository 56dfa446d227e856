/**
 * The storage layer's public face: `openStorage` picks a backend from a location string, as the CLI's
 * `--storage` option and the library's options pass it.
 *
 *   ":memory:", "memory:"            -> MemoryStorage (nothing persisted)
 *   "postgres://…", "postgresql://…" -> refused for now (a later release adds PostgreSQL)
 *   "sqlite:PATH", "sqlite://PATH"   -> SQLite file PATH; "sqlite:///rel.db" is the relative file rel.db and
 *                                       "sqlite:////abs.db" the absolute /abs.db, as in SQLAlchemy/Optuna URLs
 *   anything else                    -> a SQLite file path (default storage/sweeps.db)
 */
import { StorageError } from "./errors.js";
import { MemoryStorage } from "./memory.js";
import { SqliteStorage, type SqliteStorageOptions } from "./sqlite/sqlite-storage.js";
import type { Storage } from "./types.js";

export * from "./types.js";
export { StorageError } from "./errors.js";
export { MemoryStorage } from "./memory.js";
export { SqliteStorage, DEFAULT_BUSY_TIMEOUT_MS, type SqliteStorageOptions } from "./sqlite/sqlite-storage.js";
export { DEFAULT_BUSY_RETRY, type BusyRetryPolicy } from "./sqlite/busy.js";
export { SCHEMA_VERSION } from "./sqlite/schema.js";

/** Where the CLI keeps sweeps unless told otherwise, relative to the working directory. */
export const DEFAULT_STORAGE_PATH = "storage/sweeps.db";

export type OpenStorageOptions = SqliteStorageOptions;

const URL_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** Hide the password of a URL before it goes into a message. */
function redactUrl(location: string): string {
  return location.replace(/^([^:]+:\/\/[^:/@]*):[^@/]*@/, "$1:***@");
}

/** The SQLite file a `sqlite:` location names (SQLAlchemy's convention for the slashes, see above). */
function sqlitePathOf(location: string): string {
  const rest = location.slice("sqlite:".length);
  const path = rest.startsWith("///") ? rest.slice(3) : rest.startsWith("//") ? rest.slice(2) : rest;
  if (path === "") {
    throw new StorageError(`storage location '${location}' names no file; expected e.g. sqlite:${DEFAULT_STORAGE_PATH}`);
  }
  return path;
}

/** Which backend a location string names, without opening anything. */
export type StorageLocation = { readonly kind: "memory" } | { readonly kind: "sqlite"; readonly path: string };

/** Parse a `--storage` value; throws StorageError for PostgreSQL (not yet supported) and unknown schemes. */
export function parseStorageLocation(location: string): StorageLocation {
  if (typeof location !== "string" || location.trim() === "") {
    throw new StorageError(
      `storage location ${JSON.stringify(location)} is empty; expected a SQLite file path such as ${DEFAULT_STORAGE_PATH} or ":memory:"`,
    );
  }
  if (location === ":memory:" || location === "memory:") return { kind: "memory" };
  if (/^sqlite:/i.test(location)) return { kind: "sqlite", path: sqlitePathOf(location) };

  const scheme = URL_SCHEME.exec(location)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") {
    throw new StorageError(
      `PostgreSQL storage (${redactUrl(location)}) is not supported yet; use a SQLite file such as ${DEFAULT_STORAGE_PATH}`,
    );
  }
  if (scheme !== undefined) {
    throw new StorageError(
      `storage location '${redactUrl(location)}' has the unknown scheme '${scheme}://'; expected a SQLite file path ` +
        `(e.g. ${DEFAULT_STORAGE_PATH}), "sqlite:PATH" or ":memory:"`,
    );
  }
  return { kind: "sqlite", path: location };
}

/** Resolve a location string to a storage, opening (and creating/migrating) a SQLite file if it names one. */
export async function openStorage(location: string, opts: OpenStorageOptions = {}): Promise<Storage> {
  const parsed = parseStorageLocation(location);
  return parsed.kind === "memory" ? new MemoryStorage() : SqliteStorage.open(parsed.path, opts);
}
