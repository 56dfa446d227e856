/**
 * Extending a finished sweep with real processes: `sweep resume ID --run-cap N` and `--add N` run exactly the
 * trials the new run_cap allows and finish the sweep again; impossible caps are refused before anything is
 * written or started, and a sweep that a live controller runs is refused with exit 9.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { ExitCode } from "../../src/exit-codes.js";
import { packageRoot } from "../../src/runner/package-paths.js";
import { SWEEP_EXTENDED_EVENT } from "../../src/study/extend.js";
import { Workspace, sweepIdFrom } from "./harness.js";

const ws = new Workspace();
after(() => ws.dispose());

function sweepCli(args: string[]) {
  return spawnSync(process.execPath, [join(packageRoot, "bin", "sweep.js"), ...args, "--storage", ws.db], { cwd: ws.dir, env: ws.env(), encoding: "utf8" });
}

/** The database and its write-ahead log (a write may sit in either). */
const storageHash = () => {
  const hash = createHash("sha256").update(readFileSync(ws.db));
  if (existsSync(`${ws.db}-wal`)) hash.update(readFileSync(`${ws.db}-wal`));
  return hash.digest("hex");
};

/** Stored run_cap, status and trial numbers of a sweep. */
async function state(sweepId: string) {
  const storage = await ws.openStorage();
  try {
    const record = (await storage.getSweep(sweepId))!;
    const trials = await storage.listTrials(sweepId);
    const runCap = (record.config as { config: { run_cap?: number } }).config.run_cap;
    return { status: record.status, runCap, numbers: trials.map((t) => t.number), statuses: [...new Set(trials.map((t) => t.status))], events: (await storage.listEvents(sweepId)).map((e) => e.kind) };
  } finally {
    await storage.close();
  }
}

const startedTrials = (sweepId: string) => ws.trainerRecords().filter((r) => r.env.SWEEP_ID === sweepId).length;

test("a finished run_cap 3 sweep: resume --run-cap 5 runs exactly 2 more trials, --add 2 two more again; refusals change nothing", async () => {
  const file = ws.sweepFile("capped", "method: random\nrun_cap: 3\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {min: 0, max: 9}\n  epochs: {value: 1}\n  epoch_ms: {value: 1}\n");
  const run = sweepCli(["run", file, "--gpus", "none"]);
  assert.equal(run.status, ExitCode.ok, run.stderr);
  const sweepId = sweepIdFrom(run.stderr);
  assert.deepEqual(await state(sweepId).then((s) => [s.status, s.runCap, s.numbers]), ["finished", 3, [0, 1, 2]]);

  // A plain resume ends at once, saying how to extend.
  const plain = sweepCli(["resume", sweepId, "--gpus", "none"]);
  assert.equal(plain.status, ExitCode.ok, plain.stderr);
  assert.match(plain.stderr, new RegExp(`sweep resume ${sweepId} --add N`));
  assert.equal(startedTrials(sweepId), 3);

  // Refused before any write or trainer: a cap not above the trials made, both flags, bad numbers.
  const before = storageHash();
  for (const [args, says] of [
    [["--run-cap", "3"], /--run-cap 3 is not more than the 3 trial\(s\) sweep \w+ already has: no trial could start; give a run_cap of at least 4/],
    [["--run-cap", "2"], /--run-cap 2 is not more than the 3 trial\(s\)/],
    [["--run-cap", "5", "--add", "1"], /--run-cap 5 and --add 1 both set the run_cap; give one/],
    [["--run-cap", "abc"], /--run-cap "abc" is not a whole number; expected a whole number of at least 1/],
    [["--add", "0"], /--add 0 is out of range; expected a whole number of at least 1/],
  ] as const) {
    const r = sweepCli(["resume", sweepId, "--gpus", "none", ...args]);
    assert.equal(r.status, ExitCode.usage, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, says);
    assert.equal(storageHash(), before, `${args.join(" ")} changed the storage`);
  }
  assert.equal(startedTrials(sweepId), 3);

  const extended = sweepCli(["resume", sweepId, "--gpus", "none", "--run-cap", "5"]);
  assert.equal(extended.status, ExitCode.ok, extended.stderr);
  assert.match(extended.stderr, /run_cap 3 -> 5: up to 2 more trial\(s\) after the 3 made/);
  let s = await state(sweepId);
  assert.deepEqual([s.status, s.runCap, s.numbers, s.statuses], ["finished", 5, [0, 1, 2, 3, 4], ["completed"]]);
  assert.equal(startedTrials(sweepId), 5);
  assert.ok(s.events.includes(SWEEP_EXTENDED_EVENT));

  const added = sweepCli(["resume", sweepId, "--gpus", "none", "--add", "2", "--format", "json"]);
  assert.equal(added.status, ExitCode.ok, added.stderr);
  const events = added.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; message?: string });
  assert.ok(events.some((e) => e.event === "notice" && /run_cap 5 -> 7/.test(e.message ?? "")), added.stdout);
  s = await state(sweepId);
  assert.deepEqual([s.status, s.runCap, s.numbers.length], ["finished", 7, 7]);
  assert.equal(startedTrials(sweepId), 7);
});

test("--add on a sweep without run_cap counts from its trials; a grid with every point run is refused", async () => {
  const open = ws.sweepFile("open", "method: random\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {min: 0, max: 9}\n  epochs: {value: 1}\n  epoch_ms: {value: 1}\n");
  const run = sweepCli(["run", open, "--gpus", "none", "--count", "2"]);
  assert.equal(run.status, ExitCode.ok, run.stderr);
  const openId = sweepIdFrom(run.stderr);
  const added = sweepCli(["resume", openId, "--gpus", "none", "--add", "1"]);
  assert.equal(added.status, ExitCode.ok, added.stderr);
  assert.match(added.stderr, /run_cap none -> 3: up to 1 more trial/);
  assert.deepEqual(await state(openId).then((s) => [s.status, s.runCap, s.numbers]), ["finished", 3, [0, 1, 2]]);

  const grid = ws.sweepFile("grid", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [1, 2]}\n  epochs: {value: 1}\n  epoch_ms: {value: 1}\n");
  const gridRun = sweepCli(["run", grid, "--gpus", "none"]);
  assert.equal(gridRun.status, ExitCode.ok, gridRun.stderr);
  const gridId = sweepIdFrom(gridRun.stderr);
  const before = storageHash();
  const refused = sweepCli(["resume", gridId, "--gpus", "none", "--add", "3"]);
  assert.equal(refused.status, ExitCode.usage, refused.stderr);
  assert.match(refused.stderr, /is a grid of 2 point\(s\) and has 2 trial\(s\): every point has been run/);
  assert.equal(storageHash(), before);
});

test("extending a sweep whose controller is alive is refused with exit 9, and changes nothing", async () => {
  const file = ws.sweepFile("busy", "method: random\nrun_cap: 2\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {min: 0, max: 9}\n  epochs: {value: 40}\n  epoch_ms: {value: 100}\n");
  const controller = ws.spawnCli(["run", file, "--gpus", "0"]);
  await controller.waitForOutput(/trial 0 started/);
  const sweepId = sweepIdFrom(controller.stderr);
  try {
    const busy = sweepCli(["resume", sweepId, "--gpus", "none", "--run-cap", "4"]);
    assert.equal(busy.status, ExitCode.sweepBusy, busy.stderr);
    assert.match(busy.stderr, /is still being run by/);
    assert.equal((await state(sweepId)).runCap, 2);
  } finally {
    assert.equal(sweepCli(["stop", sweepId, "--wait"]).status, ExitCode.ok);
    await controller.exited;
  }
  // Stopped, it can be extended: the interrupted trial re-runs and the new cap's trials follow.
  const extended = sweepCli(["resume", sweepId, "--gpus", "none", "--run-cap", "3"]);
  assert.equal(extended.status, ExitCode.ok, extended.stderr);
  const s = await state(sweepId);
  assert.deepEqual([s.status, s.runCap, s.numbers, s.statuses], ["finished", 3, [0, 1, 2], ["completed"]]);
});
