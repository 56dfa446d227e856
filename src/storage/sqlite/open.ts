/**
 * Opening a database file: checked before anything is written to it, and readable without writing.
 *
 * For writing (`sweep run`, `resume`, `agent`, the library's default):
 *   1. the header, read as a plain file (header.ts): not SQLite, another application's, a newer sweep's, or
 *      truncated -> refused, untouched;
 *   2. the file and its folder must be writable (a read-only mount, missing permissions) -> refused;
 *   3. a READ-ONLY connection checks the tables and columns against the schema version (schema.ts) and runs
 *      `PRAGMA quick_check` on files up to `quickCheckMaxBytes` -> refused, untouched;
 *   4. only then the read-write connection: WAL mode, migrations (which re-check under the write lock).
 *   A missing or empty file skips 1-3 and becomes a new storage, as before. A crashed writer's hot journal
 *   (rollback-journal files only) fails step 3; the writer rolls it back itself only in a file that carries
 *   sweep's application_id.
 *
 * For reading (`readOnly: true`: ls, show, best, export, report): steps 1 and 3 on a read-only connection
 * (better-sqlite3 `readonly`, `fileMustExist`); the journal mode is never changed and nothing is migrated.
 * Two cases read an in-memory copy instead of the file, still writing nothing:
 *   - a file of an older schema version (or an empty one) is copied and the copy migrated, so the current
 *     statements can read it;
 *   - a WAL-mode file on read-only media (a read-only mount or folder) whose -shm file does not exist and
 *     cannot be created. SQLite needs that file to read a WAL database unless it is opened `immutable`, which
 *     takes a URI filename that this build of better-sqlite3 does not accept (SQLITE_USE_URI=0). When the
 *     -wal file is absent or empty, the main file is the whole database, so a copy of it (marked as a
 *     rollback-journal file) is exact. A non-empty -wal without its -shm cannot be read there: refused.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StorageError } from "../errors.js";
import { isBusyError } from "./busy.js";
import { isSqliteError, recoverAdvice, toStorageError, writeAccessAdvice } from "./failures.js";
import { assertNotTruncated, inspectFile, type SqliteHeader } from "./header.js";
import { APPLICATION_ID, SCHEMA_VERSION, inspectSchema, migrate } from "./schema.js";

/**
 * quick_check reads every page: about 5 ms per MB here (about 100 ms for a 20.7 MB file of 10,000 trials
 * with 200,000 intermediate values; docs/storage.md). Larger files skip it on open; damage found later, by the
 * statements that read it, is still reported as a StorageError.
 */
export const DEFAULT_QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024;

export interface OpenSettings {
  readonly busyTimeoutMs: number;
  readonly readOnly: boolean;
  readonly quickCheckMaxBytes: number;
}

export interface Connection {
  readonly db: Database.Database;
  /** What SQLite reports for the connection: "wal" for a file opened to write, "memory" for a copy. */
  readonly journalMode: string;
  /** "file", or "copy" when a read-only open reads an in-memory copy (see above). */
  readonly source: "file" | "copy";
}

/**
 * Open `path` for writing or (settings.readOnly) reading. Every failure is a StorageError naming the file,
 * except SQLITE_BUSY, which is left for the caller's busy retry (the whole open is safe to repeat).
 */
export function connect(path: string, settings: OpenSettings): Connection {
  try {
    if (path === ":memory:" || path === "") return configureForWriting(new Database(path, { timeout: settings.busyTimeoutMs }), path);
    return settings.readOnly ? connectForReading(path, settings) : connectForWriting(path, settings);
  } catch (err) {
    if (isBusyError(err)) throw err;
    throw toStorageError(err, path);
  }
}

/**
 * The truncation check reads the file outside SQLite's locks, so a writer creating or migrating the same file
 * in another process at that instant (its header already counts pages it is still writing, its journal
 * already gone) looks truncated for a moment. Only a file that still looks truncated after a short settle is.
 */
function assertNotTruncatedSettled(path: string, first: SqliteHeader): void {
  let header = first;
  for (let attempt = 0; ; attempt++) {
    try {
      assertNotTruncated(path, header, hasSideFiles(path));
      return;
    } catch (err) {
      if (attempt >= TRUNCATION_SETTLE_TRIES) throw err;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, TRUNCATION_SETTLE_MS);
    const again = inspectFile(path);
    if (again.kind !== "sqlite") return; // replaced or removed meanwhile: the open below judges what is there
    header = again.header;
  }
}

const TRUNCATION_SETTLE_TRIES = 10;
const TRUNCATION_SETTLE_MS = 25;

function connectForWriting(path: string, settings: OpenSettings): Connection {
  const state = inspectFile(path);
  if (state.kind === "missing") createFolder(path);
  if (state.kind === "sqlite") assertNotTruncatedSettled(path, state.header);
  assertWritable(path, state.kind !== "missing");
  if (state.kind === "sqlite") {
    const check = new Database(path, { readonly: true, fileMustExist: true, timeout: settings.busyTimeoutMs });
    try {
      // One read transaction: its statements see one snapshot. Read one by one, a version read just before
      // another process's migration committed and the tables read just after made a brand-new storage look
      // like someone else's database ("tables ... and no sweep schema version"; six processes opening one new
      // file at once, test/study/library.test.ts).
      check.transaction(() => inspectSchema(check, path))();
      quickCheck(check, path, state.header, settings.quickCheckMaxBytes);
    } catch (err) {
      // A crashed writer's hot journal (rollback-journal mode only) can only be rolled back by a read-write
      // connection. For a file that carries sweep's application_id that is ours to do: the read-write open
      // below rolls it back, and migrate re-checks the schema under the write lock. Anyone else's is refused.
      const ours = state.header.applicationId === APPLICATION_ID;
      if (!(ours && isSqliteError(err) && err.code === "SQLITE_READONLY_ROLLBACK")) throw err;
    } finally {
      check.close();
    }
  }
  return configureForWriting(new Database(path, { timeout: settings.busyTimeoutMs }), path);
}

function configureForWriting(db: Database.Database, path: string): Connection {
  try {
    const journalMode = db.pragma("journal_mode = WAL", { simple: true }) as string;
    // NORMAL is durable against process crashes in WAL mode; only an OS crash can lose the last commits.
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrate(db, path);
    return { db, journalMode, source: "file" };
  } catch (err) {
    db.close();
    throw err;
  }
}

function connectForReading(path: string, settings: OpenSettings): Connection {
  const state = inspectFile(path);
  if (state.kind === "missing") {
    throw new StorageError(`no SQLite storage at ${path} (a read-only open never creates one)`);
  }
  if (state.kind === "empty") return readOnlyCopy(emptyDatabase(), path);
  assertNotTruncatedSettled(path, state.header);
  const opened = openReadOnly(path, state.header, settings.busyTimeoutMs);
  const source = opened.source;
  let db = opened.db;
  try {
    const { version } = inspectSchema(db, path);
    quickCheck(db, path, state.header, settings.quickCheckMaxBytes);
    if (version === SCHEMA_VERSION) {
      db.pragma("query_only = ON");
      return { db, journalMode: db.pragma("journal_mode", { simple: true }) as string, source };
    }
    // An older (or empty) schema: read a migrated copy; the file itself is never migrated by a reader.
    const bytes = db.serialize();
    db.close();
    db = copyOf(bytes);
    return readOnlyCopy(db, path);
  } catch (err) {
    if (db.open) db.close();
    throw err;
  }
}

/** A read-only connection to the file, or to an in-memory copy of it on read-only media (see the top). */
function openReadOnly(path: string, header: SqliteHeader, busyTimeoutMs: number): { db: Database.Database; source: "file" | "copy" } {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    db.pragma("user_version"); // the first read opens the WAL and its index, where read-only media fail
    return { db, source: "file" };
  } catch (err) {
    db?.close();
    if (!header.wal || !isSqliteError(err) || !/^SQLITE_(CANTOPEN|READONLY_CANTINIT|READONLY_DIRECTORY)/.test(err.code)) {
      throw err;
    }
    const walBytes = sizeOf(`${path}-wal`);
    if (walBytes > 0) {
      throw new StorageError(
        `cannot read ${path}: it is in WAL mode and ${path}-wal holds ${walBytes} bytes of changes not yet in the ` +
          `main file, which SQLite can only read with ${path}-shm, and that file cannot be created here (read-only ` +
          "folder or file system). Copy the database together with its -wal file to a writable folder and read " +
          "the copy (or open it once with write access, which folds the -wal into the file)",
        { cause: err },
      );
    }
    return { db: copyOf(readFileSync(path)), source: "copy" };
  }
}

/**
 * An in-memory database holding `bytes` (a database image). A WAL-mode header (bytes 18-19 = 2) is marked
 * as rollback-journal (1): an in-memory database cannot use WAL, and the image already holds every page.
 */
function copyOf(bytes: Buffer): Database.Database {
  if (bytes[18] === 2) bytes[18] = 1;
  if (bytes[19] === 2) bytes[19] = 1;
  return new Database(bytes);
}

function emptyDatabase(): Database.Database {
  return new Database(":memory:");
}

/** Bring an in-memory copy to the current schema and forbid writes to it (SQLite refuses them: query_only). */
function readOnlyCopy(db: Database.Database, path: string): Connection {
  try {
    migrate(db, path);
    db.pragma("query_only = ON");
    return { db, journalMode: db.pragma("journal_mode", { simple: true }) as string, source: "copy" };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** `PRAGMA quick_check` when the file is small enough for it to be cheap (see DEFAULT_QUICK_CHECK_MAX_BYTES). */
function quickCheck(db: Database.Database, path: string, header: SqliteHeader, maxBytes: number): void {
  if (header.size > maxBytes) return;
  const limit = 5;
  const problems = (db.pragma(`quick_check(${limit})`, { simple: false }) as { quick_check: string }[])
    .flatMap((row) => String(row.quick_check).split("\n"))
    .filter((line) => line !== "ok" && !line.startsWith("*** in database"));
  if (problems.length === 0) return;
  const count = problems.length >= limit ? `${limit} or more problems` : problems.length === 1 ? "a problem" : `${problems.length} problems`;
  throw new StorageError(`${path} is damaged: SQLite's quick_check found ${count} (${problems[0]}); ${recoverAdvice(path)}`);
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Whether pages of the database may live outside the main file: a -wal with frames, or a rollback journal. */
function hasSideFiles(path: string): boolean {
  return sizeOf(`${path}-wal`) > 0 || existsSync(`${path}-journal`);
}

function createFolder(path: string): void {
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StorageError(
      `cannot create the folder ${folder} for ${path} (${code ?? (err as Error).message}); create it, or fix the ` +
        "permissions of its parent, or pass another --storage path",
      { cause: err },
    );
  }
}

/**
 * A writer needs the file and its folder writable: SQLite creates the -wal and -shm files beside the
 * database and deletes them when the last connection closes. access(2) answers as the kernel would for the
 * writes themselves (for root too: a read-only mount says EROFS, while 0444 permissions do not stop root, nor
 * SQLite running as root).
 */
function assertWritable(path: string, exists: boolean): void {
  const folder = dirname(path);
  const checks: [string, string][] = [[folder, `its folder ${folder}`]];
  if (exists) checks.push([path, "the file"]);
  for (const [target, what] of checks) {
    try {
      accessSync(target, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "";
      const why = code === "EROFS" ? "is on a read-only file system" : "is not writable";
      throw new StorageError(
        `cannot write to ${path}: ${what} ${why} (${code}); ${writeAccessAdvice(path)}`,
        { cause: err },
      );
    }
  }
}
