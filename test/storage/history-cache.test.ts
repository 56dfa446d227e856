/**
 * The history cache (src/storage/history-cache.ts) that claims and readHistory read through, in SQLite and in
 * PostgreSQL: two storage instances on one database, as two agents would have; everything one writes, the
 * other's next claim must see, whatever order the writing transactions began and ended in.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { SqliteStorage } from "../../src/storage/index.js";
import { PostgresStorage } from "../../src/storage/postgres/postgres-storage.js";
import type { ClaimContext, Storage } from "../../src/storage/types.js";
import { POSTGRES_MISSING, startPgServer, type PgServer } from "./pg-server.js";

const dir = mkdtempSync(join(tmpdir(), "sweep-history-"));
let server: PgServer | null = null;
before(async () => {
  server = await startPgServer();
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Claims through `storage` and returns what its proposer saw. */
async function seen(storage: Storage, sweepId: string): Promise<ClaimContext> {
  let context: ClaimContext | undefined;
  await storage.claimTrial(sweepId, {
    worker: "probe",
    metricName: "loss",
    propose: (ctx) => {
      context = ctx;
      return { stop: true, reason: "probe" };
    },
  });
  return context!;
}

/** Two storages on one new database of the backend. */
type OpenPair = () => Promise<[Storage, Storage] | null>;
let sqliteFiles = 0;
const backends: [string, OpenPair][] = [
  [
    "SQLite",
    async () => {
      const path = join(dir, `h${sqliteFiles++}.db`);
      return [await SqliteStorage.open(path), await SqliteStorage.open(path)];
    },
  ],
  [
    "PostgreSQL",
    async () => {
      if (server === null) return null;
      const url = await server.freshSchema();
      return [await PostgresStorage.open(url), await PostgresStorage.open(url)];
    },
  ],
];

for (const [backend, openPair] of backends) describe(`the history cache, ${backend}`, () => {
test("a claim's cached history follows every change another connection makes", async (t) => {
  const pair = await openPair();
  if (pair === null) return t.skip(POSTGRES_MISSING);
  const [a, b] = pair;
  const sweep = await a.createSweep({ configRaw: "{}", config: {} });
  let n = 0;
  const propose = () => ({ params: { x: n++ } });

  const t0 = await a.claimTrial(sweep.id, { worker: "a", propose });
  assert.ok("trial" in t0);
  assert.deepEqual((await seen(a, sweep.id)).trials.map((t) => t.status), ["running"]);

  // Changes through the other connection: a new trial, metrics, a finish.
  const t1 = await b.claimTrial(sweep.id, { worker: "b", propose });
  assert.ok("trial" in t1);
  await b.addIntermediate(t0.trial.id, 1, { loss: 0.5, acc: 0.1 });
  await b.addIntermediate(t0.trial.id, 2, { loss: 0.4 });
  await b.finishTrial(t0.trial.id, { status: "completed", value: 0.4 });
  let ctx = await seen(a, sweep.id);
  assert.deepEqual(ctx.trials.map((t) => [t.number, t.status, t.value]), [[0, "completed", 0.4], [1, "running", null]]);
  assert.deepEqual(ctx.intermediates.map((r) => [r.trialId, r.step, r.value]), [[t0.trial.id, 1, 0.5], [t0.trial.id, 2, 0.4]]);

  // A re-reported step (an upsert) and a requeue (new attempt hides the old curve) are seen too.
  await b.addIntermediate(t1.trial.id, 1, { loss: 0.9 });
  await b.addIntermediate(t1.trial.id, 1, { loss: 0.8 });
  ctx = await seen(a, sweep.id);
  assert.deepEqual(ctx.intermediates.filter((r) => r.trialId === t1.trial.id).map((r) => r.value), [0.8]);
  await b.finishTrial(t1.trial.id, { status: "interrupted" });
  await b.requeueTrial(t1.trial.id);
  // Queued trials are claimed before the proposer is asked: this claim takes the requeued trial (attempt 2).
  const again = await a.claimTrial(sweep.id, { worker: "a", propose });
  assert.ok("trial" in again && again.trial.id === t1.trial.id && !again.fresh);
  ctx = await seen(a, sweep.id);
  assert.deepEqual(ctx.intermediates.filter((r) => r.trialId === t1.trial.id), [], "the old attempt's curve is hidden");
  const trials = await a.listTrials(sweep.id);
  assert.deepEqual(trials.map((t) => [t.number, t.status, t.attempt]), [[0, "completed", 1], [1, "running", 2]]);
  assert.deepEqual(ctx.trials.map((t) => [t.number, t.attempt]), [[0, 1], [1, 2]]);
  await a.close();
  await b.close();
});
});

/** A plain driver connection to the database at `url`, as another agent's open transaction. */
async function rawClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

test("PostgreSQL: a write whose transaction began before a newer one committed is still seen once it commits", async (t) => {
  if (server === null) return t.skip(POSTGRES_MISSING);
  const url = await server.freshSchema();
  const a = await PostgresStorage.open(url);
  const b = await PostgresStorage.open(url);
  const slow = await rawClient(url);
  try {
    const sweep = await a.createSweep({ configRaw: "{}", config: {} });
    let n = 0;
    const propose = () => ({ params: { x: n++ } });
    const t0 = await a.claimTrial(sweep.id, { worker: "a", propose });
    assert.ok("trial" in t0);
    await seen(a, sweep.id);

    // The slow transaction stamps its rows first (the older transaction id) but commits last.
    await slow.query("BEGIN");
    await slow.query("UPDATE trials SET heartbeat_at = 'slow' WHERE id = $1", [t0.trial.id]);
    await slow.query("INSERT INTO intermediate_values (trial_id, attempt, step, name, value, created_at) VALUES ($1, 1, 7, 'loss', 0.7, 'now')", [t0.trial.id]);
    await b.addIntermediate(t0.trial.id, 1, { loss: 0.5 });
    const t1 = await b.claimTrial(sweep.id, { worker: "b", propose });
    assert.ok("trial" in t1);

    let ctx = await seen(a, sweep.id);
    assert.deepEqual(ctx.trials.map((tr) => tr.number), [0, 1], "the newer transaction's trial");
    assert.equal(ctx.trials[0]!.heartbeatAt === "slow", false, "the open transaction is not visible yet");
    assert.deepEqual(ctx.intermediates.map((r) => r.step), [1]);

    await slow.query("COMMIT");
    ctx = await seen(a, sweep.id);
    assert.equal(ctx.trials[0]!.heartbeatAt, "slow", "the older transaction's update, once committed");
    assert.deepEqual(ctx.intermediates.map((r) => [r.step, r.value]), [[1, 0.5], [7, 0.7]]);
    const history = await a.readHistory(sweep.id, "loss");
    assert.deepEqual(history.intermediates.map((r) => r.step), [1, 7]);
  } finally {
    await slow.end();
    await a.close();
    await b.close();
  }
});

test("PostgreSQL: a sweep removed and made again under the same id is read from scratch", async (t) => {
  if (server === null) return t.skip(POSTGRES_MISSING);
  const url = await server.freshSchema();
  const a = await PostgresStorage.open(url);
  const b = await PostgresStorage.open(url);
  try {
    const first = await a.createSweep({ id: "sameid01", configRaw: "{}", config: {} });
    await a.claimTrial(first.id, { worker: "a", propose: () => ({ params: { x: 1 } }) });
    assert.equal((await seen(a, first.id)).trials.length, 1);
    await b.deleteSweep(first.id);
    const again = await b.createSweep({ id: "sameid01", configRaw: "{}", config: {} });
    assert.deepEqual((await seen(a, again.id)).trials, [], "no trial of the removed sweep");
  } finally {
    await a.close();
    await b.close();
  }
});
