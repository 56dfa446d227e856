import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SqliteStorage } from "../../src/storage/index.js";
import type { ClaimContext } from "../../src/storage/types.js";

const dir = mkdtempSync(join(tmpdir(), "sweep-history-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Claims through `storage` and returns what its proposer saw. */
async function seen(storage: SqliteStorage, sweepId: string): Promise<ClaimContext> {
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

test("a claim's cached history follows every change another connection makes", async () => {
  const path = join(dir, "a.db");
  const a = await SqliteStorage.open(path);
  const b = await SqliteStorage.open(path);
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
