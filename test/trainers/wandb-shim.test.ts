/**
 * The W&B compatibility shim: an unchanged W&B-style trainer (examples/trainers/wandb-style) run by a real
 * `sweep run` controller with the shim switched on, its wandb.log() values arriving as trial metrics; the
 * shim absent without the opt-in; and unsupported W&B calls failing with a message that names the docs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { delimiter, join } from "node:path";
import { after, describe, it } from "node:test";
import { wandbShimDir, pythonClientDir } from "../../src/runner/package-paths.js";
import { sweepIdFrom, Workspace } from "../runner/harness.js";
import { repoRoot } from "../helpers/paths.js";

const python = "/usr/bin/python3";
const wandbStyleTrainer = join(repoRoot, "examples", "trainers", "wandb-style", "train.py");

function sweepBody(extra = ""): string {
  return `program: ${wandbStyleTrainer}
method: grid
metric: {name: val_pearson, goal: maximize}
parameters:
  lr: {values: [0.05, 0.2]}
  epochs: {value: 3}
command: ["\${env}", ${python}, "\${program}", "\${args}"]
${extra}`;
}

describe("W&B shim", () => {
  const ws = new Workspace();
  after(() => ws.dispose());

  async function runSweep(name: string, body: string, flags: string[]) {
    const controller = ws.spawnCli(["run", ws.sweepFile(name, body), "--gpus", "none", "--seed", "1", ...flags]);
    const { code } = await controller.exited;
    const storage = await ws.openStorage();
    try {
      const sweepId = sweepIdFrom(controller.stderr);
      const trials = await storage.listTrials(sweepId);
      const metrics = await storage.listIntermediates({ sweepId });
      return { code, stderr: controller.stderr, trials, metrics };
    } finally {
      await storage.close();
    }
  }

  it("runs an unchanged W&B trainer under `sweep run --wandb-shim`, its logged values becoming trial metrics", async () => {
    const { code, stderr, trials, metrics } = await runSweep("flag", sweepBody(), ["--wandb-shim"]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(trials.map((t) => t.status), ["completed", "completed"], stderr);
    for (const trial of trials) {
      const own = metrics.filter((m) => m.trialId === trial.id);
      // One row per epoch (steps 1-3); run.summary["best_val_pearson"] stays out of the history, as in W&B.
      assert.deepEqual(own.filter((m) => m.name === "val_pearson").map((m) => m.step), [1, 2, 3]);
      assert.deepEqual(own.filter((m) => m.name === "epoch").map((m) => m.value), [1, 2, 3]);
      assert.equal(own.find((m) => m.name === "best_val_pearson"), undefined);
      assert.ok(trial.value !== null && trial.value > 0.3, `trial ${trial.number} value ${trial.value} should be well above chance`);
    }
    // wandb.config took the sweep's values over the trainer's defaults: the two lrs give different runs.
    assert.notEqual(trials[0]!.value, trials[1]!.value);
  });

  it("is switched on by `sweep.wandb_shim: true` in the file, and is absent without it", async () => {
    const fromFile = await runSweep("key", sweepBody("sweep: {wandb_shim: true}"), []);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.ok(fromFile.trials.every((t) => t.status === "completed"), fromFile.stderr);

    const without = await runSweep("off", sweepBody(), []);
    // No wandb on this machine: the trainer cannot import it, so its trials fail.
    assert.ok(without.trials.length > 0 && without.trials.every((t) => t.status === "failed"), without.stderr);
    assert.equal(without.metrics.length, 0);
  });

  it("rejects unsupported W&B calls with an error naming docs/wandb-compat.md", () => {
    const script = `
import wandb
run = wandb.init()
assert not hasattr(wandb, "Api")
for name in ("Api", "restore", "controller"):
    try:
        getattr(wandb, name)
    except NotImplementedError as error:
        print(error)
`;
    const result = spawnSync(python, ["-c", script], {
      env: { ...process.env, PYTHONPATH: [wandbShimDir, pythonClientDir].join(delimiter) },
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trim().split("\n");
    assert.equal(lines.length, 3, result.stdout);
    for (const line of lines) assert.match(line, /^wandb\.\w+ is not supported by sweep's W&B shim: .*\(see docs\/wandb-compat\.md\)$/);
    assert.match(lines[0]!, /sweep show/);
  });
});
