/**
 * Per-model resources (`sweep.resources`, issue #16) with the fake nvidia-smi's 4 GPUs: base models two to a
 * GPU, large models alone on one, the largest on two; a GPU never holds more than it was meant to, at any
 * moment of the run; every trial gets a MASTER_PORT of its own.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ExitCode } from "../../src/exit-codes.js";
import { parseSweepConfig, ConfigError } from "../../src/config/index.js";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WAITING_FOR_ROOM_META, waitingForRoom } from "../../src/study/waiting.js";
import { cliMain } from "../helpers/paths.js";
import { fakeTrainer, sweepIdFrom, waitForTrials, Workspace, type TrainerRecord } from "./harness.js";

const ws = new Workspace();
after(() => ws.dispose());

type Run = TrainerRecord & { cuda: string; startedAt: number; endedAt: number; env: Record<string, string>; argv: string[] };

const SWEEP = `
method: grid
metric: {name: score, goal: maximize}
parameters:
  x: {values: [1, 2, 3, 4]}
  model: {values: [base, large, xl]}
  epochs: {value: 30}
  epoch_ms: {value: 50}
sweep:
  trials_per_gpu: 2
  resources:
    - when: {model: large}
      trials_per_gpu: 1
    - when: {model: [xl]}
      gpus_per_trial: 2
      trials_per_gpu: 1
`;

function modelOf(run: Run): string {
  return run.argv.find((a) => a.startsWith("--model="))!.slice("--model=".length);
}

test("each model gets the GPUs its rule gives it, and no GPU ever holds more than one GPU's worth", async () => {
  const file = ws.sweepFile("per-model", SWEEP);
  const controller = ws.spawnCli(["run", file]);
  const { code } = await controller.exited;
  assert.equal(code, ExitCode.ok, controller.stderr);

  const runs = ws.trainerRecords() as Run[];
  assert.equal(runs.length, 12);
  assert.ok(runs.every((r) => r.finished));
  for (const run of runs) {
    const gpus = run.cuda.split(",");
    const model = modelOf(run);
    if (model === "xl") assert.ok(run.cuda === "0,1" || run.cuda === "2,3", `xl trial ${run.number} on ${run.cuda}`);
    else assert.equal(gpus.length, 1, `${model} trial ${run.number} on ${run.cuda}`);
  }

  // At every trial start, the shares in use on each GPU (1/2 for base, 1 for large and xl) add up to at most 1.
  const share = (run: Run) => (modelOf(run) === "base" ? 0.5 : 1);
  let sharedOnce = false;
  for (const moment of runs.map((r) => r.startedAt)) {
    const live = runs.filter((r) => r.startedAt <= moment && moment < r.endedAt);
    for (const gpu of ["0", "1", "2", "3"]) {
      const onGpu = live.filter((r) => r.cuda.split(",").includes(gpu));
      const used = onGpu.reduce((sum, r) => sum + share(r), 0);
      assert.ok(used <= 1, `GPU ${gpu} at ${moment}: ${onGpu.map((r) => `trial ${r.number} (${modelOf(r)})`).join(", ")}`);
      if (onGpu.length === 2) sharedOnce = true;
    }
    // Distributed rendezvous ports never collide between trials that run at the same time.
    const ports = live.map((r) => r.env.MASTER_PORT);
    assert.ok(ports.every((p) => p !== undefined && Number(p) > 0), "every trial has a MASTER_PORT");
    assert.equal(new Set(ports).size, ports.length, `MASTER_PORTs of concurrent trials: ${ports.join(", ")}`);
  }
  assert.ok(sharedOnce, "two base trials shared a GPU at some point");
  assert.ok(runs.every((r) => r.env.PET_MASTER_PORT === r.env.MASTER_PORT && r.env.MASTER_ADDR === "127.0.0.1"));
});

test("a trial waiting for room on its GPUs is shown as waiting, with what it waits for, until it is placed", async () => {
  // Two GPUs: the base trial takes GPU 0 and holds it until the test opens its gate; the xl trial, claimed
  // next, needs both GPUs and waits all that time (no race with the test's reads).
  const file = ws.sweepFile(
    "waits",
    `
method: grid
metric: {name: score, goal: maximize}
parameters:
  model: {values: [base, xl]}
  epochs: {value: 3}
sweep:
  resources:
    - when: {model: xl}
      gpus_per_trial: 2
`,
  );
  const storageFile = ws.db.replace("sweeps.db", "waits.db");
  const gate = join(ws.dir, "waits-gate");
  mkdirSync(gate);
  const controller = ws.spawnCli(["run", file, "--gpus", "0,1"], { FAKE_TRAINER_GATE_DIR: gate }, { storage: storageFile });
  await controller.waitForOutput(/trial 1: waits for 2 GPUs to itself \(sweep\.resources\[0\]\), first in line/);
  const sweepId = sweepIdFrom(controller.stderr);
  const { openStorage } = await import("../../src/storage/index.js");
  const storage = await openStorage(storageFile);
  try {
    const trials = await waitForTrials(storage, sweepId, (ts) => ts.some((t) => t.number === 1 && waitingForRoom(t) !== null));
    const xl = trials.find((t) => t.number === 1)!;
    assert.equal(xl.status, "running", "claimed, so nobody else takes it");
    assert.equal(xl.gpus, null);
    assert.equal(waitingForRoom(xl), "2 GPUs to itself (sweep.resources[0])");

    const show = (args: string[]) => spawnSync(process.execPath, [cliMain, "show", sweepId, "--storage", storageFile, ...args], { encoding: "utf8" });
    const table = show([]);
    assert.equal(table.status, 0, table.stderr);
    const row = table.stdout.split("\n").find((line) => /^1 /.test(line)) ?? "";
    assert.match(row, /^1 +waiting /, table.stdout);
    assert.match(row, /waits for 2 GPUs to itself \(sweep\.resources\[0\]\)/);
    const json = JSON.parse(show(["--format", "json"]).stdout) as { trials: { number: number; status: string; waiting_for: string | null }[] };
    assert.deepEqual(
      json.trials.map((t) => [t.number, t.status, t.waiting_for]),
      [
        [0, "running", null],
        [1, "running", "2 GPUs to itself (sweep.resources[0])"],
      ],
    );

    writeFileSync(join(gate, "go-all"), "");
    const { code } = await controller.exited;
    assert.equal(code, ExitCode.ok, controller.stderr);
    const done = await storage.listTrials(sweepId);
    assert.deepEqual(done.map((t) => [t.number, t.status, t.gpus, t.meta[WAITING_FOR_ROOM_META] ?? null]), [
      [0, "completed", "0", null],
      [1, "completed", "0,1", null],
    ]);
  } finally {
    writeFileSync(join(gate, "go-all"), ""); // a failed check must not leave the controller waiting
    await storage.close();
  }
});

test("a rule that would need more GPUs than there are is refused before anything is stored", async () => {
  const file = ws.sweepFile("too-big", SWEEP.replace("gpus_per_trial: 2", "gpus_per_trial: 8"));
  const controller = ws.spawnCli(["run", file], {}, { storage: `${ws.dir}/too-big.db` });
  assert.equal((await controller.exited).code, ExitCode.usage);
  assert.match(controller.stderr, /sweep\.resources\[1\]\.gpus_per_trial 8 needs 8 GPUs, but only 4 are usable/);
});

test("resource rules are checked against the parameters: names, values, kinds", () => {
  const cases: [string, RegExp][] = [
    ["- when: {modle: large}\n      trials_per_gpu: 1", /sweep\.resources\[0\]\.when\.modle: "when" names "modle", which is not a parameter of this sweep/],
    ["- when: {model: huge}\n      trials_per_gpu: 1", /"huge" is not among the values of "model"/],
    ["- when: {lr: 0.1}\n      trials_per_gpu: 1", /"lr" is a uniform parameter: its values cannot be listed/],
    ["- when: {model: large}", /a resource rule sets nothing/],
    ["- trials_per_gpu: 1", /a resource rule needs "when"/],
    ["- when: {model: large}\n      trials_per_gpu: 0", /trials_per_gpu/],
  ];
  for (const [rule, message] of cases) {
    const text = `program: ${fakeTrainer}\nmethod: random\nparameters:\n  model: {values: [base, large]}\n  lr: {min: 0.0, max: 1.0}\nsweep:\n  resources:\n    ${rule}\n`;
    assert.throws(() => parseSweepConfig(text, { file: "s.yaml" }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, message);
      assert.match(err.message, /s\.yaml:\d+:\d+/);
      return true;
    }, rule);
  }
});
