/**
 * SqliteStorage on damaged, foreign, newer and read-only files, through the library: every problem is a
 * StorageError naming the file and what to do, never a raw SqliteError, and a file that is refused (or only
 * read) is left byte for byte as it was. The same faults through the real CLI: test/cli/storage-faults.test.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import {
  APPLICATION_ID,
  MemoryStorage,
  SCHEMA_VERSION,
  SqliteStorage,
  StorageError,
  openStorage,
} from "../../src/storage/index.js";
import { toStorageError } from "../../src/storage/sqlite/failures.js";
import { MIGRATIONS } from "../../src/storage/sqlite/schema.js";

const root = mkdtempSync(join(tmpdir(), "sweep-sqlite-faults-"));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshPath = (name = "sweeps.db") => join(root, `case-${++counter}`, name);

const hash = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const storageError = (message: RegExp) => (err: unknown) => {
  assert.ok(err instanceof StorageError, `expected a StorageError, got ${String((err as Error)?.stack ?? err)}`);
  assert.match(err.message, message);
  return true;
};
const sideFiles = (path: string) => ["-wal", "-shm", "-journal"].filter((suffix) => existsSync(path + suffix));

/** A sweep storage with `trials` finished trials, each with a few intermediate values; closed cleanly. */
async function makeStorage(path: string, trials = 30): Promise<string> {
  const storage = await SqliteStorage.open(path);
  const sweep = await storage.createSweep({ id: "real1", name: "real", configRaw: "x: 1\n", config: { x: 1 } });
  for (let i = 0; i < trials; i++) {
    const claim = await storage.claimTrial(sweep.id, { worker: "w", propose: () => ({ params: { lr: i / 100, model: `m${i % 3}` } }) });
    assert.ok("trial" in claim);
    for (let step = 0; step < 5; step++) await storage.addIntermediate(claim.trial.id, step, { acc: i + step / 10, loss: 1 / (step + 1) });
    await storage.finishTrial(claim.trial.id, { status: "completed", value: i });
  }
  await storage.close();
  return sweep.id;
}

function rawPragma(path: string, pragma: string): unknown {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.pragma(pragma, { simple: true });
  } finally {
    db.close();
  }
}

/** Overwrite pages [first, first + count) of the file with a fixed garbage pattern. */
function smashPages(path: string, first: number, count: number): void {
  const bytes = readFileSync(path);
  const pageSize = bytes.readUInt16BE(16);
  for (let i = first * pageSize; i < Math.min(bytes.length, (first + count) * pageSize); i++) bytes[i] = (i * 151 + 7) & 0xff;
  writeFileSync(path, bytes);
}

describe("opening for writing checks the file first and never writes to one it refuses", () => {
  it("stamps new files with sweep's application_id and the schema version", async () => {
    const path = freshPath();
    await makeStorage(path, 1);
    assert.equal(rawPragma(path, "application_id"), APPLICATION_ID);
    assert.equal(rawPragma(path, "user_version"), SCHEMA_VERSION);
  });

  const refusals: [string, (path: string) => void, RegExp][] = [
    [
      "another application's database (its own tables, no version)",
      (path) => new Database(path).exec("CREATE TABLE customers (id INTEGER); INSERT INTO customers VALUES (1)").close(),
      /is an SQLite database but not a sweep storage \(it has tables customers.*pass another path/,
    ],
    [
      "another application's database in WAL mode with a user_version sweep knows",
      (path) => {
        const db = new Database(path);
        db.pragma("journal_mode = WAL");
        db.exec("CREATE TABLE sweeps (id TEXT); CREATE TABLE notes (body TEXT)");
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
        db.close();
      },
      new RegExp(`is not a sweep storage of schema version ${SCHEMA_VERSION}, although its user_version says so \\(table sweeps lacks name.*no table trials`),
    ],
    [
      "another application's database whose user_version is above sweep's (not mistaken for a newer sweep)",
      (path) => {
        const db = new Database(path);
        db.exec("CREATE TABLE items (id INTEGER)");
        db.pragma("user_version = 41");
        db.close();
      },
      /is an SQLite database but not a sweep storage \(it has tables items, user_version 41 and no sweeps table\); pass another path/,
    ],
    [
      "a file with another application_id (a GeoPackage)",
      (path) => {
        const db = new Database(path);
        db.pragma("application_id = 1196444487");
        db.exec("CREATE TABLE gpkg_contents (table_name TEXT)");
        db.close();
      },
      /an SQLite database of another application \(application_id 0x47504b47\), not a sweep storage/,
    ],
    [
      "a file not SQLite at all",
      (path) => writeFileSync(path, "id,value\n1,2\n".repeat(100)),
      /is not an SQLite database \(it does not start with "SQLite format 3"\)/,
    ],
  ];
  for (const [what, make, message] of refusals) {
    it(`refuses ${what}, leaving it unchanged`, async () => {
      const path = freshPath("other.db");
      mkdirSync(dirname(path), { recursive: true });
      make(path);
      const before = hash(path);
      const journalMode = () => (readFileSync(path).subarray(0, 6).toString() === "SQLite" ? rawPragma(path, "journal_mode") : null);
      const modeBefore = journalMode();
      for (const readOnly of [false, true]) {
        await assert.rejects(SqliteStorage.open(path, { readOnly }), storageError(message));
        await assert.rejects(openStorage(path, { readOnly }), storageError(message));
      }
      assert.equal(hash(path), before);
      assert.equal(journalMode(), modeBefore, "the journal mode was not switched to WAL");
    });
  }

  it("refuses a database of a newer schema version unchanged, even when its header is older than its WAL", async () => {
    const path = freshPath();
    await makeStorage(path, 2);
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = hash(path);
    for (const readOnly of [false, true]) {
      await assert.rejects(
        SqliteStorage.open(path, { readOnly }),
        storageError(new RegExp(`has schema version ${SCHEMA_VERSION + 1}, but this version of sweep only knows up to ${SCHEMA_VERSION}; upgrade sweep`)),
      );
    }
    assert.equal(hash(path), before);

    // The newer version only in the WAL (not yet checkpointed into the header): SQLite's own check refuses it.
    const walPath = freshPath();
    await makeStorage(walPath, 2);
    const writer = new Database(walPath);
    writer.pragma("wal_autocheckpoint = 0");
    writer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    const walBefore = hash(`${walPath}-wal`);
    const mainBefore = hash(walPath);
    try {
      await assert.rejects(SqliteStorage.open(walPath), storageError(new RegExp(`has schema version ${SCHEMA_VERSION + 1}, but this version of sweep only knows up to ${SCHEMA_VERSION}`)));
      assert.equal(hash(walPath), mainBefore);
      assert.equal(hash(`${walPath}-wal`), walBefore);
    } finally {
      writer.close();
    }
  });

  it("refuses a truncated database and one with damaged pages, and maps SQLite's errors when the check is off", async () => {
    const truncated = freshPath();
    await makeStorage(truncated);
    const fullSize = statSync(truncated).size;
    truncateSync(truncated, Math.floor(fullSize / 2) + 100);
    const truncatedHash = hash(truncated);
    for (const readOnly of [false, true]) {
      await assert.rejects(
        SqliteStorage.open(truncated, { readOnly }),
        storageError(/sweeps\.db is truncated: its header counts \d+ pages of 4096 bytes .*restore it from a backup.*\.recover/),
      );
    }
    assert.equal(hash(truncated), truncatedHash);

    const damaged = freshPath();
    await makeStorage(damaged);
    const pages = statSync(damaged).size / 4096;
    smashPages(damaged, Math.floor(pages / 2), 2);
    const damagedHash = hash(damaged);
    for (const readOnly of [false, true]) {
      await assert.rejects(
        SqliteStorage.open(damaged, { readOnly }),
        storageError(/sweeps\.db is damaged: SQLite's quick_check found .*restore it from a backup, or salvage .*sqlite3 \S+sweeps\.db \.recover > dump\.sql/),
      );
    }
    assert.equal(hash(damaged), damagedHash);

    // Without the check on open (as for files over quickCheckMaxBytes) the damage surfaces when read: as a
    // StorageError with the same advice, never a raw SqliteError.
    const storage = await SqliteStorage.open(damaged, { readOnly: true, quickCheckMaxBytes: 0 });
    try {
      const reads = [
        () => storage.listTrials("real1"),
        () => storage.listIntermediates({ sweepId: "real1" }),
        () => storage.listEvents("real1"),
        () => storage.listSweeps(),
      ];
      let failures = 0;
      for (const read of reads) {
        try {
          await read();
        } catch (err) {
          failures++;
          storageError(/sweeps\.db (is damaged \(SQLITE_CORRUPT|does not have the shape|holds a value sweep cannot read).*restore it from a backup/)(err);
        }
      }
      assert.ok(failures > 0, "reading the damaged pages failed somewhere");
    } finally {
      await storage.close();
    }
    assert.equal(hash(damaged), damagedHash);
  });

  it("reports a stored value that does not decode (damage inside a row) with the file and the advice", async () => {
    const path = freshPath();
    await makeStorage(path, 3);
    const bytes = readFileSync(path);
    // Same length, so every page stays well-formed and quick_check cannot see it; every copy, because an
    // updated row's old versions can linger in free space.
    let hits = 0;
    for (let at = bytes.indexOf('{"lr":0.01,'); at >= 0; at = bytes.indexOf('{"lr":0.01,', at + 1)) {
      bytes.write("#", at, "latin1");
      hits++;
    }
    assert.ok(hits > 0, "the params of trial 1 are in the file");
    writeFileSync(path, bytes);
    const storage = await SqliteStorage.open(path, { readOnly: true });
    try {
      await assert.rejects(
        storage.listTrials("real1"),
        storageError(/sweeps\.db holds a value sweep cannot read: params of trial 2 is not valid JSON .*changed by another program; restore it from a backup/),
      );
    } finally {
      await storage.close();
    }
  });

  it("maps a full disk during a write to a StorageError that says the change was not saved", async () => {
    const path = freshPath();
    await makeStorage(path, 1);
    const storage = await SqliteStorage.open(path);
    try {
      // A real SQLITE_FULL without filling a disk: cap the file at the pages it already has.
      const db = (storage as unknown as { connection: { db: Database.Database } }).connection.db;
      const pages = db.pragma("page_count", { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`);
      const big = "x".repeat(200_000);
      await assert.rejects(
        storage.createSweep({ configRaw: big, config: { big } }),
        storageError(/the disk holding \S+sweeps\.db is full \(SQLITE_FULL: database or disk is full\); the change was not saved\. Free some space/),
      );
      assert.equal((await storage.listSweeps()).length, 1, "the failed write left nothing behind");
    } finally {
      await storage.close();
    }
  });
});

/** A process that dies mid-transaction in rollback-journal mode, leaving a hot journal beside `path`. */
function crashMidTransaction(path: string): void {
  const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
  const script =
    `const D = require(${JSON.stringify(sqlite)}); const db = new D(${JSON.stringify(path)}); db.pragma("cache_size = 1"); ` +
    `db.exec("BEGIN"); db.exec("UPDATE trials SET worker = hex(randomblob(3000))"); process.kill(process.pid, "SIGKILL");`;
  spawnSync(process.execPath, ["-e", script]);
  assert.ok(existsSync(`${path}-journal`), "a hot journal was left behind");
}

describe("a crashed writer's hot journal (rollback-journal mode)", () => {
  it("is rolled back by a writer when the file is sweep's; a reader is told how", async () => {
    const path = freshPath();
    await makeStorage(path, 3);
    const db = new Database(path);
    db.pragma("journal_mode = DELETE");
    db.close();
    crashMidTransaction(path);
    await assert.rejects(
      SqliteStorage.open(path, { readOnly: true }),
      storageError(/holds an unfinished transaction of a process that crashed .*-journal\), which only a read-write connection can roll back \(SQLITE_READONLY_ROLLBACK/),
    );
    const writer = await SqliteStorage.open(path);
    try {
      assert.deepEqual((await writer.listTrials("real1")).map((t) => t.worker), ["w", "w", "w"], "the crashed transaction was rolled back");
    } finally {
      await writer.close();
    }
  });

  it("is left alone in another application's file", async () => {
    const path = freshPath("other.db");
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.exec("CREATE TABLE trials (worker TEXT); INSERT INTO trials VALUES ('a'), ('b')");
    db.close();
    crashMidTransaction(path);
    const before = hash(path);
    const journal = hash(`${path}-journal`);
    await assert.rejects(SqliteStorage.open(path), storageError(/SQLITE_READONLY_ROLLBACK/));
    assert.equal(hash(path), before);
    assert.equal(hash(`${path}-journal`), journal);
  });
});

describe("opening read-only", () => {
  it("reads without writing anything: no WAL switch, no migration, writes refused", async () => {
    const path = freshPath();
    const sweepId = await makeStorage(path, 3);
    // A rollback-journal sweep storage (e.g. one a tool rewrote): a writer would switch it to WAL.
    const db = new Database(path);
    db.pragma("journal_mode = DELETE");
    db.close();
    const before = hash(path);
    const storage = await SqliteStorage.open(path, { readOnly: true });
    try {
      assert.equal(storage.readOnly, true);
      assert.equal(storage.readsCopy, false);
      assert.equal(storage.journalMode, "delete");
      assert.equal((await storage.listTrials(sweepId)).length, 3);
      assert.equal((await storage.readHistory(sweepId, "acc")).intermediates.length, 15);
      const writes: [string, () => Promise<unknown>][] = [
        ["create a sweep", () => storage.createSweep({ configRaw: "{}", config: {} })],
        ["claim a trial", () => storage.claimTrial(sweepId, { worker: "w", propose: () => ({ params: {} }) })],
        ["store intermediate values", () => storage.addIntermediate(1, 9, { acc: 1 })],
        ["finish a trial", () => storage.finishTrial(1, { status: "failed" })],
        ["add an event", () => storage.addEvent(sweepId, "x")],
      ];
      for (const [operation, write] of writes) {
        await assert.rejects(write(), storageError(new RegExp(`was opened read-only, so it cannot ${operation}`)));
      }
    } finally {
      await storage.close();
    }
    assert.equal(hash(path), before);
    assert.deepEqual(sideFiles(path), [], "a rollback-journal file gets no -wal or -journal from a reader");
    assert.equal(rawPragma(path, "journal_mode"), "delete");
  });

  it("never creates a missing file", async () => {
    const path = freshPath();
    await assert.rejects(SqliteStorage.open(path, { readOnly: true }), storageError(/no SQLite storage at .*a read-only open never creates one/));
    assert.equal(existsSync(path), false);
    assert.equal(existsSync(join(path, "..")), false, "nor its folder");
  });

  it("reads an empty file as a storage without sweeps, leaving it empty", async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "");
    const storage = await openStorage(path, { readOnly: true });
    try {
      assert.deepEqual(await storage.listSweeps(), []);
    } finally {
      await storage.close();
    }
    assert.equal(statSync(path).size, 0);
  });

  it("reads a file of an older schema version from a migrated in-memory copy; only a writer migrates the file", async () => {
    const source = freshPath("source.db");
    await makeStorage(source, 2);
    const sweepRow = rawRow(source, "SELECT * FROM sweeps");
    const trialRow = rawRow(source, "SELECT * FROM trials WHERE number = 0");
    const path = join(source, "..", "v1.db");
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    MIGRATIONS[0]!.up(db);
    db.pragma("user_version = 1");
    const { revision: _s, user_attrs_json: _u, ...sweep } = sweepRow;
    const { revision: _t, ...trial } = trialRow;
    insert(db, "sweeps", sweep);
    insert(db, "trials", trial);
    db.close();
    const before = hash(path);

    const reader = await SqliteStorage.open(path, { readOnly: true });
    try {
      assert.equal(reader.readsCopy, true);
      assert.deepEqual((await reader.listSweeps()).map((s) => s.id), ["real1"]);
      assert.deepEqual((await reader.listTrials("real1")).map((t) => t.params), [{ lr: 0, model: "m0" }]);
      await assert.rejects(reader.createSweep({ configRaw: "{}", config: {} }), storageError(/opened read-only/));
    } finally {
      await reader.close();
    }
    assert.equal(hash(path), before);
    assert.equal(rawPragma(path, "user_version"), 1);

    const writer = await SqliteStorage.open(path);
    await writer.close();
    assert.equal(rawPragma(path, "user_version"), SCHEMA_VERSION);
    assert.equal(rawPragma(path, "application_id"), APPLICATION_ID);
  });

  it("gives a read-only memory storage that refuses writes the same way", async () => {
    const storage = await openStorage(":memory:", { readOnly: true });
    assert.ok(storage instanceof MemoryStorage);
    assert.equal(storage.readOnly, true);
    assert.deepEqual(await storage.listSweeps(), []);
    await assert.rejects(storage.createSweep({ configRaw: "{}", config: {} }), storageError(/^:memory: was opened read-only, so it cannot create a sweep/));
  });
});

function rawRow(path: string, sql: string): Record<string, unknown> {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).get() as Record<string, unknown>;
  } finally {
    db.close();
  }
}

function insert(db: Database.Database, table: string, row: Record<string, unknown>): void {
  const columns = Object.keys(row);
  db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`).run(row);
}

describe("every SQLite failure becomes a StorageError saying what to do", () => {
  // Codes a test cannot provoke on this machine (an I/O error, a file deleted while open) are fabricated:
  // what is tested is the message, which does not depend on how SQLite got there.
  const location = "runs/sweeps.db";
  const cases: [string, string, RegExp][] = [
    ["SQLITE_CORRUPT", "database disk image is malformed", /^runs\/sweeps\.db is damaged \(SQLITE_CORRUPT: .*\); restore it from a backup, or salvage .*`sqlite3 runs\/sweeps\.db \.recover > dump\.sql`/],
    ["SQLITE_CORRUPT_INDEX", "database disk image is malformed", /is damaged \(SQLITE_CORRUPT_INDEX/],
    ["SQLITE_NOTADB", "file is not a database", /^runs\/sweeps\.db is not an SQLite database, or its first page is damaged/],
    ["SQLITE_CANTOPEN", "unable to open database file", /^cannot open runs\/sweeps\.db \(SQLITE_CANTOPEN: .*\): check that the file and its folder exist/],
    ["SQLITE_READONLY", "attempt to write a readonly database", /^cannot write to runs\/sweeps\.db: it or its folder is read-only .*fix the permissions or remount the file system read-write/],
    ["SQLITE_READONLY_DBMOVED", "attempt to write a readonly database", /was moved or deleted while sweep had it open/],
    ["SQLITE_READONLY_ROLLBACK", "attempt to write a readonly database", /unfinished transaction of a process that crashed/],
    ["SQLITE_FULL", "database or disk is full", /^the disk holding runs\/sweeps\.db is full .*Free some space/],
    ["SQLITE_IOERR_WRITE", "disk I/O error", /^the disk or file system failed while using runs\/sweeps\.db \(SQLITE_IOERR_WRITE: disk I\/O error\): check the disk/],
    ["SQLITE_IOERR_SHORT_READ", "disk I/O error", /shorter than its own header says: it was truncated/],
    ["SQLITE_PROTOCOL", "locking protocol", /network file systems break SQLite's locking/],
    ["SQLITE_BUSY", "database is locked", /^runs\/sweeps\.db is locked by another process/],
    ["SQLITE_CONSTRAINT_CHECK", "CHECK constraint failed: status", /does not have the shape this version of sweep expects/],
    ["SQLITE_NOMEM", "out of memory", /ran out of memory/],
    ["SQLITE_WEIRD_NEW_CODE", "something new", /^SQLite storage runs\/sweeps\.db failed \(SQLITE_WEIRD_NEW_CODE: something new\)/],
  ];
  for (const [code, message, expected] of cases) {
    it(code, () => {
      const err = toStorageError(new Database.SqliteError(message, code), location);
      storageError(expected)(err);
      assert.equal((err as Error & { cause?: { code?: string } }).cause?.code, code);
    });
  }

  it("leaves errors that are not SQLite's alone", () => {
    const own = new StorageError("no sweep 'x'");
    assert.equal(toStorageError(own, location), own);
    const proposer = new TypeError("a bug in a sampler");
    assert.equal(toStorageError(proposer, location), proposer);
  });
});
