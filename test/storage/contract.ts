/**
 * The behaviour every Storage backend must show, as one suite run against each backend
 * (memory.test.ts, sqlite.test.ts). Backend-specific checks live beside those calls.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { ClaimContext, ClaimResult, Storage, SweepRecord, TrialRecord } from "../../src/storage/index.js";

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const storageError = (message: RegExp) => ({ name: "StorageError", message });

function claimed(result: ClaimResult): { trial: TrialRecord; fresh: boolean } {
  assert.ok("trial" in result, `expected a trial, got ${JSON.stringify(result)}`);
  return result;
}

/** A proposer that numbers params after the trial and records what it saw. */
function recordingProposer() {
  const seen: ClaimContext[] = [];
  return {
    seen,
    propose: (ctx: ClaimContext) => {
      seen.push(ctx);
      return { params: { x: ctx.nextNumber }, meta: { proposedAt: ctx.nextNumber } };
    },
  };
}

export function storageContract(name: string, makeStorage: () => Promise<Storage>): void {
  describe(`Storage contract: ${name}`, () => {
    let storage: Storage;
    let sweep: SweepRecord;

    beforeEach(async () => {
      storage = await makeStorage();
      sweep = await storage.createSweep({ name: "demo", configRaw: "method: random\n", config: { method: "random" } });
    });
    afterEach(async () => {
      await storage.close();
    });

    const claimNew = async (worker = "w1") =>
      claimed(await storage.claimTrial(sweep.id, { worker, propose: recordingProposer().propose }));

    describe("sweeps", () => {
      it("updateSweepConfig rewrites the config and status under the write lock, and the edit sees the trial count", async () => {
        await claimNew();
        await claimNew("w2");
        await storage.setSweepStatus(sweep.id, "finished");
        const seen: { trialCount: number; status: string; config: unknown }[] = [];
        const updated = await storage.updateSweepConfig(sweep.id, (ctx) => {
          seen.push({ trialCount: ctx.trialCount, status: ctx.sweep.status, config: ctx.sweep.config });
          return { config: { method: "random", run_cap: 4 }, status: "paused" };
        });
        assert.deepEqual(seen, [{ trialCount: 2, status: "finished", config: { method: "random" } }]);
        assert.deepEqual(updated.config, { method: "random", run_cap: 4 });
        assert.equal(updated.status, "paused");
        assert.match(updated.updatedAt, ISO_MS);
        const stored = await storage.getSweep(sweep.id);
        assert.deepEqual(stored, updated);
        assert.equal(stored!.configRaw, sweep.configRaw, "the sweep file text is never rewritten");
        // No status in the edit: the status stays.
        const again = await storage.updateSweepConfig(sweep.id, () => ({ config: { method: "random", run_cap: 5 } }));
        assert.equal(again.status, "paused");
        assert.deepEqual(again.config, { method: "random", run_cap: 5 });
        // Trials are untouched, and a claim sees the new config.
        assert.equal((await storage.listTrials(sweep.id)).length, 2);
        let claimedWith: unknown;
        await storage.claimTrial(sweep.id, { worker: "w3", propose: (ctx) => ((claimedWith = ctx.sweep.config), { params: {} }) });
        assert.deepEqual(claimedWith, { method: "random", run_cap: 5 });
      });

      it("updateSweepConfig changes nothing when the edit throws or returns something malformed", async () => {
        await claimNew();
        const before = await storage.getSweep(sweep.id);
        class Refused extends Error {}
        await assert.rejects(
          storage.updateSweepConfig(sweep.id, () => {
            throw new Refused("no");
          }),
          Refused,
        );
        await assert.rejects(storage.updateSweepConfig(sweep.id, () => ({ config: {}, status: "done" as never })), storageError(/sweep status "done" is not one of/));
        await assert.rejects(storage.updateSweepConfig(sweep.id, () => ({ config: undefined })), storageError(/sweep config is missing/));
        await assert.rejects(storage.updateSweepConfig(sweep.id, () => null as never), storageError(/sweep config edit null is not valid/));
        await assert.rejects(storage.updateSweepConfig(sweep.id, 42 as never), storageError(/sweep config edit must be a function, got 42/));
        assert.deepEqual(await storage.getSweep(sweep.id), before);
        await assert.rejects(storage.updateSweepConfig("nosuch", () => ({ config: {} })), storageError(/nosuch/));
      });

      it("updateSweepConfig alongside claims: the edit sees an exact count, and claims bounded by the cap it wrote stop there", async () => {
        // Claims and an edit started together: whatever order the storage runs them in, the edit saw an exact
        // count, and claims bounded by the cap it wrote never go past it.
        const capOf = (s: { config: unknown }) => (s.config as { run_cap?: number }).run_cap;
        let written: number | undefined;
        const claims = Array.from({ length: 6 }, (_, i) =>
          storage.getSweep(sweep.id).then(() => storage.claimTrial(sweep.id, { worker: `w${i}`, maxTrials: 100, propose: recordingProposer().propose })),
        );
        const edit = storage.updateSweepConfig(sweep.id, ({ trialCount }) => ({ config: { method: "random", run_cap: (written = trialCount + 2) } }));
        await Promise.all([...claims, edit]);
        const made = (await storage.listTrials(sweep.id)).length;
        assert.equal(made, 6);
        assert.ok(written !== undefined && written >= 2 && written <= 8);
        const cap = capOf((await storage.getSweep(sweep.id))!)!;
        for (let i = 0; i < 5; i++) await storage.claimTrial(sweep.id, { worker: "late", maxTrials: cap, propose: recordingProposer().propose });
        assert.equal((await storage.listTrials(sweep.id)).length, Math.max(made, cap));
      });

      it("keeps sweep user attributes key by key, starting from none", async () => {
        assert.deepEqual(sweep.userAttrs, {});
        await storage.setSweepUserAttr(sweep.id, "dataset", "korsts");
        await storage.setSweepUserAttr(sweep.id, "notes", { tried: [1, 2], nan: Number.NaN });
        await storage.setSweepUserAttr(sweep.id, "dataset", "klue-sts");
        const got = await storage.getSweep(sweep.id);
        assert.equal(got?.userAttrs.dataset, "klue-sts");
        assert.deepEqual((got?.userAttrs.notes as { tried: number[] }).tried, [1, 2]);
        assert.ok(Number.isNaN((got?.userAttrs.notes as { nan: number }).nan));
        await assert.rejects(storage.setSweepUserAttr("nosuch00", "k", 1), /no sweep 'nosuch00'/);
        await assert.rejects(storage.setSweepUserAttr(sweep.id, "", 1), storageError(/user attribute key "" is not valid/));
      });

      it("updateTrial merges params key by key, as it does meta (define-by-run values)", async () => {
        const a = await storage.enqueueTrial(sweep.id, { lr: 0.1 });
        const merged = await storage.updateTrial(a.id, { params: { depth: 3 } });
        assert.deepEqual(merged.params, { lr: 0.1, depth: 3 });
        assert.deepEqual((await storage.getTrial(a.id))?.params, { lr: 0.1, depth: 3 });
        const history = await storage.readHistory(sweep.id);
        assert.deepEqual(history.trials.find((t) => t.id === a.id)?.params, { lr: 0.1, depth: 3 });
      });

      it("checks enqueued params against a study sweep's stored space, define-by-run distributions included", async () => {
        const space = {
          params: [
            { name: "lr", path: ["lr"], dist: { kind: "uniform", min: 0, max: 1 } },
            { name: "opt", path: ["opt"], dist: { kind: "categorical", values: ["adam", "sgd"] } },
          ],
        };
        const study = await storage.createSweep({ configRaw: "{}", config: { format: 1, config: {}, space } });
        await assert.rejects(storage.enqueueTrial(study.id, { lr: 5 }), storageError(/parameter 'lr': 5 is not a number in \[0, 1\]/));
        await assert.rejects(storage.enqueueTrial(study.id, { opt: "rmsprop" }), storageError(/"rmsprop" is not one of \["adam","sgd"\]/));
        await assert.rejects(storage.enqueueTrial(study.id, { depth: 3 }), storageError(/parameter 'depth' is not in the sweep's space/));
        const dynamic = { depth: { kind: "int_uniform", min: 1, max: 4 } };
        await assert.rejects(storage.enqueueTrial(study.id, { depth: 9 }, { distributions: dynamic }), storageError(/'depth': 9 is not an integer in \[1, 4\]/));
        assert.equal((await storage.enqueueTrial(study.id, { lr: 0.5, depth: 2 }, { distributions: dynamic })).status, "queued");
        assert.deepEqual(await storage.listTrials(study.id).then((ts) => ts.map((t) => t.params)), [{ lr: 0.5, depth: 2 }]);
      });

      it("deleteSweep removes the sweep with its trials, values and events, and nothing of another sweep", async () => {
        const other = await storage.createSweep({ configRaw: "{}", config: {} });
        const keep = claimed(await storage.claimTrial(other.id, { worker: "w1", propose: recordingProposer().propose })).trial;
        await storage.addIntermediate(keep.id, 1, { loss: 0.5 });
        await storage.addEvent(other.id, "kept", {});
        const { trial } = await claimNew();
        await storage.addIntermediate(trial.id, 1, { loss: 0.25 });
        await storage.addEvent(sweep.id, "gone", {}, trial.id);
        await storage.deleteSweep(sweep.id);
        assert.equal(await storage.getSweep(sweep.id), null);
        assert.deepEqual(await storage.listTrials(sweep.id), []);
        assert.equal(await storage.getTrial(trial.id), null);
        assert.deepEqual(await storage.listIntermediates({ trialId: trial.id }), []);
        assert.deepEqual(await storage.listEvents(sweep.id), []);
        assert.deepEqual((await storage.listSweeps()).map((s) => s.id), [other.id]);
        assert.equal((await storage.listIntermediates({ trialId: keep.id })).length, 1);
        assert.equal((await storage.listEvents(other.id)).length, 1);
        await assert.rejects(storage.deleteSweep(sweep.id), /no sweep/);
      });

      it("round-trips a sweep and generates an 8-character base-36 id", async () => {
        assert.match(sweep.id, /^[0-9a-z]{8}$/);
        assert.equal(sweep.name, "demo");
        assert.equal(sweep.configRaw, "method: random\n");
        assert.deepEqual(sweep.config, { method: "random" });
        assert.equal(sweep.status, "running");
        assert.match(sweep.createdAt, ISO_MS);
        assert.equal(sweep.updatedAt, sweep.createdAt);
        assert.deepEqual(await storage.getSweep(sweep.id), sweep);
        assert.equal(await storage.getSweep("nosuch00"), null);
      });

      it("keeps a given id, refuses a duplicate or malformed one, and lists in creation order", async () => {
        const second = await storage.createSweep({ id: "my-sweep", configRaw: "{}", config: {}, status: "paused" });
        assert.equal(second.id, "my-sweep");
        assert.equal(second.name, null);
        assert.equal(second.status, "paused");
        await assert.rejects(
          storage.createSweep({ id: "my-sweep", configRaw: "{}", config: {} }),
          storageError(/sweep 'my-sweep' already exists/),
        );
        await assert.rejects(
          storage.createSweep({ id: "has space", configRaw: "{}", config: {} }),
          storageError(/sweep id "has space" is not valid/),
        );
        assert.deepEqual(
          (await storage.listSweeps()).map((s) => s.id),
          [sweep.id, "my-sweep"],
        );
      });

      it("createOrLoadNamedSweep creates a named sweep once, then returns it; several of one name are refused by id", async () => {
        const first = await storage.createOrLoadNamedSweep({ name: "study-a", configRaw: "a", config: { a: 1 } });
        assert.equal(first.created, true);
        assert.equal(first.sweep.name, "study-a");
        assert.deepEqual(first.sweep.config, { a: 1 });
        const again = await storage.createOrLoadNamedSweep({ name: "study-a", configRaw: "b", config: { b: 2 } });
        assert.deepEqual(again, { sweep: await storage.getSweep(first.sweep.id), created: false }, "the stored one, not the new config");
        assert.equal((await storage.listSweeps()).filter((s) => s.name === "study-a").length, 1, "nothing created");

        await storage.createSweep({ name: "study-a", configRaw: "c", config: {} }); // plain createSweep allows a second
        await assert.rejects(
          storage.createOrLoadNamedSweep({ name: "study-a", configRaw: "d", config: {} }),
          storageError(new RegExp(`2 sweeps are named 'study-a' .*\\(${first.sweep.id}, \\w+\\); load one by id`)),
        );
        await assert.rejects(storage.createOrLoadNamedSweep({ name: "" as string, configRaw: "e", config: {} }), storageError(/needs a name, got ""/));
        await assert.rejects(storage.createOrLoadNamedSweep({ name: "study-b", configRaw: 5 as unknown as string, config: {} }), storageError(/configRaw must be the sweep file text/));
        assert.equal((await storage.listSweeps()).some((s) => s.name === "study-b"), false);
      });

      it("sets the status and bumps updatedAt; unknown ids and statuses are refused by name", async () => {
        await new Promise((resolve) => setTimeout(resolve, 3));
        await storage.setSweepStatus(sweep.id, "finished");
        const after = (await storage.getSweep(sweep.id))!;
        assert.equal(after.status, "finished");
        assert.ok(after.updatedAt > sweep.updatedAt, `${after.updatedAt} should be after ${sweep.updatedAt}`);
        await assert.rejects(
          storage.setSweepStatus("abc12345", "finished"),
          storageError(new RegExp(`^no sweep 'abc12345' in ${storage.location.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`)),
        );
        await assert.rejects(
          storage.setSweepStatus(sweep.id, "done" as never),
          storageError(/sweep status "done" is not one of running, paused/),
        );
      });
    });

    describe("trials", () => {
      it("enqueues trials with consecutive numbers and lists them by number and status", async () => {
        const a = await storage.enqueueTrial(sweep.id, { lr: 0.1 }, { source: "user" });
        const b = await storage.enqueueTrial(sweep.id, { lr: 0.2 });
        assert.deepEqual([a.number, b.number], [0, 1]);
        assert.equal(a.status, "queued");
        assert.equal(a.attempt, 1);
        assert.deepEqual(a.params, { lr: 0.1 });
        assert.deepEqual(a.meta, { source: "user" });
        assert.deepEqual(b.meta, {});
        assert.equal(a.startedAt, null);
        assert.match(a.createdAt, ISO_MS);
        assert.deepEqual(await storage.getTrial(a.id), a);
        assert.equal(await storage.getTrial(987654), null);

        const running = await claimNew();
        assert.equal(running.trial.id, a.id);
        assert.deepEqual(
          (await storage.listTrials(sweep.id)).map((t) => [t.number, t.status]),
          [
            [0, "running"],
            [1, "queued"],
          ],
        );
        assert.deepEqual(
          (await storage.listTrials(sweep.id, { status: ["queued"] })).map((t) => t.id),
          [b.id],
        );
        assert.deepEqual(await storage.listTrials(sweep.id, { status: [] }), []);
        await assert.rejects(
          storage.listTrials(sweep.id, { status: ["done" as never] }),
          storageError(/trial status "done" is not one of/),
        );
        await assert.rejects(storage.enqueueTrial("abc12345", {}), storageError(/no sweep 'abc12345'/));
      });

      it("claims the oldest queued trial before asking the proposer", async () => {
        const first = await storage.enqueueTrial(sweep.id, { q: 0 });
        const second = await storage.enqueueTrial(sweep.id, { q: 1 });
        const proposer = recordingProposer();
        const opts = { worker: "agent-a", propose: proposer.propose };

        const a = claimed(await storage.claimTrial(sweep.id, opts));
        assert.equal(a.trial.id, first.id);
        assert.equal(a.fresh, false);
        assert.equal(a.trial.status, "running");
        assert.equal(a.trial.worker, "agent-a");
        assert.match(a.trial.startedAt!, ISO_MS);
        assert.equal(a.trial.heartbeatAt, a.trial.startedAt);
        assert.equal(claimed(await storage.claimTrial(sweep.id, opts)).trial.id, second.id);
        assert.equal(proposer.seen.length, 0, "the proposer must not run while queued trials wait");

        const fresh = claimed(await storage.claimTrial(sweep.id, opts));
        assert.equal(fresh.fresh, true);
        assert.equal(fresh.trial.number, 2);
        assert.deepEqual(fresh.trial.params, { x: 2 });
        assert.deepEqual(fresh.trial.meta, { proposedAt: 2 });
        assert.equal(fresh.trial.attempt, 1);
        assert.equal(proposer.seen.length, 1);
        const ctx = proposer.seen[0]!;
        assert.equal(ctx.nextNumber, 2);
        assert.equal(ctx.sweep.id, sweep.id);
        assert.deepEqual(ctx.sweep.config, { method: "random" });
        assert.deepEqual(
          ctx.trials.map((t) => [t.number, t.status]),
          [
            [0, "running"],
            [1, "running"],
          ],
        );
        assert.deepEqual(ctx.intermediates, [], "no metricName asked, no intermediates");
      });

      it("stops at exactly maxTrials, counting every trial of the sweep, queued ones still claimable", async () => {
        await storage.enqueueTrial(sweep.id, { q: 0 });
        const proposer = recordingProposer();
        const opts = { worker: "w", maxTrials: 3, propose: proposer.propose };
        const results: ClaimResult[] = [];
        for (let i = 0; i < 5; i++) results.push(await storage.claimTrial(sweep.id, opts));
        assert.deepEqual(
          results.map((r) => ("trial" in r ? r.trial.number : r)),
          [0, 1, 2, { stop: true, reason: "run_cap" }, { stop: true, reason: "run_cap" }],
        );
        assert.equal(proposer.seen.length, 2);
        assert.equal((await storage.listTrials(sweep.id)).length, 3);

        // A user-enqueued trial past the cap is still handed out: queued work is never dropped.
        const extra = await storage.enqueueTrial(sweep.id, { q: 99 });
        assert.equal(claimed(await storage.claimTrial(sweep.id, opts)).trial.id, extra.id);
        assert.deepEqual(
          await storage.claimTrial(sweep.id, { ...opts, maxTrials: 0 }),
          { stop: true, reason: "run_cap" },
        );
      });

      it("passes a proposer's stop through and creates nothing", async () => {
        const result = await storage.claimTrial(sweep.id, {
          worker: "w",
          propose: () => ({ stop: true, reason: "grid_exhausted" }),
        });
        assert.deepEqual(result, { stop: true, reason: "grid_exhausted" });
        assert.deepEqual(await storage.listTrials(sweep.id), []);
      });

      it("creates nothing when the proposer throws or returns something malformed", async () => {
        await assert.rejects(
          storage.claimTrial(sweep.id, {
            worker: "w",
            propose: () => {
              throw new Error("sampler exploded");
            },
          }),
          /sampler exploded/,
        );
        await assert.rejects(
          storage.claimTrial(sweep.id, { worker: "w", propose: () => ({ params: [1, 2] }) as never }),
          storageError(/proposal .* is not valid/),
        );
        await assert.rejects(
          storage.claimTrial(sweep.id, { worker: "w", propose: () => ({ stop: "yes" }) as never }),
          storageError(/proposal \{stop: "yes", reason: undefined\} is not valid/),
        );
        await assert.rejects(
          storage.claimTrial(sweep.id, { worker: "", propose: recordingProposer().propose }),
          storageError(/claim worker "" is not valid/),
        );
        await assert.rejects(
          storage.claimTrial(sweep.id, { worker: "w", maxTrials: -1, propose: recordingProposer().propose }),
          storageError(/maxTrials -1 is not valid/),
        );
        await assert.rejects(
          storage.claimTrial("abc12345", { worker: "w", propose: recordingProposer().propose }),
          storageError(/no sweep 'abc12345'/),
        );
        assert.deepEqual(await storage.listTrials(sweep.id), []);
        // Numbering is unaffected by the failed claims.
        assert.equal((await claimNew()).trial.number, 0);
      });

      it("gives the proposer the current-attempt curves of the asked metric only", async () => {
        const pruned = (await claimNew()).trial;
        await storage.addIntermediate(pruned.id, 0, { loss: 1.0, acc: 0.1 });
        await storage.addIntermediate(pruned.id, 1, { loss: 0.8 });
        await storage.finishTrial(pruned.id, { status: "failed", error: "oom" });
        await storage.requeueTrial(pruned.id);
        const retried = claimed(await storage.claimTrial(sweep.id, { worker: "w", propose: recordingProposer().propose }));
        await storage.addIntermediate(retried.trial.id, 0, { loss: 0.9, acc: 0.2 });

        const proposer = recordingProposer();
        await storage.claimTrial(sweep.id, { worker: "w", metricName: "loss", propose: proposer.propose });
        const ctx = proposer.seen[0]!;
        assert.deepEqual(
          ctx.intermediates.map((r) => [r.trialId, r.attempt, r.step, r.name, r.value]),
          [[pruned.id, 2, 0, "loss", 0.9]],
        );
        assert.equal(ctx.trials[0]!.attempt, 2);
      });

      it("updates the named fields only, merges meta, and clears with null", async () => {
        await storage.enqueueTrial(sweep.id, { a: 1 }, { gridIndex: 4 });
        const { trial } = await claimNew();
        const updated = await storage.updateTrial(trial.id, {
          pid: 4242,
          pidStartTime: "12345678",
          gpus: "0,1",
          logPath: "storage/logs/t0.log",
          heartbeatAt: "2030-01-01T00:00:00.000Z",
          meta: { host: "box" },
        });
        assert.equal(updated.pid, 4242);
        assert.equal(updated.pidStartTime, "12345678");
        assert.equal(updated.gpus, "0,1");
        assert.equal(updated.logPath, "storage/logs/t0.log");
        assert.equal(updated.heartbeatAt, "2030-01-01T00:00:00.000Z");
        assert.deepEqual(updated.meta, { gridIndex: 4, host: "box" });
        assert.equal(updated.worker, "w1");

        const cleared = await storage.updateTrial(trial.id, { pid: null, worker: "w2" });
        assert.equal(cleared.pid, null);
        assert.equal(cleared.worker, "w2");
        assert.equal(cleared.gpus, "0,1", "fields not named stay");
        assert.deepEqual(await storage.getTrial(trial.id), cleared);
        assert.deepEqual(await storage.updateTrial(trial.id, {}), cleared);

        await assert.rejects(storage.updateTrial(987654, { pid: 1 }), storageError(/no trial with id 987654/));
        await assert.rejects(storage.updateTrial(trial.id, { pid: 1.5 }), storageError(/pid 1.5 is not valid/));
      });

      it("finishes a running trial once; a second finish returns null and changes nothing", async () => {
        const { trial } = await claimNew();
        const done = await storage.finishTrial(trial.id, {
          status: "pruned",
          value: 0.42,
          exitCode: 0,
          signal: null,
          pruneStep: 7,
          pruneReason: "hyperband bracket 1",
        });
        assert.ok(done);
        assert.equal(done.status, "pruned");
        assert.equal(done.value, 0.42);
        assert.equal(done.exitCode, 0);
        assert.equal(done.pruneStep, 7);
        assert.equal(done.pruneReason, "hyperband bracket 1");
        assert.match(done.finishedAt!, ISO_MS);

        assert.equal(await storage.finishTrial(trial.id, { status: "failed", error: "late" }), null);
        assert.deepEqual(await storage.getTrial(trial.id), done);

        const queued = await storage.enqueueTrial(sweep.id, {});
        assert.equal(await storage.finishTrial(queued.id, { status: "completed", value: 1 }), null);
        await assert.rejects(storage.finishTrial(987654, { status: "completed" }), storageError(/no trial with id 987654/));
        await assert.rejects(
          storage.finishTrial(trial.id, { status: "running" as never }),
          storageError(/finished trial status "running" is not one of completed, pruned, failed, interrupted/),
        );
      });

      it("re-queues with attempt + 1, same params, run fields cleared, old intermediates hidden", async () => {
        const { trial } = await claimNew();
        await storage.updateTrial(trial.id, { pid: 99, gpus: "1", logPath: "x.log" });
        await storage.addIntermediate(trial.id, 0, { loss: 2 });
        await storage.finishTrial(trial.id, { status: "interrupted", exitCode: null, signal: "SIGTERM", value: 3 });

        const requeued = await storage.requeueTrial(trial.id);
        assert.equal(requeued.status, "queued");
        assert.equal(requeued.attempt, 2);
        assert.equal(requeued.number, trial.number);
        assert.deepEqual(requeued.params, trial.params);
        for (const field of ["worker", "pid", "gpus", "logPath", "exitCode", "signal", "value", "startedAt", "finishedAt"] as const) {
          assert.equal(requeued[field], null, `${field} should be cleared`);
        }
        assert.deepEqual(await storage.listIntermediates({ trialId: trial.id }), []);

        const again = claimed(await storage.claimTrial(sweep.id, { worker: "w9", propose: recordingProposer().propose }));
        assert.equal(again.trial.id, trial.id);
        assert.equal(again.fresh, false);
        assert.equal(again.trial.attempt, 2);
        await storage.addIntermediate(trial.id, 0, { loss: 1 });
        assert.deepEqual(
          (await storage.listIntermediates({ trialId: trial.id })).map((r) => [r.attempt, r.value]),
          [[2, 1]],
        );

        // A running trial whose agent vanished can be re-queued too; a completed one cannot.
        assert.equal((await storage.requeueTrial(trial.id)).attempt, 3);
        const other = (await claimNew()).trial;
        await storage.finishTrial(other.id, { status: "completed", value: 1 });
        await assert.rejects(
          storage.requeueTrial(other.id),
          storageError(/trial 0 of sweep '.*' is completed; only interrupted, failed, running trials can be re-queued/),
        );
        await assert.rejects(storage.requeueTrial(987654), storageError(/no trial with id 987654/));
      });
    });

    describe("reclaiming trials of agents that stopped heartbeating", () => {
      const LONG_AGO = "2000-01-01T00:00:00.000Z";
      const FAR_FUTURE = "2999-01-01T00:00:00.000Z";
      const CUT_OFF = "2100-01-01T00:00:00.000Z";

      it("re-queues running trials last seen before the cut-off, with an event naming the old worker", async () => {
        const done = (await claimNew("w-done")).trial;
        await storage.updateTrial(done.id, { heartbeatAt: LONG_AGO });
        await storage.finishTrial(done.id, { status: "completed", value: 1 }); // finished: never reclaimed
        const silent = (await claimNew("w-silent")).trial;
        await storage.updateTrial(silent.id, { heartbeatAt: LONG_AGO, pid: 7, gpus: "3" });
        const alive = (await claimNew("w-alive")).trial;
        await storage.updateTrial(alive.id, { heartbeatAt: FAR_FUTURE });
        const neverBeat = (await claimNew("w-quiet")).trial;
        await storage.updateTrial(neverBeat.id, { heartbeatAt: null }); // falls back to startedAt (now)
        const queued = await storage.enqueueTrial(sweep.id, { q: 4 });
        await storage.updateTrial(queued.id, { heartbeatAt: LONG_AGO }); // queued: nothing to reclaim
        assert.deepEqual([done.number, silent.number, alive.number, neverBeat.number, queued.number], [0, 1, 2, 3, 4]);

        const reclaimed = await storage.reclaimStaleTrials(sweep.id, CUT_OFF);
        assert.deepEqual(
          reclaimed.map((t) => [t.id, t.status, t.attempt, t.worker, t.heartbeatAt, t.startedAt, t.pid, t.gpus]),
          [
            [silent.id, "queued", 2, null, null, null, null, null],
            [neverBeat.id, "queued", 2, null, null, null, null, null],
          ],
        );
        assert.deepEqual(reclaimed[0], await storage.getTrial(silent.id));
        assert.equal((await storage.getTrial(alive.id))!.status, "running");
        assert.equal((await storage.getTrial(done.id))!.status, "completed");
        assert.equal((await storage.getTrial(queued.id))!.attempt, 1);

        const events = (await storage.listEvents(sweep.id)).filter((e) => e.kind === "trial_reclaimed");
        assert.deepEqual(
          events.map((e) => [e.trialId, e.data]),
          [
            [silent.id, { worker: "w-silent", attempt: 1, lastSeenAt: LONG_AGO, staleBefore: CUT_OFF }],
            [neverBeat.id, { worker: "w-quiet", attempt: 1, lastSeenAt: neverBeat.startedAt, staleBefore: CUT_OFF }],
          ],
        );
        assert.deepEqual(await storage.reclaimStaleTrials(sweep.id, CUT_OFF), [], "nothing is reclaimed twice");

        // Reclaimed trials go back in number order, before proposing anything new.
        const order = [];
        for (let i = 0; i < 3; i++) order.push(claimed(await storage.claimTrial(sweep.id, { worker: "w2", propose: recordingProposer().propose })).trial.id);
        assert.deepEqual(order, [silent.id, neverBeat.id, queued.id]);
      });

      it("never reclaims one trial twice when agents reclaim at the same moment", async () => {
        const ids = [];
        for (let i = 0; i < 6; i++) {
          const { trial } = await claimNew(`w${i}`);
          await storage.updateTrial(trial.id, { heartbeatAt: LONG_AGO });
          ids.push(trial.id);
        }
        const results = await Promise.all([0, 1, 2].map(() => storage.reclaimStaleTrials(sweep.id, CUT_OFF)));
        const reclaimedIds = results.flat().map((t) => t.id).sort((a, b) => a - b);
        assert.deepEqual(reclaimedIds, ids);
        const events = (await storage.listEvents(sweep.id)).filter((e) => e.kind === "trial_reclaimed");
        assert.equal(events.length, 6);
        assert.ok((await storage.listTrials(sweep.id)).every((t) => t.status === "queued" && t.attempt === 2));
      });

      it("ignores the finish and the reports of the attempt that was reclaimed", async () => {
        const first = (await claimNew("stalled")).trial;
        await storage.addIntermediate(first.id, 0, { loss: 9 }, 1);
        await storage.updateTrial(first.id, { heartbeatAt: LONG_AGO });
        await storage.reclaimStaleTrials(sweep.id, CUT_OFF);
        const second = claimed(await storage.claimTrial(sweep.id, { worker: "rescuer", propose: recordingProposer().propose }));
        assert.equal(second.trial.id, first.id);
        assert.equal(second.trial.attempt, 2);

        // The stalled agent wakes up and reports: its step and its result must not land on attempt 2.
        await storage.addIntermediate(first.id, 1, { loss: 8 }, 1);
        assert.equal(await storage.finishTrial(first.id, { status: "completed", value: 8, attempt: 1 }), null);
        await storage.addIntermediate(first.id, 0, { loss: 0.5 }, 2);
        await storage.addIntermediate(first.id, 1, { loss: 0.4 }); // no attempt given: the current one
        assert.deepEqual(
          (await storage.listIntermediates({ trialId: first.id })).map((r) => [r.attempt, r.step, r.value]),
          [
            [2, 0, 0.5],
            [2, 1, 0.4],
          ],
        );
        const current = (await storage.getTrial(first.id))!;
        assert.equal(current.status, "running");
        assert.equal(current.worker, "rescuer");

        const finished = await storage.finishTrial(first.id, { status: "completed", value: 0.4, attempt: 2 });
        assert.equal(finished?.value, 0.4);
        assert.equal(finished?.attempt, 2);
        assert.equal(await storage.finishTrial(first.id, { status: "failed", attempt: 2 }), null);
      });

      it("refuses a bad cut-off, an unknown sweep and a bad attempt", async () => {
        const { trial } = await claimNew();
        for (const bad of ["yesterday", "2025-01-01T00:00:00+02:00", "2025-01-01T00:00:00Z", "2025-13-45T00:00:00.000Z"]) {
          await assert.rejects(
            storage.reclaimStaleTrials(sweep.id, bad),
            storageError(new RegExp(`staleBefore ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid: expected an ISO-8601 UTC time`)),
          );
        }
        await assert.rejects(storage.reclaimStaleTrials("abc12345", CUT_OFF), storageError(/no sweep 'abc12345'/));
        await assert.rejects(
          storage.finishTrial(trial.id, { status: "completed", attempt: 0 }),
          storageError(/attempt 0 is not valid: expected an integer >= 1/),
        );
        await assert.rejects(storage.addIntermediate(trial.id, 0, { loss: 1 }, 1.5), storageError(/attempt 1.5 is not valid/));
        assert.equal((await storage.getTrial(trial.id))!.status, "running");
        assert.deepEqual(await storage.listIntermediates({ trialId: trial.id }), []);
      });
    });

    describe("intermediate values", () => {
      it("stores a step's metrics together, overwrites a re-reported step, and orders by trial, step, name", async () => {
        const t1 = (await claimNew()).trial;
        const t2 = (await claimNew()).trial;
        await storage.addIntermediate(t2.id, 0, { loss: 5 });
        await storage.addIntermediate(t1.id, 1, { loss: 0.5, acc: 0.7 });
        await storage.addIntermediate(t1.id, 0, { loss: 1, acc: 0.5 });
        await storage.addIntermediate(t1.id, 1, { loss: 0.4 });
        await storage.addIntermediate(t1.id, 2, {});

        const all = await storage.listIntermediates({ sweepId: sweep.id });
        assert.deepEqual(
          all.map((r) => [r.trialId, r.step, r.name, r.value]),
          [
            [t1.id, 0, "acc", 0.5],
            [t1.id, 0, "loss", 1],
            [t1.id, 1, "acc", 0.7],
            [t1.id, 1, "loss", 0.4],
            [t2.id, 0, "loss", 5],
          ],
        );
        assert.ok(all.every((r) => r.attempt === 1 && ISO_MS.test(r.createdAt)));
        assert.deepEqual(
          (await storage.listIntermediates({ trialId: t1.id, name: "loss" })).map((r) => r.value),
          [1, 0.4],
        );
        assert.deepEqual(
          (await storage.listIntermediates({ sweepId: sweep.id, name: "loss" })).map((r) => r.value),
          [1, 0.4, 5],
        );
        assert.deepEqual(await storage.listIntermediates({ sweepId: "abc12345" }), []);
        assert.deepEqual(await storage.listIntermediates({ sweepId: "abc12345", trialId: t1.id }), []);
        assert.equal((await storage.listIntermediates({})).length, 5);
      });

      it("refuses an unknown trial, a bad step or a non-number metric, storing nothing", async () => {
        const { trial } = await claimNew();
        await assert.rejects(storage.addIntermediate(987654, 0, { loss: 1 }), storageError(/no trial with id 987654/));
        await assert.rejects(storage.addIntermediate(trial.id, -1, { loss: 1 }), storageError(/step -1 is not valid/));
        await assert.rejects(storage.addIntermediate(trial.id, 0.5, { loss: 1 }), storageError(/step 0.5 is not valid/));
        await assert.rejects(
          storage.addIntermediate(trial.id, 0, { loss: 1, acc: "high" as never }),
          storageError(/metric 'acc' must be a number, got "high"/),
        );
        assert.deepEqual(await storage.listIntermediates({ trialId: trial.id }), []);
      });
    });

    describe("events", () => {
      it("round-trips events in order, with or without data and trial", async () => {
        const { trial } = await claimNew();
        await storage.addEvent(sweep.id, "sweep_started", { agents: 2, nested: { list: [1, "a", null] } });
        await storage.addEvent(sweep.id, "trial_started", undefined, trial.id);
        await storage.addEvent(sweep.id, "note", "plain string");
        const events = await storage.listEvents(sweep.id);
        assert.deepEqual(
          events.map((e) => [e.kind, e.trialId, e.data]),
          [
            ["sweep_started", null, { agents: 2, nested: { list: [1, "a", null] } }],
            ["trial_started", trial.id, null],
            ["note", null, "plain string"],
          ],
        );
        assert.ok(events[0]!.id < events[1]!.id && events[1]!.id < events[2]!.id);
        assert.ok(events.every((e) => e.sweepId === sweep.id && ISO_MS.test(e.createdAt)));
        assert.deepEqual(await storage.listEvents("abc12345"), []);
      });

      it("refuses an unknown sweep, a trial of another sweep and an empty kind", async () => {
        const other = await storage.createSweep({ configRaw: "{}", config: {} });
        const { trial } = await claimNew();
        await assert.rejects(storage.addEvent("abc12345", "x"), storageError(/no sweep 'abc12345'/));
        await assert.rejects(
          storage.addEvent(other.id, "x", null, trial.id),
          storageError(new RegExp(`trial with id ${trial.id} does not belong to sweep '${other.id}'`)),
        );
        await assert.rejects(storage.addEvent(sweep.id, ""), storageError(/event kind must be a non-empty string/));
        assert.deepEqual(await storage.listEvents(other.id), []);
      });
    });

    describe("non-finite numbers", () => {
      it("keeps NaN and ±Infinity as trial values and intermediate values", async () => {
        const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-300, -2.5];
        for (const value of values) {
          const { trial } = await claimNew();
          await storage.addIntermediate(trial.id, 3, { m: value });
          const done = await storage.finishTrial(trial.id, { status: "failed", value });
          assert.ok(Object.is(done!.value, value), `finish: ${value} -> ${done!.value}`);
          assert.ok(Object.is((await storage.getTrial(trial.id))!.value, value), `getTrial: ${value}`);
          const [row] = await storage.listIntermediates({ trialId: trial.id });
          assert.ok(Object.is(row!.value, value), `intermediate: ${value} -> ${row!.value}`);
        }
        // "no value yet" stays distinct from NaN
        assert.equal((await claimNew()).trial.value, null);
      });

      it("keeps non-finite numbers inside params, meta, configs and event data", async () => {
        const weird = { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, ninf: Number.NEGATIVE_INFINITY, list: [Number.NaN, 1] };
        const s = await storage.createSweep({ configRaw: "{}", config: { weird } });
        assert.deepEqual((await storage.getSweep(s.id))!.config, { weird });
        const t = await storage.enqueueTrial(s.id, { ...weird }, { weird });
        assert.deepEqual((await storage.getTrial(t.id))!.params, weird);
        assert.deepEqual((await storage.getTrial(t.id))!.meta, { weird });
        await storage.addEvent(s.id, "diverged", { loss: Number.NaN });
        assert.deepEqual((await storage.listEvents(s.id))[0]!.data, { loss: Number.NaN });
      });

      it("refuses values that JSON cannot hold, storing nothing", async () => {
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        await assert.rejects(
          storage.enqueueTrial(sweep.id, { big: 10n } as never),
          storageError(/params of enqueued trial cannot be stored as JSON: .*BigInt/),
        );
        await assert.rejects(
          storage.addEvent(sweep.id, "loop", circular),
          storageError(/data of 'loop' event cannot be stored as JSON: .*circular/),
        );
        await assert.rejects(
          storage.enqueueTrial(sweep.id, [1] as never),
          storageError(/params of enqueued trial must be a plain object, got an array of 1/),
        );
        assert.deepEqual(await storage.listTrials(sweep.id), []);
        assert.deepEqual(await storage.listEvents(sweep.id), []);
      });
    });

    describe("isolation", () => {
      it("the proposer always sees the current history, whatever changed since the last claim", async () => {
        const probe = async (): Promise<ClaimContext> => {
          let ctx: ClaimContext | undefined;
          await storage.claimTrial(sweep.id, { worker: "probe", metricName: "loss", propose: (c) => ((ctx = c), { stop: true, reason: "probe" }) });
          return ctx!;
        };
        const a = await claimNew();
        const b = await claimNew();
        assert.deepEqual((await probe()).trials.map((t) => t.status), ["running", "running"]);
        await storage.updateTrial(a.trial.id, { meta: { note: "x" }, gpus: "0" });
        await storage.addIntermediate(a.trial.id, 1, { loss: 0.5 });
        await storage.finishTrial(a.trial.id, { status: "completed", value: 0.5 });
        await storage.finishTrial(b.trial.id, { status: "failed", error: "boom" });
        let ctx = await probe();
        assert.deepEqual(ctx.trials.map((t) => [t.status, t.value, t.error]), [["completed", 0.5, null], ["failed", null, "boom"]]);
        assert.equal(ctx.trials[0]!.meta.note, "x");
        assert.equal(ctx.trials[0]!.gpus, "0");
        assert.deepEqual(ctx.intermediates.map((r) => [r.trialId, r.step, r.value]), [[a.trial.id, 1, 0.5]]);
        await storage.requeueTrial(b.trial.id);
        const again = claimed(await storage.claimTrial(sweep.id, { worker: "w2", propose: recordingProposer().propose }));
        assert.equal(again.trial.id, b.trial.id);
        ctx = await probe();
        assert.deepEqual(ctx.trials.map((t) => [t.status, t.attempt, t.worker]), [["completed", 1, "w1"], ["running", 2, "w2"]]);
        assert.equal(ctx.nextNumber, 2);
      });

      it("readHistory returns the trials and one metric's current-attempt values, as a claim would", async () => {
        const a = await claimNew();
        const b = await claimNew();
        await storage.addIntermediate(a.trial.id, 1, { loss: 0.9, acc: 0.1 });
        await storage.addIntermediate(b.trial.id, 1, { loss: 0.7 });
        let history = await storage.readHistory(sweep.id, "loss");
        assert.deepEqual(history.trials.map((t) => t.number), [0, 1]);
        assert.deepEqual(history.intermediates.map((r) => [r.trialId, r.name, r.value]), [[a.trial.id, "loss", 0.9], [b.trial.id, "loss", 0.7]]);
        await storage.finishTrial(b.trial.id, { status: "interrupted" });
        await storage.requeueTrial(b.trial.id);
        await storage.addIntermediate(a.trial.id, 2, { loss: 0.8 });
        history = await storage.readHistory(sweep.id, "loss");
        assert.deepEqual(history.trials.map((t) => [t.status, t.attempt]), [["running", 1], ["queued", 2]]);
        assert.deepEqual(history.intermediates.map((r) => [r.trialId, r.step]), [[a.trial.id, 1], [a.trial.id, 2]]);
        assert.deepEqual((await storage.readHistory(sweep.id)).intermediates, []);
        await assert.rejects(storage.readHistory("nosuch00"), storageError(/nosuch00/));
      });

      it("hands out copies: mutating a record or an input never changes what is stored", async () => {
        const params = { lr: 0.1, layers: [64, 64] };
        const queued = await storage.enqueueTrial(sweep.id, params, { tags: ["a"] });
        params.layers.push(128);
        (queued.params as { lr: number }).lr = 99;
        (queued.meta.tags as string[]).push("b");
        const fetched = (await storage.getTrial(queued.id))!;
        assert.deepEqual(fetched.params, { lr: 0.1, layers: [64, 64] });
        assert.deepEqual(fetched.meta, { tags: ["a"] });

        const got = (await storage.getSweep(sweep.id))!;
        (got.config as { method: string }).method = "grid";
        assert.deepEqual((await storage.getSweep(sweep.id))!.config, { method: "random" });

        await storage.claimTrial(sweep.id, { worker: "w", propose: recordingProposer().propose });
        // A proposer must not mutate the history; a backend may hand it frozen records (the write then
        // throws) or copies (the write is lost). Either way the stored trial stays as it was.
        await storage
          .claimTrial(sweep.id, {
            worker: "w",
            propose: (ctx) => {
              (ctx.trials[0]!.params as { lr: number }).lr = -1;
              return { stop: true, reason: "done" };
            },
          })
          .catch((error: unknown) => assert.ok(error instanceof TypeError, String(error)));
        assert.equal((await storage.getTrial(queued.id))!.params.lr, 0.1);

        await storage.addEvent(sweep.id, "e", { n: 1 });
        const [event] = await storage.listEvents(sweep.id);
        (event!.data as { n: number }).n = 2;
        assert.deepEqual((await storage.listEvents(sweep.id))[0]!.data, { n: 1 });
      });

      it("refuses every call after close, and close is idempotent", async () => {
        await storage.close();
        await storage.close();
        await assert.rejects(storage.getSweep(sweep.id), storageError(/closed/));
        await assert.rejects(storage.listTrials(sweep.id), storageError(/closed/));
        // beforeEach/afterEach pairing: a closed storage closes again without error.
      });
    });
  });
}
