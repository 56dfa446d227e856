import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyOutcome, BrokenTrainerDetector } from "../../src/runner/outcome.js";
import { findOrphanedTrials, requeueOrphan } from "../../src/runner/recovery.js";
import { announceWorker, currentWorker } from "../../src/runner/worker.js";
import { MemoryStorage } from "../../src/storage/index.js";

async function sweepWithRunningTrial(storage: MemoryStorage, worker: string) {
  const sweep = await storage.createSweep({ configRaw: "", config: {} });
  const claim = await storage.claimTrial(sweep.id, { worker, propose: () => ({ params: { x: 1 } }) });
  assert.ok("trial" in claim);
  return { sweepId: sweep.id, trial: claim.trial };
}

const opts = { self: { name: "me:1", host: "me", pid: 1, startTime: null }, staleAfterMs: 60_000 };

async function recoverDeadTrials(storage: MemoryStorage, sweepId: string, o: typeof opts & { treatUnknownAsDead: boolean }) {
  const orphans = await findOrphanedTrials(storage, sweepId, o);
  for (const orphan of orphans) await requeueOrphan(storage, orphan, o.self);
  return orphans.map((x) => ({ number: x.trial.number, local: x.local }));
}

test("a running trial of a live worker is left alone; one of a dead worker is requeued", async () => {
  const storage = new MemoryStorage();
  const live = currentWorker();
  const { sweepId, trial } = await sweepWithRunningTrial(storage, live.name);
  await announceWorker(storage, sweepId, live, "controller");
  assert.deepEqual(await recoverDeadTrials(storage, sweepId, { ...opts, treatUnknownAsDead: true }), []);
  assert.equal((await storage.getTrial(trial.id))!.status, "running");

  // The same worker name, but a start time that is not this process's: a recycled pid, i.e. dead.
  await announceWorker(storage, sweepId, { ...live, startTime: "other-boot:1" }, "controller");
  const recovered = await recoverDeadTrials(storage, sweepId, { ...opts, treatUnknownAsDead: false });
  assert.deepEqual(recovered.map((r) => r.number), [0]);
  const after = (await storage.getTrial(trial.id))!;
  assert.deepEqual([after.status, after.attempt], ["queued", 2]);
});

test("an unannounced worker with a fresh heartbeat counts as alive, a stale one as dead", async () => {
  const storage = new MemoryStorage();
  const { sweepId, trial } = await sweepWithRunningTrial(storage, "elsewhere:42");
  await storage.updateTrial(trial.id, { heartbeatAt: new Date().toISOString() });
  assert.deepEqual(await recoverDeadTrials(storage, sweepId, { ...opts, treatUnknownAsDead: true }), []);
  await storage.updateTrial(trial.id, { heartbeatAt: new Date(Date.now() - 120_000).toISOString() });
  assert.equal((await recoverDeadTrials(storage, sweepId, { ...opts, treatUnknownAsDead: false })).length, 1);
});

test("fail-fast: N runs in a row failing the same way, at any point of the sweep, stop it", () => {
  const fail = (code: number, line: string) => classifyOutcome({ exit: { code, signal: null, stderrTail: line }, stopCause: null, reportedMetrics: new Set() });
  const ok = () => classifyOutcome({ exit: { code: 0, signal: null, stderrTail: "" }, stopCause: null, reportedMetrics: new Set() });
  const same = new BrokenTrainerDetector(3);
  assert.equal(same.record(fail(1, "Error at pid 123")), false);
  assert.equal(same.record(fail(1, "Error at pid 456")), false);
  assert.equal(same.record(fail(1, "Error at pid 789")), true, "numbers in the message do not make failures different");
  const mixed = new BrokenTrainerDetector(3);
  mixed.record(fail(1, "a"));
  mixed.record(fail(2, "b"));
  assert.equal(mixed.record(fail(1, "a")), false, "three different failures are not yet a broken trainer");
  mixed.record(fail(3, "c"));
  mixed.record(fail(4, "d"));
  assert.equal(mixed.record(fail(5, "e")), true, "2N failures in a row, whatever they are, stop the sweep");
  // A trainer that works for two trials, then breaks (a full disk, an expired token) is caught all the same.
  const late = new BrokenTrainerDetector(3);
  for (let i = 0; i < 2; i++) assert.equal(late.record(ok()), false);
  assert.equal(late.record(fail(1, "No space left on device")), false);
  assert.equal(late.record(fail(1, "No space left on device")), false);
  assert.equal(late.record(fail(1, "No space left on device")), true);
  // A success breaks the streak.
  const healed = new BrokenTrainerDetector(2);
  healed.record(fail(1, "a"));
  healed.record(ok());
  assert.equal(healed.record(fail(1, "a")), false);
});

test("a dead worker on another host with our pid is judged by heartbeat only, never as a process of this host", async () => {
  const storage = new MemoryStorage();
  const me = currentWorker();
  // Another host's controller that happens to have this very pid (and even this start time).
  const twin = { ...me, name: `other-host:${me.pid}`, host: "other-host" };
  const { sweepId, trial } = await sweepWithRunningTrial(storage, twin.name);
  await announceWorker(storage, sweepId, twin, "controller");
  await storage.updateTrial(trial.id, { heartbeatAt: new Date().toISOString() });
  assert.deepEqual(await findOrphanedTrials(storage, sweepId, { ...opts, treatUnknownAsDead: true }), [], "a fresh heartbeat is alive, whatever pid it has");
  await storage.updateTrial(trial.id, { heartbeatAt: new Date(Date.now() - 120_000).toISOString() });
  const orphans = await findOrphanedTrials(storage, sweepId, { ...opts, treatUnknownAsDead: false });
  assert.deepEqual(orphans.map((o) => [o.trial.number, o.local]), [[0, false]], "not local: its processes are never looked for here");
});
