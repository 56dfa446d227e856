/**
 * PostgresStorage opened read-only (as `sweep ls` and the other read commands open a postgresql:// storage):
 * the schema is checked, never created or migrated, and writes fail both in our code and on the server.
 */
import assert from "node:assert/strict";
import { after, describe, it, test } from "node:test";
import pg from "pg";
import { POSTGRES_SCHEMA_VERSION, StorageError, openStorage } from "../../src/storage/index.js";
import { POSTGRES_MISSING, startPgServer, type PgServer } from "./pg-server.js";

const storageError = (message: RegExp) => (err: unknown) => {
  assert.ok(err instanceof StorageError, `expected a StorageError, got ${String(err)}`);
  assert.match(err.message, message);
  return true;
};

async function raw<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

const tablesOf = async (url: string) =>
  (
    await raw<{ table_name: string }>(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
    )
  ).map((r) => r.table_name);

function describeReadOnly(server: PgServer): void {
  describe("PostgresStorage opened read-only", () => {
    it("refuses an empty schema without creating anything in it", async () => {
      const url = await server.freshSchema();
      await assert.rejects(openStorage(url, { readOnly: true }), storageError(/has no sweep tables yet: .*a read-only command creates nothing/));
      assert.deepEqual(await tablesOf(url), []);
    });

    it("reads what a writer stored; writes fail here and on the server", async () => {
      const url = await server.freshSchema();
      const writer = await openStorage(url);
      const sweep = await writer.createSweep({ name: "pg", configRaw: "{}", config: {} });
      await writer.close();

      const reader = await openStorage(url, { readOnly: true });
      try {
        assert.equal(reader.readOnly, true);
        assert.deepEqual((await reader.listSweeps()).map((s) => s.id), [sweep.id]);
        await assert.rejects(reader.createSweep({ configRaw: "{}", config: {} }), storageError(/was opened read-only, so it cannot create a sweep/));
        await assert.rejects(reader.setSweepStatus(sweep.id, "stopped"), storageError(/cannot change a sweep's status/));
        // Past our own check, the session itself is read-only.
        const pool = (reader as unknown as { pool: pg.Pool }).pool;
        await assert.rejects(pool.query("UPDATE sweeps SET status = 'stopped'"), /read-only transaction/);
      } finally {
        await reader.close();
      }
      assert.equal((await raw<{ status: string }>(url, "SELECT status FROM sweeps"))[0]?.status, "running");
    });

    it("refuses a newer schema version and tables that are not sweep's, changing nothing", async () => {
      const url = await server.freshSchema();
      await (await openStorage(url)).close();
      await raw(url, `INSERT INTO sweep_schema_version VALUES (${POSTGRES_SCHEMA_VERSION + 1}, 'future', 'now')`);
      await assert.rejects(
        openStorage(url, { readOnly: true }),
        storageError(new RegExp(`has schema version ${POSTGRES_SCHEMA_VERSION + 1}, but this version of sweep only knows up to ${POSTGRES_SCHEMA_VERSION}`)),
      );
      assert.equal((await raw(url, "SELECT * FROM sweep_schema_version")).length, POSTGRES_SCHEMA_VERSION + 1);

      const foreign = await server.freshSchema();
      await raw(foreign, "CREATE TABLE trials (id integer)");
      await assert.rejects(openStorage(foreign, { readOnly: true }), storageError(/already has tables trials but no sweep_schema_version table/));
      assert.deepEqual(await tablesOf(foreign), ["trials"]);
    });
  });
}

const server = await startPgServer();
if (server === null) {
  test("PostgreSQL read-only storage", { skip: POSTGRES_MISSING }, () => {});
} else {
  after(() => server.stop());
  describeReadOnly(server);
}
