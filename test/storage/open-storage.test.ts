/** openStorage / parseStorageLocation: which backend a location string names. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  DEFAULT_STORAGE_PATH,
  MemoryStorage,
  SqliteStorage,
  openStorage,
  parseStorageLocation,
} from "../../src/storage/index.js";

const root = mkdtempSync(join(tmpdir(), "sweep-open-storage-test-"));
after(() => rmSync(root, { recursive: true, force: true }));
const storageError = (message: RegExp) => ({ name: "StorageError", message });

describe("parseStorageLocation", () => {
  it("maps memory names, plain paths and sqlite: URLs", () => {
    assert.equal(DEFAULT_STORAGE_PATH, "storage/sweeps.db");
    assert.deepEqual(parseStorageLocation(":memory:"), { kind: "memory" });
    assert.deepEqual(parseStorageLocation("memory:"), { kind: "memory" });
    const cases: [string, string][] = [
      [DEFAULT_STORAGE_PATH, "storage/sweeps.db"],
      ["/var/lib/sweeps.db", "/var/lib/sweeps.db"],
      ["sqlite:runs/a.db", "runs/a.db"],
      ["sqlite:/abs/a.db", "/abs/a.db"],
      ["sqlite://runs/a.db", "runs/a.db"],
      // SQLAlchemy / Optuna spelling: three slashes then a relative path, four for an absolute one.
      ["sqlite:///example.db", "example.db"],
      ["sqlite:////abs/example.db", "/abs/example.db"],
      ["SQLITE:x.db", "x.db"],
    ];
    for (const [location, path] of cases) {
      assert.deepEqual(parseStorageLocation(location), { kind: "sqlite", path }, location);
    }
  });

  it("routes postgres:// and postgresql:// URLs to PostgreSQL, as given (the driver parses them)", () => {
    for (const url of [
      "postgresql://sweeper:hunter2@db.example:5432/sweeps",
      "postgres://db/sweeps",
      "POSTGRESQL://db/sweeps?sslmode=require",
    ]) {
      assert.deepEqual(parseStorageLocation(url), { kind: "postgresql", url }, url);
    }
  });

  it("refuses unknown schemes (without echoing the password) and empty locations", () => {
    assert.throws(
      () => parseStorageLocation("mysql://root:hunter2@db/sweeps"),
      storageError(/^storage location 'mysql:\/\/root:\*\*\*@db\/sweeps' has the unknown scheme 'mysql:\/\/'.*"postgresql:\/\/user@host\/database"/),
    );
    assert.throws(() => parseStorageLocation(""), storageError(/storage location "" is empty/));
    assert.throws(() => parseStorageLocation("sqlite:"), storageError(/storage location 'sqlite:' names no file/));
  });
});

describe("openStorage", () => {
  it("opens a fresh MemoryStorage for each memory location", async () => {
    const a = await openStorage(":memory:");
    const b = await openStorage("memory:");
    assert.ok(a instanceof MemoryStorage && b instanceof MemoryStorage);
    assert.equal(a.kind, "memory");
    await a.createSweep({ configRaw: "{}", config: {} });
    assert.equal((await b.listSweeps()).length, 0);
    await Promise.all([a.close(), b.close()]);
  });

  it("opens a SQLite file (creating its folders) from a path or a sqlite: URL", async () => {
    const path = join(root, "nested", "deeper", "sweeps.db");
    const storage = await openStorage(`sqlite:${path}`, { busyTimeoutMs: 1000 });
    assert.ok(storage instanceof SqliteStorage);
    assert.equal(storage.kind, "sqlite");
    assert.equal(storage.location, path);
    const sweep = await storage.createSweep({ configRaw: "{}", config: {} });
    await storage.close();
    assert.ok(existsSync(path));

    const again = await openStorage(path);
    assert.equal((await again.getSweep(sweep.id))?.id, sweep.id);
    await assert.rejects(again.setSweepStatus("abc12345", "paused"), storageError(new RegExp(`no sweep 'abc12345' in ${path}`)));
    await again.close();
  });
});
