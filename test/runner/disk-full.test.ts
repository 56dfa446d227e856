/**
 * A full disk under the trial folders and controller logs (a 256 KiB tmpfs, filled before the sweep starts):
 * the controller neither crashes nor hangs, the database stays consistent, every trial has an outcome and no
 * process of the sweep is left behind. Needs root for the mount; skipped with the reason otherwise.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { ExitCode } from "../../src/exit-codes.js";
import { findTokenProcesses, sweepTokenPrefix } from "../../src/runner/launch-token.js";
import { Workspace, sweepIdFrom } from "./harness.js";

const ws = new Workspace();
const mounts: string[] = [];
function mountSmallTmpfs(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", dir], { stdio: "ignore" });
  if (r.status === 0) mounts.push(dir);
  return r.status === 0;
}
const home = join(ws.dir, "storage");
const mounted = mountSmallTmpfs(join(home, "runs")) && mountSmallTmpfs(join(home, "logs"));
after(() => {
  for (const dir of mounts.reverse()) spawnSync("umount", ["-l", dir], { stdio: "ignore" });
  ws.dispose();
});

test("ENOSPC in the trial folders and the controller log: no crash, every trial recorded, nothing orphaned", { skip: mounted ? false : "cannot mount a tmpfs here (needs root)" }, async () => {
  // Fill both file systems to the last byte.
  for (const dir of mounts) {
    try {
      writeFileSync(join(dir, "filler"), Buffer.alloc(1024 * 1024));
    } catch {
      // ENOSPC: full, as wanted
    }
  }
  const file = ws.sweepFile("full", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [0, 1, 2, 3]}\n  epochs: {value: 2}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0"]);
  const { code } = await controller.exited;
  assert.ok(code === ExitCode.trainerBroken || code === ExitCode.trialsFailed || code === ExitCode.ok, `exit ${code}: ${controller.stderr}`);
  assert.doesNotMatch(controller.stderr, /internal error|\n\s+at /);
  const sweepId = sweepIdFrom(controller.stderr);
  const storage = await ws.openStorage();
  try {
    const trials = await storage.listTrials(sweepId);
    assert.ok(trials.length > 0);
    assert.ok(trials.every((t) => t.status !== "running"), JSON.stringify(trials.map((t) => t.status)));
  } finally {
    await storage.close();
  }
  const db = new Database(ws.db, { readonly: true });
  assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
  db.close();
  assert.deepEqual(findTokenProcesses({ prefix: sweepTokenPrefix(sweepId) }), []);
});
