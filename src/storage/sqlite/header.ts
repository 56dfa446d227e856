/**
 * The first 100 bytes of a database file, read with plain file I/O before SQLite touches it
 * (https://www.sqlite.org/fileformat2.html#the_database_header). They answer, without opening a connection
 * that might write (journal rollback, WAL checkpoint on close), the questions that refuse a file outright:
 * is it SQLite at all, does it belong to another application, was it written by a newer sweep, is it shorter
 * than its header says. Every refusal here is final; a file that passes is then checked through SQLite
 * (schema.ts: tables and columns; quick_check) before anything is written to it.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { StorageError, newerSchemaError } from "../errors.js";
import { recoverAdvice } from "./failures.js";
import { APPLICATION_ID, SCHEMA_VERSION, foreignApplicationError } from "./schema.js";

const MAGIC = "SQLite format 3\u0000";
const HEADER_BYTES = 100;

export interface SqliteHeader {
  /** File size in bytes. */
  readonly size: number;
  readonly pageSize: number;
  /** Pages the header says the file holds, when SQLite would trust that number; null otherwise. */
  readonly pageCount: number | null;
  /** Bytes 18-19 are 2: the file is in WAL mode (persistent in the file). */
  readonly wal: boolean;
  /** PRAGMA user_version: sweep's schema version. */
  readonly userVersion: number;
  /** PRAGMA application_id: which application's file format this is (0: not said). */
  readonly applicationId: number;
}

export type FileState =
  | { readonly kind: "missing" }
  /** Zero bytes: what `touch` leaves, or a file SQLite created but never wrote to. A new storage. */
  | { readonly kind: "empty" }
  | { readonly kind: "sqlite"; readonly header: SqliteHeader };

function fileError(path: string, err: NodeJS.ErrnoException): StorageError {
  if (err.code === "EISDIR") return new StorageError(`${path} is a folder, not a database file; pass the path of the database file`);
  if (err.code === "EACCES" || err.code === "EPERM") {
    return new StorageError(
      `cannot read ${path}: permission denied (${err.code}); the user running sweep needs read access to it and ` +
        "its folder (and write access too, for the commands that write)",
      { cause: err },
    );
  }
  return new StorageError(`cannot read ${path}: ${err.message}`, { cause: err });
}

/** Read the header of the file at `path` and refuse what can be refused from it alone. Never writes. */
export function inspectFile(path: string): FileState {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    throw fileError(path, err as NodeJS.ErrnoException);
  }
  let size: number;
  const bytes = Buffer.alloc(HEADER_BYTES);
  let read: number;
  try {
    size = fstatSync(fd).size;
    read = size === 0 ? 0 : readSync(fd, bytes, 0, HEADER_BYTES, 0);
  } catch (err) {
    throw fileError(path, err as NodeJS.ErrnoException);
  } finally {
    closeSync(fd);
  }
  if (size === 0) return { kind: "empty" };

  if (read < MAGIC.length || bytes.toString("latin1", 0, MAGIC.length) !== MAGIC) {
    throw new StorageError(
      `${path} is not an SQLite database (it does not start with "SQLite format 3"); pass the path of a sweep ` +
        "storage (the default is storage/sweeps.db)",
    );
  }
  if (read < HEADER_BYTES) {
    throw new StorageError(`${path} is truncated: it holds only ${size} bytes, less than an SQLite header; ${recoverAdvice(path)}`);
  }
  const rawPageSize = bytes.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const changeCounter = bytes.readUInt32BE(24);
  const inHeaderPages = bytes.readUInt32BE(28);
  const validFor = bytes.readUInt32BE(92);
  const header: SqliteHeader = {
    size,
    pageSize,
    // SQLite's rule: the in-header size counts only when it is set and written by a version that keeps it.
    pageCount: inHeaderPages > 0 && changeCounter === validFor ? inHeaderPages : null,
    wal: bytes[18] === 2 && bytes[19] === 2,
    userVersion: bytes.readUInt32BE(60),
    applicationId: bytes.readInt32BE(68),
  };
  if (header.applicationId !== 0 && header.applicationId !== APPLICATION_ID) {
    throw foreignApplicationError(path, header.applicationId);
  }
  // A header can lag behind its WAL, never run ahead of it: a newer version of a file that carries sweep's
  // application_id is final. Without the id (files from before it), schema.ts decides by the tables.
  if (header.userVersion > SCHEMA_VERSION && header.applicationId === APPLICATION_ID) {
    throw newerSchemaError(path, header.userVersion, SCHEMA_VERSION);
  }
  return { kind: "sqlite", header };
}

/**
 * A file shorter than the pages its header counts lost its end (a copy cut short, a full disk, a crash of
 * something that is not SQLite). Only judged when no -wal or -journal file could hold the missing pages:
 * then the main file alone is the whole database.
 */
export function assertNotTruncated(path: string, header: SqliteHeader, hasSideFiles: boolean): void {
  if (hasSideFiles || header.pageCount === null) return;
  const expected = header.pageCount * header.pageSize;
  if (header.size < expected) {
    throw new StorageError(
      `${path} is truncated: its header counts ${header.pageCount} pages of ${header.pageSize} bytes ` +
        `(${expected} bytes) but the file has ${header.size}; ${recoverAdvice(path)}`,
    );
  }
}
