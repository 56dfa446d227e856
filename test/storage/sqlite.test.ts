/** SqliteStorage: the shared contract on real files, plus what only a file-backed store has. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { SCHEMA_VERSION, SqliteStorage, StorageError } from "../../src/storage/index.js";
import { MIGRATIONS } from "../../src/storage/sqlite/schema.js";
import { storageContract } from "./contract.js";

const root = mkdtempSync(join(tmpdir(), "sweep-sqlite-test-"));
after(() => rmSync(root, { recursive: true, force: true }));
let fileCounter = 0;
const freshPath = () => join(root, `db-${++fileCounter}`, "sweeps.db");

storageContract("sqlite", () => SqliteStorage.open(freshPath()));

const storageError = (message: RegExp) => ({ name: "StorageError", message });

function rawUserVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma("user_version", { simple: true }) as number;
  } finally {
    db.close();
  }
}

describe("SqliteStorage file behaviour", () => {
  it("creates parent folders, runs in WAL mode and records the schema version", async () => {
    const path = freshPath();
    const storage = await SqliteStorage.open(path);
    try {
      assert.equal(storage.kind, "sqlite");
      assert.equal(storage.location, path);
      assert.equal(storage.journalMode, "wal");
      await storage.createSweep({ configRaw: "{}", config: {} });
      assert.ok(existsSync(`${path}-wal`), "a WAL file sits beside the database while it is open");
      const other = new Database(path);
      assert.equal(other.pragma("journal_mode", { simple: true }), "wal", "WAL mode is persistent in the file");
      assert.equal(other.pragma("user_version", { simple: true }), SCHEMA_VERSION);
      const tables = other
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .pluck()
        .all();
      assert.deepEqual(tables, ["events", "intermediate_values", "sweeps", "trials"]);
      other.close();
    } finally {
      await storage.close();
    }
  });

  it("migrates an empty existing file, and reopening changes nothing", async () => {
    const path = join(root, "empty.db");
    writeFileSync(path, "");
    const first = await SqliteStorage.open(path);
    const sweep = await first.createSweep({ id: "keepme", configRaw: "a: 1", config: { a: 1 } });
    await first.close();
    assert.equal(rawUserVersion(path), SCHEMA_VERSION);
    const second = await SqliteStorage.open(path);
    assert.deepEqual(await second.listSweeps(), [sweep]);
    await second.close();
    assert.equal(rawUserVersion(path), SCHEMA_VERSION);
  });

  it("refuses a database from a newer version and leaves it untouched", async () => {
    const path = join(root, "newer.db");
    const db = new Database(path);
    db.exec("CREATE TABLE sweeps (id TEXT PRIMARY KEY); CREATE TABLE future_things (x)"); // a newer sweep's file has a sweeps table
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await assert.rejects(
      SqliteStorage.open(path),
      storageError(
        new RegExp(`newer\\.db has schema version ${SCHEMA_VERSION + 1}, but this version of sweep only knows up to ${SCHEMA_VERSION}`),
      ),
    );
    assert.equal(rawUserVersion(path), SCHEMA_VERSION + 1);
  });

  it("refuses an SQLite file that is not a sweep storage, and a file that is not SQLite", async () => {
    const foreign = join(root, "foreign.db");
    const db = new Database(foreign);
    db.exec("CREATE TABLE customers (id INTEGER)");
    db.close();
    await assert.rejects(SqliteStorage.open(foreign), storageError(/not a sweep storage \(it has tables customers/));

    const text = join(root, "notes.txt");
    writeFileSync(text, "these are not the pages you are looking for\n".repeat(200));
    await assert.rejects(SqliteStorage.open(text), storageError(/notes\.txt is not an SQLite database/));
  });

  it("keeps everything across close and reopen", async () => {
    const path = freshPath();
    const writer = await SqliteStorage.open(path);
    const sweep = await writer.createSweep({ name: "persist", configRaw: "x: 1\n", config: { x: 1 } });
    const queued = await writer.enqueueTrial(sweep.id, { x: 0 });
    const claim = await writer.claimTrial(sweep.id, { worker: "w", propose: () => ({ params: { x: 9 } }) });
    assert.ok("trial" in claim);
    await writer.addIntermediate(claim.trial.id, 0, { loss: Number.NaN, acc: 0.5 });
    const finished = await writer.finishTrial(claim.trial.id, { status: "failed", value: Number.NaN, error: "diverged" });
    await writer.addEvent(sweep.id, "trial_failed", { value: Number.NaN }, claim.trial.id);
    const before = {
      sweeps: await writer.listSweeps(),
      trials: await writer.listTrials(sweep.id),
      intermediates: await writer.listIntermediates({ sweepId: sweep.id }),
      events: await writer.listEvents(sweep.id),
    };
    await writer.close();
    assert.ok(!existsSync(`${path}-wal`), "closing the last connection folds the WAL back into the file");

    const reader = await SqliteStorage.open(path);
    assert.deepEqual(
      {
        sweeps: await reader.listSweeps(),
        trials: await reader.listTrials(sweep.id),
        intermediates: await reader.listIntermediates({ sweepId: sweep.id }),
        events: await reader.listEvents(sweep.id),
      },
      before,
    );
    assert.deepEqual(before.trials.map((t) => t.id), [queued.id]);
    assert.ok(Number.isNaN(finished!.value));
    await reader.close();
  });

  it("stores NaN as the text 'NaN' and ±Infinity as REAL, and the schema admits nothing else", async () => {
    const path = freshPath();
    const storage = await SqliteStorage.open(path);
    const sweep = await storage.createSweep({ configRaw: "{}", config: {} });
    const claim = await storage.claimTrial(sweep.id, { worker: "w", propose: () => ({ params: {} }) });
    assert.ok("trial" in claim);
    await storage.addIntermediate(claim.trial.id, 0, { nan: Number.NaN, inf: Number.POSITIVE_INFINITY });
    await storage.close();

    const db = new Database(path);
    const stored = db
      .prepare("SELECT name, typeof(value) AS type, value FROM intermediate_values ORDER BY name")
      .all();
    assert.deepEqual(stored, [
      { name: "inf", type: "real", value: Number.POSITIVE_INFINITY },
      { name: "nan", type: "text", value: "NaN" },
    ]);
    assert.throws(
      () => db.prepare("UPDATE trials SET value = 'oops' WHERE id = ?").run(claim.trial.id),
      /CHECK constraint failed/,
    );
    db.close();
  });

  describe("when another connection holds the write lock", () => {
    let path: string;
    let blocker: Database.Database;
    before(async () => {
      path = freshPath();
      await (await SqliteStorage.open(path)).close();
      blocker = new Database(path);
    });
    after(() => blocker.close());

    it("fails after the busy timeout and its retries with a clear error, not 'database is locked'", async () => {
      const storage = await SqliteStorage.open(path, { busyTimeoutMs: 20, busyRetry: { retries: 2, initialDelayMs: 5 } });
      blocker.exec("BEGIN IMMEDIATE");
      try {
        await assert.rejects(
          storage.createSweep({ configRaw: "{}", config: {} }),
          (err: unknown) =>
            err instanceof StorageError && /stayed locked by another process through 3 tries/.test(err.message),
        );
      } finally {
        blocker.exec("ROLLBACK");
        await storage.close();
      }
    });

    it("waits and retries until the lock is released", async () => {
      const storage = await SqliteStorage.open(path, { busyTimeoutMs: 10, busyRetry: { retries: 8, initialDelayMs: 20 } });
      blocker.exec("BEGIN IMMEDIATE");
      const release = setTimeout(() => blocker.exec("COMMIT"), 150);
      try {
        const sweep = await storage.createSweep({ configRaw: "{}", config: {} });
        assert.ok(await storage.getSweep(sweep.id));
      } finally {
        clearTimeout(release);
        if (blocker.inTransaction) blocker.exec("COMMIT");
        await storage.close();
      }
    });
  });

  it("rejects a bad busy timeout", async () => {
    await assert.rejects(SqliteStorage.open(freshPath(), { busyTimeoutMs: -5 }), storageError(/busyTimeoutMs -5 is not valid/));
  });
});

describe("SQLite migration to schema 3 (sweep user attributes)", () => {
  it("upgrades a schema-2 file in place: its sweeps keep everything and get empty user attributes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sweep-migrate-"));
    try {
      const path = join(dir, "old.db");
      const db = new Database(path);
      MIGRATIONS[0]!.up(db);
      MIGRATIONS[1]!.up(db);
      db.pragma("user_version = 2");
      db.prepare("INSERT INTO sweeps (id, name, config_raw, config_json, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
        "old00001", "before", "{}", "{}", "running", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z",
      );
      db.close();
      const storage = await SqliteStorage.open(path);
      try {
        const sweep = await storage.getSweep("old00001");
        assert.equal(sweep?.name, "before");
        assert.deepEqual(sweep?.userAttrs, {});
        await storage.setSweepUserAttr("old00001", "owner", "me");
        assert.deepEqual((await storage.getSweep("old00001"))?.userAttrs, { owner: "me" });
      } finally {
        await storage.close();
      }
      const reopened = new Database(path);
      assert.equal(reopened.pragma("user_version", { simple: true }), SCHEMA_VERSION);
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
