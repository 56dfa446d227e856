/**
 * The runner's promises under attack (docs/reliability.md): a controller killed inside the launch window,
 * workers that outlive their trainer or leave its session, two controllers on one host, a resume next to a
 * live controller, a trainer that breaks late, failed grid points, out-of-range steps, SIGHUP, a closed pipe.
 * Real controller processes, real signals, the fake nvidia-smi.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { ExitCode } from "../../src/exit-codes.js";
import { findTokenProcesses, sweepTokenPrefix } from "../../src/runner/launch-token.js";
import { packageRoot } from "../../src/runner/package-paths.js";
import { fixturesDir } from "../helpers/paths.js";
import { Workspace, pidAlive, sweepIdFrom, waitForTrials, type TrainerRecord } from "./harness.js";

const ws = new Workspace();
after(() => ws.dispose());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Most trainers alive on one GPU at one instant, over every record (any sweep). */
function maxPerGpu(records: TrainerRecord[]): number {
  let max = 0;
  for (const r of records) {
    const together = records.filter((o) => o.cuda === r.cuda && o.startedAt <= r.startedAt && (o.endedAt ?? Infinity) > r.startedAt);
    max = Math.max(max, together.length);
  }
  return max;
}

test("a trainer whose first act kills its controller is followed by resume, never started twice", async () => {
  const file = ws.sweepFile("window", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [0, 1, 2]}\n  kill_controller: {value: 1}\n  epochs: {value: 4}\n  epoch_ms: {value: 150}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0"]);
  const killed = await controller.exited;
  assert.equal(killed.signal, "SIGKILL", controller.stderr);
  const sweepId = sweepIdFrom(controller.stderr);

  const resumed = ws.spawnCli(["resume", sweepId, "--gpus", "0"]);
  const { code } = await resumed.exited;
  assert.equal(code, ExitCode.ok, resumed.stderr);
  const storage = await ws.openStorage();
  try {
    const trials = await storage.listTrials(sweepId);
    assert.deepEqual(trials.map((t) => [t.number, t.status, t.attempt]), [[0, "completed", 1], [1, "completed", 1], [2, "completed", 1]]);
    const records = ws.trainerRecords().filter((r) => r.env.SWEEP_ID === sweepId);
    assert.deepEqual(records.map((r) => [r.number, r.attempt, r.finished]), [[0, 1, true], [1, 1, true], [2, 1, true]]);
    assert.equal(maxPerGpu(records), 1, "two trainers shared GPU 0");
    const events = await storage.listEvents(sweepId);
    assert.equal(events.filter((e) => e.kind === "trial_reattached" || e.kind === "trial_adopted").length, 1);
  } finally {
    await storage.close();
  }
});

test("recovery stops every process of a dead trial: a forked worker and one that called setsid", async () => {
  const file = ws.sweepFile("strays", "method: grid\nparameters:\n  x: {values: [0]}\n  fork_grandchild: {value: true}\n  setsid_child: {value: true}\n  hang: {value: true}\n  epochs: {value: 1}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0", "--grace-period", "1"]);
  await controller.waitForOutput(/trial 0 started/);
  const sweepId = sweepIdFrom(controller.stderr);
  const storage = await ws.openStorage();
  try {
    const [running] = await waitForTrials(storage, sweepId, (ts) => ts[0]?.pid !== null && ws.trainerRecords().some((r) => r.env.SWEEP_ID === sweepId));
    const record = ws.trainerRecords().find((r) => r.env.SWEEP_ID === sweepId)! as TrainerRecord & { setsidPid: number };
    // The controller dies, then the trainer and its supervisor crash: only the two workers are left.
    controller.child.kill("SIGKILL");
    await controller.exited;
    process.kill(running!.pid!, "SIGKILL");
    process.kill(record.pid, "SIGKILL");
    await sleep(100);
    assert.ok(pidAlive(record.grandchildPid!) && pidAlive(record.setsidPid), "the workers outlived their trainer");

    const resumed = ws.spawnCli(["resume", sweepId, "--gpus", "0", "--grace-period", "1"]);
    // The re-run trains again (hang): stop it once it is up, the point is what happened to the strays.
    await waitForTrials(storage, sweepId, (ts) => ts[0]!.attempt === 2 && ts[0]!.status === "running");
    assert.equal(pidAlive(record.grandchildPid!), false, "forked worker survived recovery");
    assert.equal(pidAlive(record.setsidPid), false, "setsid worker survived recovery");
    resumed.child.kill("SIGTERM");
    assert.equal((await resumed.exited).code, ExitCode.terminated, resumed.stderr);
    assert.deepEqual(findTokenProcesses({ prefix: sweepTokenPrefix(sweepId) }), [], "a process of the sweep is left");
  } finally {
    await storage.close();
    // This sweep's trainers hang by design: whatever a failure above left must not hold GPU 0 for the next test.
    for (const p of findTokenProcesses({ prefix: sweepTokenPrefix(sweepId) })) process.kill(p.pid, "SIGKILL");
  }
});

test("two controllers on one host never put two trainers on one GPU; a resume next to a live controller is refused", async () => {
  const body = "method: grid\nparameters:\n  x: {values: [0, 1, 2, 3, 4, 5]}\n  epochs: {value: 3}\n  epoch_ms: {value: 300}\n";
  // Each controller's trainers keep their records apart (the fake trainer names them by trial number only).
  const recordsB = join(ws.dir, "records-b");
  mkdirSync(recordsB);
  const a = ws.spawnCli(["run", ws.sweepFile("two-a", body), "--gpus", "0,1"]);
  const b = ws.spawnCli(["run", ws.sweepFile("two-b", body), "--gpus", "0,1"], { FAKE_TRAINER_RECORD_DIR: recordsB });
  await a.waitForOutput(/trial 0 started/);
  const sweepA = sweepIdFrom(a.stderr);
  const refused = ws.spawnCli(["resume", sweepA]);
  const r = await refused.exited;
  assert.equal(r.code, ExitCode.sweepBusy, refused.stderr);
  assert.match(refused.stderr, /still being run by .*sweep agent/);
  const [ea, eb] = await Promise.all([a.exited, b.exited]);
  assert.equal(ea.code, ExitCode.ok, a.stderr);
  assert.equal(eb.code, ExitCode.ok, b.stderr);
  const sweeps = new Set([sweepA, sweepIdFrom(b.stderr)]);
  const records = [...ws.trainerRecords(), ...ws.trainerRecords(recordsB)].filter((rec) => sweeps.has(rec.env.SWEEP_ID!));
  assert.equal(records.length, 12);
  assert.equal(maxPerGpu(records), 1, "two trainers shared a GPU");
  assert.match(a.stderr + b.stderr, /waits: GPU \d share 1\/1 is held by sweep/);
});

test("a controller waiting for a GPU another controller holds keeps waiting under a slewed wall clock (it used to exit 13 mid-sweep)", async () => {
  // b's Date.now runs 2% slow, so its 1-second busy-slot timer fires before the retry time it set: the wake-up
  // used to skip the slot without arming a new timer, the event loop emptied, and Node ended b with exit 13
  // (an unsettled top-level await) while a still held the GPU.
  const body = "method: grid\nparameters:\n  x: {values: [0, 1, 2]}\n  epochs: {value: 3}\n  epoch_ms: {value: 500}\n";
  const recordsB = join(ws.dir, "records-slow-clock");
  mkdirSync(recordsB);
  const a = ws.spawnCli(["run", ws.sweepFile("hold-a", body), "--gpus", "0"]);
  await a.waitForOutput(/trial 0 started/);
  const slowClock = pathToFileURL(join(fixturesDir, "slow-wall-clock.mjs")).href;
  const b = ws.spawnCli(["run", ws.sweepFile("wait-b", body), "--gpus", "0"], { FAKE_TRAINER_RECORD_DIR: recordsB, NODE_OPTIONS: `--import=${slowClock}` });
  const [ea, eb] = await Promise.all([a.exited, b.exited]);
  assert.equal(ea.code, ExitCode.ok, a.stderr);
  assert.equal(eb.code, ExitCode.ok, b.stderr);
  assert.match(b.stderr, /slot GPU 0 waits: GPU 0 share 1\/1 is held by sweep/);
  const sweepB = sweepIdFrom(b.stderr);
  assert.equal(ws.trainerRecords(recordsB).filter((rec) => rec.env.SWEEP_ID === sweepB).length, 3, "b ran all its trials");
});

test("fail-fast at any point: a trainer that breaks from trial 3 on stops the sweep; resume --retry-failed re-runs the failed trials", async () => {
  const file = ws.sweepFile("late", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}\n  fail_from: {value: 3}\n  epoch_ms: {value: 10}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0"], { FAKE_TRAINER_BROKEN: "1" });
  const { code } = await controller.exited;
  assert.equal(code, ExitCode.trainerBroken, controller.stderr);
  assert.match(controller.stderr, /the last 3 trial runs all failed the same way/);
  const sweepId = sweepIdFrom(controller.stderr);
  const storage = await ws.openStorage();
  try {
    const trials = await storage.listTrials(sweepId);
    assert.deepEqual(trials.map((t) => t.status), ["completed", "completed", "completed", "failed", "failed", "failed"]);
    // Fixed trainer: the failed trials run again with the same numbers, then the sweep goes on to its end.
    const resumed = ws.spawnCli(["resume", sweepId, "--retry-failed"]);
    assert.equal((await resumed.exited).code, ExitCode.ok, resumed.stderr);
    const afterResume = await storage.listTrials(sweepId);
    assert.equal(afterResume.length, 10);
    assert.ok(afterResume.every((t) => t.status === "completed"));
    assert.deepEqual(afterResume.slice(3, 6).map((t) => t.attempt), [2, 2, 2]);
  } finally {
    await storage.close();
  }
});

test("a grid sweep with failed points does not end with exit 0, even after a resume that ran nothing; --retry-failed runs them", async () => {
  const file = ws.sweepFile("grid-failed", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [0, 1, 2, 3]}\n  fail_from: {value: 2}\n  epoch_ms: {value: 10}\n");
  const first = ws.spawnCli(["run", file, "--gpus", "0"], { FAKE_TRAINER_BROKEN: "1" });
  assert.equal((await first.exited).code, ExitCode.trialsFailed, first.stderr);
  const sweepId = sweepIdFrom(first.stderr);
  const again = ws.spawnCli(["resume", sweepId]);
  assert.equal((await again.exited).code, ExitCode.trialsFailed, again.stderr);
  assert.match(again.stderr, /2 trial\(s\) of this sweep failed.*--retry-failed/);
  const retried = ws.spawnCli(["resume", sweepId, "--retry-failed"]);
  assert.equal((await retried.exited).code, ExitCode.ok, retried.stderr);
  const storage = await ws.openStorage();
  try {
    assert.deepEqual((await storage.listTrials(sweepId)).map((t) => [t.status, t.attempt]), [["completed", 1], ["completed", 1], ["completed", 2], ["completed", 2]]);
  } finally {
    await storage.close();
  }
});

test("a step beyond 2^53 is refused at the protocol with a warning; a trial without its metric is failed, not completed", async () => {
  const file = ws.sweepFile("ns", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [0]}\n  step_offset: {value: 1733000000000000000}\n  epochs: {value: 2}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0"]);
  assert.equal((await controller.exited).code, ExitCode.trialsFailed, controller.stderr);
  assert.match(controller.stderr, /skipped a malformed metric line .*above the largest step kept exactly/);
  const storage = await ws.openStorage();
  try {
    const [trial] = await storage.listTrials(sweepIdFrom(controller.stderr));
    assert.equal(trial!.status, "failed");
    assert.match(trial!.error!, /without reporting the sweep metric 'score'/);
  } finally {
    await storage.close();
  }
});

test("SIGHUP (the terminal went away) leaves the sweep running to its end", async () => {
  const file = ws.sweepFile("hup", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [0, 1]}\n  epochs: {value: 3}\n  epoch_ms: {value: 150}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0"]);
  await controller.waitForOutput(/trial 0 started/);
  controller.child.kill("SIGHUP");
  const { code } = await controller.exited;
  assert.equal(code, ExitCode.ok, controller.stderr);
  const storage = await ws.openStorage();
  try {
    assert.deepEqual((await storage.listTrials(sweepIdFrom(controller.stderr))).map((t) => t.status), ["completed", "completed"]);
  } finally {
    await storage.close();
  }
});

test("a closed output pipe (`sweep run … 2>&1 | head -1`) costs nothing: the sweep finishes, its trainers are never orphaned", async () => {
  const file = ws.sweepFile("epipe", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [0, 1, 2]}\n  epochs: {value: 3}\n  epoch_ms: {value: 100}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0"]);
  await controller.waitForOutput(/sweep [a-z0-9]{8}/);
  const sweepId = sweepIdFrom(controller.stderr);
  controller.child.stdout!.destroy();
  controller.child.stderr!.destroy();
  const { code } = await controller.exited;
  assert.equal(code, ExitCode.ok);
  const storage = await ws.openStorage();
  try {
    assert.deepEqual((await storage.listTrials(sweepId)).map((t) => t.status), ["completed", "completed", "completed"]);
    assert.equal((await storage.getSweep(sweepId))!.status, "finished");
  } finally {
    await storage.close();
  }
  assert.deepEqual(findTokenProcesses({ prefix: sweepTokenPrefix(sweepId) }), []);

  // A read command whose reader goes away (`sweep show ID | head -1`) ends quietly, not with a stack trace.
  const show = spawn(process.execPath, [join(packageRoot, "bin", "sweep.js"), "show", sweepId, "--storage", ws.db], { cwd: ws.dir, env: ws.env(), stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  show.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  show.stdout!.destroy(); // closed before the command writes: its first write meets EPIPE
  const [showCode] = (await once(show, "exit")) as [number | null];
  assert.equal(showCode, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
});
