/**
 * `sweep stop ID` from a second process: the controller starts nothing new, stops its running trials
 * gracefully, and exits; `sweep resume` re-runs the stopped trials and finishes the sweep.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { ExitCode } from "../../src/exit-codes.js";
import { packageRoot } from "../../src/runner/package-paths.js";
import { Workspace, sweepIdFrom } from "./harness.js";

const ws = new Workspace();
after(() => ws.dispose());

function sweepCli(args: string[]) {
  return spawnSync(process.execPath, [join(packageRoot, "bin", "sweep.js"), ...args, "--storage", ws.db], { cwd: ws.dir, env: ws.env(), encoding: "utf8" });
}

test("sweep stop from another process stops the sweep gracefully; resume finishes it", async () => {
  const file = ws.sweepFile("stop", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [0, 1, 2, 3, 4, 5]}\n  epochs: {value: 60}\n  epoch_ms: {value: 100}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0,1", "--grace-period", "2"]);
  await controller.waitForOutput(/trial 1 started/);
  const sweepId = sweepIdFrom(controller.stderr);
  const stop = sweepCli(["stop", sweepId, "--wait"]);
  assert.equal(stop.status, 0, stop.stderr);
  assert.match(stop.stdout, new RegExp(`sweep ${sweepId} stopped: no new trials; 2 running trial\\(s\\)`));
  const { code } = await controller.exited;
  assert.equal(code, ExitCode.ok, controller.stderr);
  assert.match(controller.stderr, /stop requested by .*stopping 2 running trial/);

  const storage = await ws.openStorage();
  try {
    assert.equal((await storage.getSweep(sweepId))!.status, "stopped");
    assert.deepEqual((await storage.listTrials(sweepId)).map((t) => t.status), ["interrupted", "interrupted"]);
    assert.match(sweepCli(["stop", sweepId]).stdout, /is stopped; nothing to stop/);
    const resumed = ws.spawnCli(["resume", sweepId, "--gpus", "0,1"]);
    assert.equal((await resumed.exited).code, ExitCode.ok, resumed.stderr);
    const trials = await storage.listTrials(sweepId);
    assert.equal(trials.length, 6);
    assert.ok(trials.every((t) => t.status === "completed"));
    assert.equal((await storage.getSweep(sweepId))!.status, "finished");
  } finally {
    await storage.close();
  }
});

test("sweep rm: refused while the sweep runs and without --yes off a terminal; then removes rows, run folders and log", async () => {
  const file = ws.sweepFile("rm", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [0, 1]}\n  epochs: {value: 600}\n  epoch_ms: {value: 100}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0"]);
  await controller.waitForOutput(/trial 0 started/);
  const sweepId = sweepIdFrom(controller.stderr);
  const busy = sweepCli(["rm", sweepId, "--yes"]);
  assert.equal(busy.status, ExitCode.sweepBusy, busy.stderr);
  assert.match(busy.stderr, /still running; stop it first/);
  assert.equal(sweepCli(["stop", sweepId, "--wait"]).status, 0);
  await controller.exited;

  const unconfirmed = sweepCli(["rm", sweepId]);
  assert.equal(unconfirmed.status, ExitCode.usage, unconfirmed.stderr);
  assert.match(unconfirmed.stderr, /add --yes to confirm/);
  const runs = join(ws.dir, "storage", "runs", sweepId);
  const log = join(ws.dir, "storage", "logs", `controller-${sweepId}.log`);
  assert.ok(existsSync(runs) && existsSync(log));

  const removed = sweepCli(["rm", sweepId, "--yes"]);
  assert.equal(removed.status, 0, removed.stderr);
  assert.match(removed.stdout, new RegExp(`removed sweep ${sweepId}: 1 trial`));
  assert.equal(existsSync(runs), false);
  assert.equal(existsSync(log), false);
  assert.doesNotMatch(sweepCli(["ls"]).stdout, new RegExp(sweepId));
  assert.equal(sweepCli(["show", sweepId]).status, ExitCode.notFound);
});
