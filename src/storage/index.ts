/**
 * The storage layer's public face: `openStorage` picks a backend from a location string, as the CLI's
 * `--storage` option and the library's options pass it.
 *
 *   ":memory:", "memory:"            -> MemoryStorage (nothing persisted)
 *   "postgres://…", "postgresql://…" -> PostgresStorage (a shared server, for agents on several machines)
 *   "sqlite:PATH", "sqlite://PATH"   -> SQLite file PATH; "sqlite:///rel.db" is the relative file rel.db and
 *                                       "sqlite:////abs.db" the absolute /abs.db, as in SQLAlchemy/Optuna URLs
 *   anything else                    -> a SQLite file path (default storage/sweeps.db)
 */
import { StorageError } from "./errors.js";
import { MemoryStorage } from "./memory.js";
import { SqliteStorage, type SqliteStorageOptions } from "./sqlite/sqlite-storage.js";
import { redactPostgresUrl, type PostgresStorageOptions } from "./postgres/options.js";
import type { Storage } from "./types.js";
import { APPLICATION_ID as SQLITE_APPLICATION_ID, SCHEMA_VERSION as SQLITE_SCHEMA_VERSION } from "./sqlite/schema.js";
import { POSTGRES_SCHEMA_VERSION as PG_SCHEMA_VERSION } from "./postgres/schema.js"; // type-only import of pg: no driver load

export * from "./types.js";
export { StorageError } from "./errors.js";
export { MemoryStorage } from "./memory.js";
export {
  SqliteStorage,
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_QUICK_CHECK_MAX_BYTES,
  type SqliteStorageOptions,
} from "./sqlite/sqlite-storage.js";
export { DEFAULT_BUSY_RETRY, type BusyRetryPolicy } from "./sqlite/busy.js";
// PostgresStorage itself is not re-exported: importing it loads the `pg` driver, which openStorage does
// lazily, only for postgresql:// locations (import it from "./postgres/postgres-storage.js" if needed).
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  redactPostgresUrl,
  type PostgresStorageOptions,
} from "./postgres/options.js";
export { TRIAL_RECLAIMED_EVENT, type TrialReclaimedData } from "./reclaim.js";

// The schema constants are declared here rather than re-exported: a re-export makes this module's declaration
// file import sqlite/schema.d.ts and postgres/schema.d.ts, which name better-sqlite3's and pg's types, and a
// user's strict tsc would then need @types/better-sqlite3 and @types/pg (docs/packaging.md, "Types").
/** PRAGMA application_id of a sweep SQLite file ("SwPd"). */
export const APPLICATION_ID: number = SQLITE_APPLICATION_ID;
/** The SQLite schema version this code writes and understands. */
export const SCHEMA_VERSION: number = SQLITE_SCHEMA_VERSION;
/** The PostgreSQL schema version this code writes and understands. */
export const POSTGRES_SCHEMA_VERSION: number = PG_SCHEMA_VERSION;

/** Where the CLI keeps sweeps unless told otherwise, relative to the working directory. */
export const DEFAULT_STORAGE_PATH = "storage/sweeps.db";

/** Options for whichever backend the location names; the other backend's options are ignored. */
export type OpenStorageOptions = SqliteStorageOptions & PostgresStorageOptions;

const URL_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** Hide the password of a URL before it goes into a message. */
const redactUrl = redactPostgresUrl;

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
export type StorageLocation =
  | { readonly kind: "memory" }
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgresql"; readonly url: string };

/** Parse a `--storage` value; throws StorageError for unknown schemes. */
export function parseStorageLocation(location: string): StorageLocation {
  if (typeof location !== "string" || location.trim() === "") {
    throw new StorageError(
      `storage location ${JSON.stringify(location)} is empty; expected a SQLite file path such as ${DEFAULT_STORAGE_PATH} or ":memory:"`,
    );
  }
  if (location === ":memory:" || location === "memory:") return { kind: "memory" };
  if (/^sqlite:/i.test(location)) return { kind: "sqlite", path: sqlitePathOf(location) };

  const scheme = URL_SCHEME.exec(location)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") return { kind: "postgresql", url: location };
  if (scheme !== undefined) {
    throw new StorageError(
      `storage location '${redactUrl(location)}' has the unknown scheme '${scheme}://'; expected a SQLite file path ` +
        `(e.g. ${DEFAULT_STORAGE_PATH}), "sqlite:PATH", "postgresql://user@host/database" or ":memory:"`,
    );
  }
  return { kind: "sqlite", path: location };
}

/**
 * Resolve a location string to a storage, opening (and creating/migrating) the SQLite file or database it
 * names. Nothing is written before the file or database was checked to be a sweep storage of a known schema
 * version. With `{readOnly: true}` nothing is ever written at all: an SQLite file must exist, and the
 * storage's write methods fail (docs/storage.md, "Opening a storage").
 */
export async function openStorage(location: string, opts: OpenStorageOptions = {}): Promise<Storage> {
  const parsed = parseStorageLocation(location);
  if (parsed.kind === "memory") return new MemoryStorage({ readOnly: opts.readOnly === true });
  if (parsed.kind === "postgresql") {
    const { PostgresStorage } = await import("./postgres/postgres-storage.js");
    return PostgresStorage.open(parsed.url, opts);
  }
  return SqliteStorage.open(parsed.path, opts);
}
