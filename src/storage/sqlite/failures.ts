/**
 * SQLite's errors as StorageErrors a user can act on: which file, what is wrong with it, what to do.
 *
 * Every statement SqliteStorage runs goes through `toStorageError` (see SqliteStorage.run and the open
 * path), so a raw SqliteError — and with it a stack trace and exit code 1 from the CLI — never reaches a
 * caller. Busy errors are retried first (busy.ts) and only then end up here.
 */
import Database from "better-sqlite3";
import { StorageError, StoredValueError } from "../errors.js";

/** The shell commands that salvage what is readable from a damaged database into a new file. */
export function recoverAdvice(location: string): string {
  const q = shellQuote(location);
  return (
    `restore it from a backup, or salvage what is still readable: \`sqlite3 ${q} .recover > dump.sql\`, ` +
    "then `sqlite3 recovered.db < dump.sql` and use --storage recovered.db"
  );
}

/** What a writer needs, for messages about read-only files and folders. */
export function writeAccessAdvice(location: string): string {
  return (
    `the user running sweep needs write access to ${location} and to its folder (SQLite creates ` +
    `${location}-wal and ${location}-shm beside it): fix the permissions or remount the file system read-write; ` +
    "the read-only commands (ls, show, best, export, report) can still read it"
  );
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** better-sqlite3's error: an Error with SQLite's (extended) result code, e.g. "SQLITE_CORRUPT_INDEX". */
export type SqliteFailure = InstanceType<Database.SqliteError>;

export function isSqliteError(err: unknown): err is SqliteFailure {
  return err instanceof Database.SqliteError;
}

/** `(SQLITE_CORRUPT: database disk image is malformed)`: SQLite's own words, for a search engine or a bug report. */
function cause(err: SqliteFailure): string {
  return `(${err.code}: ${err.message})`;
}

/**
 * The StorageError for `err` raised while using the database at `location`; anything that is not an SQLite
 * error (our own StorageErrors, a proposer's exception) is returned unchanged. A stored value that cannot be
 * decoded gets the location and the advice for damaged files.
 */
export function toStorageError(err: unknown, location: string): unknown {
  if (err instanceof StoredValueError) {
    return new StorageError(
      `${location} holds a value sweep cannot read: ${err.message}. The file is damaged or was changed by ` +
        `another program; ${recoverAdvice(location)}`,
      { cause: err },
    );
  }
  if (!isSqliteError(err)) return err;
  const code = err.code;
  const message = (text: string) => new StorageError(`${text}`, { cause: err });

  if (code.startsWith("SQLITE_CORRUPT")) {
    return message(`${location} is damaged ${cause(err)}; ${recoverAdvice(location)}`);
  }
  if (code === "SQLITE_NOTADB") {
    return message(
      `${location} is not an SQLite database, or its first page is damaged ${cause(err)}; pass the path of a ` +
        `sweep storage, or ${recoverAdvice(location)}`,
    );
  }
  if (code === "SQLITE_CANTOPEN_ISDIR") {
    return message(`${location} is a folder, not a database file ${cause(err)}; pass the path of the database file`);
  }
  if (code.startsWith("SQLITE_CANTOPEN")) {
    return message(
      `cannot open ${location} ${cause(err)}: check that the file and its folder exist and that the user running ` +
        `sweep may read them, and for a write command also write them (SQLite creates ${location}-wal and ` +
        `${location}-shm beside it)`,
    );
  }
  if (code === "SQLITE_READONLY_DBMOVED") {
    return message(`${location} was moved or deleted while sweep had it open ${cause(err)}; put it back and run the command again`);
  }
  if (code === "SQLITE_READONLY_ROLLBACK") {
    return message(
      `${location} holds an unfinished transaction of a process that crashed (${location}-journal), which only a ` +
        `read-write connection can roll back ${cause(err)}: with write access to the file and its folder, run ` +
        `\`sqlite3 ${shellQuote(location)} "PRAGMA quick_check"\` once (SQLite rolls it back on open), then run the command again`,
    );
  }
  if (code.startsWith("SQLITE_READONLY") || code === "SQLITE_PERM" || code === "SQLITE_AUTH") {
    return message(`cannot write to ${location}: it or its folder is read-only ${cause(err)}; ${writeAccessAdvice(location)}`);
  }
  if (code === "SQLITE_FULL") {
    return message(
      `the disk holding ${location} is full ${cause(err)}; the change was not saved. Free some space (df -h) and ` +
        "run the command again (`sweep resume <id>` continues a sweep where it stopped)",
    );
  }
  if (code === "SQLITE_IOERR_SHORT_READ") {
    return message(`${location} is shorter than its own header says: it was truncated ${cause(err)}; ${recoverAdvice(location)}`);
  }
  if (code === "SQLITE_IOERR_NOMEM" || code === "SQLITE_NOMEM") {
    return message(`ran out of memory while using ${location} ${cause(err)}`);
  }
  if (code.startsWith("SQLITE_IOERR") || code === "SQLITE_PROTOCOL" || code === "SQLITE_NOLFS") {
    return message(
      `the disk or file system failed while using ${location} ${cause(err)}: check the disk (dmesg, df -h) and keep ` +
        "the database on a local file system (network file systems break SQLite's locking); if the error " +
        `persists, ${recoverAdvice(location)}`,
    );
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return message(
      `${location} is locked by another process ${cause(err)}; is a process holding a long transaction on it?`,
    );
  }
  if (code.startsWith("SQLITE_CONSTRAINT") || code === "SQLITE_MISMATCH" || code === "SQLITE_ERROR") {
    return message(
      `${location} does not have the shape this version of sweep expects ${cause(err)}: it was changed by another ` +
        `program or a damaged page was read; ${recoverAdvice(location)}`,
    );
  }
  return message(`SQLite storage ${location} failed ${cause(err)}`);
}

/** Run `operation`, turning any SQLite error it throws into a StorageError about `location`. */
export function mappingSqliteErrors<T>(operation: () => T, location: string): T {
  try {
    return operation();
  } catch (err) {
    throw toStorageError(err, location);
  }
}
