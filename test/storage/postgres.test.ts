/**
 * PostgresStorage on a real server (see pg-server.ts): the shared contract, each test on a fresh database,
 * plus what only a shared server has — migrations raced by several agents, row locks between connections,
 * the server's own timeouts.
 */
import assert from "node:assert/strict";
import { after, describe, it, test } from "node:test";
import pg from "pg";
import { POSTGRES_SCHEMA_VERSION, StorageError, openStorage, type ClaimResult } from "../../src/storage/index.js";
import { PostgresStorage } from "../../src/storage/postgres/postgres-storage.js";
import { storageContract } from "./contract.js";
import { POSTGRES_MISSING, startPgServer, type PgServer } from "./pg-server.js";

const storageError = (message: RegExp) => ({ name: "StorageError", message });

/** Run `sql` on the database at `url` with a plain driver connection, as an operator would. */
async function raw<R extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** `count` storages on one database, each with its own connections, as separate agents would have. */
async function openAgents(url: string, count: number): Promise<PostgresStorage[]> {
  return Promise.all(Array.from({ length: count }, () => PostgresStorage.open(url)));
}

function describeServerBehaviour(server: PgServer): void {
  describe("PostgresStorage on a shared server", () => {
    it("migrates a new database exactly once when four agents open it at the same moment", async () => {
      const url = await server.freshSchema();
      await raw(url, "CREATE TABLE unrelated_app_table (x integer)"); // a shared database is fine
      const agents = await openAgents(url, 4);
      const versions = await raw<{ version: number; description: string }>(url, "SELECT * FROM sweep_schema_version");
      assert.deepEqual(
        versions.map((v) => v.version),
        Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1),
      );
      const tables = await raw<{ table_name: string }>(
        url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
      );
      assert.deepEqual(
        tables.map((t) => t.table_name),
        ["events", "intermediate_values", "sweep_schema_version", "sweeps", "trials", "unrelated_app_table"],
      );
      const created = await Promise.all(agents.map((a, i) => a.createSweep({ name: `s${i}`, configRaw: "{}", config: {} })));
      assert.deepEqual(
        (await agents[0]!.listSweeps()).map((s) => s.id).sort(),
        created.map((s) => s.id).sort(),
      );
      await Promise.all(agents.map((a) => a.close()));
      const again = await PostgresStorage.open(url);
      assert.equal((await again.listSweeps()).length, 4);
      await again.close();
      assert.equal((await raw(url, "SELECT * FROM sweep_schema_version")).length, POSTGRES_SCHEMA_VERSION, "reopening migrates nothing");
    });

    it("refuses a newer schema and tables it did not make, changing nothing", async () => {
      const newer = await server.freshSchema();
      await (await PostgresStorage.open(newer)).close();
      await raw(newer, "INSERT INTO sweep_schema_version VALUES ($1, 'from the future', '2999-01-01')", [
        POSTGRES_SCHEMA_VERSION + 1,
      ]);
      await assert.rejects(
        PostgresStorage.open(newer),
        storageError(
          new RegExp(`has schema version ${POSTGRES_SCHEMA_VERSION + 1}, but this version of sweep only knows up to ${POSTGRES_SCHEMA_VERSION}`),
        ),
      );
      assert.equal((await raw(newer, "SELECT * FROM sweep_schema_version")).length, POSTGRES_SCHEMA_VERSION + 1);

      const foreign = await server.freshSchema();
      await raw(foreign, "CREATE TABLE trials (id integer)");
      await assert.rejects(
        PostgresStorage.open(foreign),
        storageError(/already has tables trials but no sweep_schema_version table, so they were not made by sweep/),
      );
      const tables = await raw(foreign, "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema()");
      assert.equal(tables.length, 1, "nothing was created beside the foreign table");
    });

    it("is what openStorage opens for postgres:// and postgresql:// URLs, with passwords kept out of messages", async () => {
      const url = await server.freshSchema();
      const withPassword = url.replace("postgres@", "postgres:s3cret@"); // the test server trusts local TCP
      const storage = await openStorage(withPassword, { maxConnections: 2 });
      assert.ok(storage instanceof PostgresStorage);
      assert.equal(storage.kind, "postgresql");
      assert.equal(storage.location, url.replace("postgres@", "postgres:***@"));
      await assert.rejects(storage.setSweepStatus("abc12345", "paused"), (err: unknown) => {
        assert.ok(err instanceof StorageError);
        assert.doesNotMatch(err.message, /s3cret/);
        return /no sweep 'abc12345' in postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1/.test(err.message);
      });
      await storage.close();
      const short = await openStorage(url.replace("postgresql://", "postgres://"));
      assert.equal(short.kind, "postgresql");
      await short.close();
    });

    it("fails fast with a clear message when the server cannot be reached or the options are wrong", async () => {
      const closedPort = server.port === 1 ? 2 : 1; // nothing listens on a privileged port this low
      await assert.rejects(
        PostgresStorage.open(`postgresql://me:pw@127.0.0.1:${closedPort}/db?password=pw2`, { connectTimeoutMs: 2000 }),
        storageError(
          new RegExp(`^PostgreSQL storage postgresql://me:\\*\\*\\*@127\\.0\\.0\\.1:${closedPort}/db\\?password=\\*\\*\\* cannot be reached: .*ECONNREFUSED`),
        ),
      );
      await assert.rejects(
        PostgresStorage.open(server.url("no_such_database")),
        storageError(/cannot be reached: database "no_such_database" does not exist \(SQLSTATE 3D000\)/),
      );
      await assert.rejects(PostgresStorage.open("mysql://x/y"), storageError(/"mysql:\/\/x\/y" is not a PostgreSQL URL/));
      await assert.rejects(PostgresStorage.open(server.url(), { maxConnections: 0 }), storageError(/maxConnections 0 is not valid/));
    });

    it("stores NaN and ±Infinity as native doubles and keeps text free of NUL characters", async () => {
      const url = await server.freshSchema();
      const storage = await PostgresStorage.open(url);
      const sweep = await storage.createSweep({ configRaw: "{}", config: {} });
      const claim = await storage.claimTrial(sweep.id, { worker: "w", propose: () => ({ params: {} }) });
      assert.ok("trial" in claim);
      await storage.addIntermediate(claim.trial.id, 0, { nan: Number.NaN, inf: Number.POSITIVE_INFINITY });
      const finished = await storage.finishTrial(claim.trial.id, {
        status: "failed",
        value: Number.NEGATIVE_INFINITY,
        error: "trainer wrote \u0000\u0001 binary",
      });
      assert.equal(finished?.error, "trainer wrote \uFFFD\u0001 binary");
      assert.deepEqual(
        await raw(url, "SELECT name, pg_typeof(value)::text AS type, value::text AS text FROM intermediate_values ORDER BY name"),
        [
          { name: "inf", type: "double precision", text: "Infinity" },
          { name: "nan", type: "double precision", text: "NaN" },
        ],
      );
      assert.deepEqual(await raw(url, "SELECT value::text AS text FROM trials"), [{ text: "-Infinity" }]);
      await storage.close();
    });

    it("takes queued trials without waiting for a proposer, and makes proposers take turns", async () => {
      const url = await server.freshSchema();
      const storage = await PostgresStorage.open(url);
      const sweep = await storage.createSweep({ configRaw: "{}", config: {} });
      const queued = await storage.enqueueTrial(sweep.id, { q: 1 });

      // Another agent in the middle of proposing: it holds this sweep's proposer lock.
      const proposer = new pg.Client({ connectionString: url });
      await proposer.connect();
      await proposer.query("BEGIN");
      await proposer.query("SELECT * FROM sweeps WHERE id = $1 FOR NO KEY UPDATE", [sweep.id]);
      try {
        const fromQueue = await storage.claimTrial(sweep.id, { worker: "a", propose: () => ({ params: { new: 1 } }) });
        assert.ok("trial" in fromQueue && fromQueue.trial.id === queued.id, "the queued trial is handed out at once");

        let settled = false;
        const waiting = storage
          .claimTrial(sweep.id, { worker: "b", propose: (ctx) => ({ params: { n: ctx.nextNumber } }) })
          .finally(() => (settled = true));
        await storage.addEvent(sweep.id, "note", null, queued.id); // foreign-key writes do not wait for it
        await new Promise((resolve) => setTimeout(resolve, 150));
        assert.equal(settled, false, "a new proposal waits for the other proposer");
        await proposer.query("COMMIT");
        const fresh = (await waiting) as Extract<ClaimResult, { trial: unknown }>;
        assert.equal(fresh.fresh, true);
        assert.deepEqual(fresh.trial.params, { n: 1 });
      } finally {
        await proposer.end();
        await storage.close();
      }
    });

    it("ends a claim whose proposer outlasts the server's idle-in-transaction timeout, creating nothing", async () => {
      const url = await server.freshSchema();
      const storage = await PostgresStorage.open(url, { idleInTransactionTimeoutMs: 100, maxConnections: 1 });
      const sweep = await storage.createSweep({ configRaw: "{}", config: {} });
      const slowPropose = () => {
        const until = Date.now() + 400; // a synchronous proposer stuck (or a frozen process) with the lock held
        while (Date.now() < until);
        return { params: {} };
      };
      await assert.rejects(
        storage.claimTrial(sweep.id, { worker: "slow", propose: slowPropose }),
        storageError(/idle-in-transaction timeout/),
      );
      assert.deepEqual(await storage.listTrials(sweep.id), [], "the killed transaction left nothing behind");
      const next = await storage.claimTrial(sweep.id, { worker: "fast", propose: () => ({ params: { ok: true } }) });
      assert.ok("trial" in next && next.trial.number === 0, "the storage works on with a fresh connection");
      await storage.close();
    });

    it("four agents claiming at once create exactly trials 0..59 and never share one", async () => {
      const url = await server.freshSchema();
      const agents = await openAgents(url, 4);
      const sweep = await agents[0]!.createSweep({ configRaw: "{}", config: {} });
      for (let i = 0; i < 8; i++) await agents[0]!.enqueueTrial(sweep.id, { queued: i });
      let proposeCalls = 0;
      const claimedBy = new Map<number, string>();
      await Promise.all(
        agents.map(async (agent, index) => {
          for (;;) {
            const result = await agent.claimTrial(sweep.id, {
              worker: `agent-${index}`,
              maxTrials: 60,
              propose: (ctx) => {
                proposeCalls++;
                return { params: { x: ctx.nextNumber } };
              },
            });
            if ("stop" in result) return;
            assert.ok(!claimedBy.has(result.trial.id), `trial ${result.trial.number} claimed twice`);
            claimedBy.set(result.trial.id, `agent-${index}`);
            await agent.finishTrial(result.trial.id, { status: "completed", value: result.trial.number });
          }
        }),
      );
      const trials = await agents[0]!.listTrials(sweep.id);
      assert.deepEqual(
        trials.map((t) => t.number),
        Array.from({ length: 60 }, (_, i) => i),
      );
      assert.ok(trials.every((t) => t.status === "completed" && claimedBy.get(t.id) === t.worker));
      assert.ok(trials.slice(8).every((t) => t.params.x === t.number), "each proposer saw the true next number");
      assert.equal(proposeCalls, 52, "no proposal was wasted on a trial that was never created");
      assert.ok(new Set(claimedBy.values()).size >= 2, "claims spread over agents");
      await Promise.all(agents.map((a) => a.close()));
    });

    it("four agents reclaiming at once split the stale trials between them", async () => {
      const url = await server.freshSchema();
      const agents = await openAgents(url, 4);
      const sweep = await agents[0]!.createSweep({ configRaw: "{}", config: {} });
      const stale: number[] = [];
      for (let i = 0; i < 12; i++) {
        const claim = await agents[0]!.claimTrial(sweep.id, { worker: "dead-host", propose: () => ({ params: { i } }) });
        assert.ok("trial" in claim);
        await agents[0]!.updateTrial(claim.trial.id, { heartbeatAt: "2000-01-01T00:00:00.000Z" });
        stale.push(claim.trial.id);
      }
      const results = await Promise.all(agents.map((a) => a.reclaimStaleTrials(sweep.id, new Date().toISOString())));
      assert.deepEqual(
        results.flat().map((t) => t.id).sort((a, b) => a - b),
        stale,
      );
      const events = (await agents[0]!.listEvents(sweep.id)).filter((e) => e.kind === "trial_reclaimed");
      assert.equal(events.length, 12);
      assert.ok((await agents[0]!.listTrials(sweep.id)).every((t) => t.status === "queued" && t.attempt === 2));
      await Promise.all(agents.map((a) => a.close()));
    });
  });
}

const server = await startPgServer();
if (server === null) {
  test("PostgreSQL storage", { skip: POSTGRES_MISSING }, () => {});
} else {
  after(() => server.stop());
  storageContract("postgresql", async () => PostgresStorage.open(await server.freshSchema()));
  describeServerBehaviour(server);
}
