/**
 * Whole controller processes: kill -9 and resume, Ctrl-C, two agents sharing one database.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ExitCode } from "../../src/exit-codes.js";
import { resumeSweep } from "../../src/runner/session.js";
import { Sweep } from "../../src/study/index.js";
import { Sink, Workspace, pidAlive, sweepIdFrom, waitForTrials } from "./harness.js";

const ws = new Workspace();
after(() => ws.dispose());

test("kill -9 of the controller mid-sweep, then `sweep resume`: running trainers are followed to their end, nothing lost, nothing run twice", async () => {
  // The orphaned trainer must still be training when `sweep resume` (a node start, the storage, the GPU check)
  // gets to it: 8 epochs of 200 ms leave room on a loaded machine.
  const file = ws.sweepFile("kill9", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [0, 1, 2, 3, 4, 5]}\n  epochs: {value: 8}\n  epoch_ms: {value: 200}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0,1"]);
  await controller.waitForOutput(/sweep [a-z0-9]{8}/);
  const sweepId = sweepIdFrom(controller.stderr);
  const storage = await ws.openStorage();
  try {
    const before = await waitForTrials(storage, sweepId, (ts) => ts.filter((t) => t.status === "completed").length >= 2 && ts.some((t) => t.status === "running" && t.pid !== null));
    controller.child.kill("SIGKILL");
    await controller.exited;
    const completedBefore = before.filter((t) => t.status === "completed").map((t) => t.number);
    // Every running trial, also one killed in its launch window (no pid stored yet): all are found by token.
    const orphans = await storage.listTrials(sweepId, { status: ["running"] });
    assert.ok(orphans.some((t) => t.pid !== null && pidAlive(t.pid)), "a trainer outlived its controller");

    const resumed = ws.spawnCli(["resume", sweepId]);
    const { code } = await resumed.exited;
    assert.equal(code, ExitCode.ok, resumed.stderr);
    assert.match(resumed.stderr, /trial \d+ (is still training \(its controller .* is gone\); following it here|finished while no controller watched it; its result is kept)/);
    for (const t of orphans) if (t.pid !== null) assert.equal(pidAlive(t.pid), false, `supervisor ${t.pid} of trial ${t.number} still alive`);

    const after = await storage.listTrials(sweepId);
    assert.deepEqual(after.map((t) => t.number), [0, 1, 2, 3, 4, 5]);
    assert.ok(after.every((t) => t.status === "completed"), JSON.stringify(after.map((t) => t.status)));
    const records = ws.trainerRecords().filter((r) => r.env.SWEEP_ID === sweepId);
    for (const n of completedBefore) {
      assert.equal(after[n]!.attempt, 1);
      assert.equal(records.filter((r) => r.number === n).length, 1, `completed trial ${n} ran again`);
    }
    // Every trial trained to its end exactly once: an orphan that had started was followed (or adopted) in its
    // first attempt; only one killed before its trainer existed runs as attempt 2.
    for (const t of after) assert.equal(records.filter((r) => r.number === t.number && r.finished).length, 1, `trial ${t.number} trained to the end ${records.filter((r) => r.number === t.number && r.finished).length} times`);
    const events = await storage.listEvents(sweepId);
    const takenOver = events.filter((e) => e.kind === "trial_reattached" || e.kind === "trial_adopted").length;
    assert.equal(takenOver, orphans.filter((t) => after[t.number]!.attempt === 1).length);
    assert.ok(takenOver >= 1, "the trainer that outlived its controller was followed or adopted");
    assert.equal((await storage.getSweep(sweepId))!.status, "finished");
  } finally {
    await storage.close();
  }
});

test("first Ctrl-C lets running trials finish and starts nothing new; exit code 130", async () => {
  const file = ws.sweepFile("ctrlc", "method: grid\nparameters:\n  x: {values: [0, 1, 2, 3, 4, 5]}\n  epochs: {value: 3}\n  epoch_ms: {value: 150}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0,1"]);
  await controller.waitForOutput(/trial 1 started/);
  controller.child.kill("SIGINT");
  const { code } = await controller.exited;
  assert.equal(code, ExitCode.interrupted, controller.stderr);
  assert.match(controller.stderr, /starting no new trials; waiting for 2 running trial\(s\)/);
  const storage = await ws.openStorage();
  try {
    const trials = await storage.listTrials(sweepIdFrom(controller.stderr));
    assert.deepEqual(trials.map((t) => t.status), ["completed", "completed"]);
  } finally {
    await storage.close();
  }
});

test("second Ctrl-C stops running trials as interrupted; resume re-runs them with the same params", async () => {
  const file = ws.sweepFile("ctrlc2", "method: grid\nparameters:\n  x: {values: [0, 1, 2]}\n  epochs: {value: 20}\n  epoch_ms: {value: 100}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0,1", "--grace-period", "1"]);
  await controller.waitForOutput(/trial 1 started/);
  controller.child.kill("SIGINT");
  await controller.waitForOutput(/Press Ctrl-C again/);
  controller.child.kill("SIGINT");
  const { code } = await controller.exited;
  assert.equal(code, ExitCode.interrupted, controller.stderr);
  const sweepId = sweepIdFrom(controller.stderr);
  const storage = await ws.openStorage();
  try {
    const stopped = await storage.listTrials(sweepId);
    assert.deepEqual(stopped.map((t) => t.status), ["interrupted", "interrupted"]);
    const sink = new Sink();
    const summary = await resumeSweep(storage, sweepId, { gpus: "0,1" }, { progress: "lines", stdout: sink, stderr: sink, handleSignals: false, env: ws.env({}), cwd: ws.dir });
    assert.equal(summary.exitCode, ExitCode.ok, sink.text);
    const done = await storage.listTrials(sweepId);
    assert.deepEqual(done.map((t) => [t.status, t.attempt, t.params.x]), [["completed", 2, 0], ["completed", 2, 1], ["completed", 1, 2]]);
    assert.match(sink.text, /re-running interrupted trial\(s\) 0, 1/);
  } finally {
    await storage.close();
  }
});

test("two agents on one database share the work: every trial runs exactly once", async () => {
  const storage = await ws.openStorage();
  try {
    const sweep = await Sweep.create(storage, ws.resolved("method: random\nrun_cap: 8\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {min: 0, max: 1}\n  epochs: {value: 2}\n  epoch_ms: {value: 100}\n"));
    const agents = [ws.spawnCli(["agent", sweep.id, "--gpus", "none"]), ws.spawnCli(["agent", sweep.id, "--gpus", "none"])];
    const exits = await Promise.all(agents.map((a) => a.exited));
    exits.forEach((e, i) => assert.equal(e.code, ExitCode.ok, agents[i]!.stderr));
    const trials = await storage.listTrials(sweep.id);
    assert.deepEqual(trials.map((t) => t.number), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.ok(trials.every((t) => t.status === "completed" && t.attempt === 1));
    const workers = new Set(trials.map((t) => t.worker));
    assert.equal(workers.size, 2, `both agents ran trials: ${[...workers].join(", ")}`);
    const records = ws.trainerRecords().filter((r) => r.env.SWEEP_ID === sweep.id);
    assert.equal(records.length, 8);
  } finally {
    await storage.close();
  }
});
