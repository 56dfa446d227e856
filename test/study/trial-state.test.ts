/**
 * Trial state rules as strict as Optuna's, and enqueue validated against the space: in the library
 * (`tell`, `report`, `optimize`, `Sweep.enqueue`), in every storage (`enqueueTrial`), and on the CLI
 * (`sweep run --enqueue FILE`, with a real child process and a real SQLite file).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, describe, test } from "node:test";
import { createSweep, optimize } from "../../src/index.js";
import { openStorage } from "../../src/storage/index.js";
import { cliMain, fixturesDir } from "../helpers/paths.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sweep-state-"));
  dirs.push(dir);
  return dir;
}

const config = {
  method: "random",
  metric: { name: "loss", goal: "minimize" },
  parameters: {
    lr: { distribution: "log_uniform_values", min: 1e-6, max: 1e-4 },
    optimizer: { values: ["adam", "sgd"] },
    layers: { distribution: "int_uniform", min: 1, max: 4 },
  },
  sweep: { seed: 11 },
};

describe("trial state rules", () => {
  test("tell(trial, NaN) fails the trial with the reason; bestTrial ignores it", async () => {
    const sweep = await createSweep({ config });
    const t = (await sweep.ask())!;
    const told = await sweep.tell(t, NaN);
    assert.equal(told?.status, "failed");
    assert.equal(told?.value, null);
    assert.match(told?.error ?? "", /objective value NaN is not a finite number/);
    assert.equal(await sweep.bestTrial(), null);
    const u = (await sweep.ask())!;
    assert.equal((await sweep.tell(u, { state: "completed", value: Infinity }))?.status, "failed");
  });

  test("an objective that reports nothing and returns nothing fails, naming the metric", async () => {
    const sweep = await createSweep({ config });
    const summary = await optimize(sweep, () => undefined, { trials: 2 });
    assert.deepEqual(summary.trials.map((t) => t.status), ["failed", "failed"]);
    assert.match(summary.trials[0]!.error ?? "", /returned nothing and reported no finite value of 'loss'/);
    // Reported values still make the objective, as before.
    const reported = await optimize(sweep, async (trial) => void (await trial.report(1, { loss: 0.5 })), { trials: 1 });
    assert.equal(reported.trials[0]!.status, "completed");
    assert.equal(reported.trials[0]!.value, 0.5);
  });

  test("a sweep without a metric still completes trials without a value", async () => {
    const { metric: _m, ...noMetric } = config;
    void _m;
    const sweep = await createSweep({ config: noMetric });
    const t = (await sweep.ask())!;
    assert.equal((await sweep.tell(t, { state: "completed" }))?.status, "completed");
  });

  test("nothing is accepted after tell: report and tell throw a clear error", async () => {
    const sweep = await createSweep({ config });
    const t = (await sweep.ask())!;
    await sweep.tell(t, 0.1);
    const refused = { name: "TrialStateError", message: /trial \d+ of sweep '.+' is already finished \(completed\); nothing is accepted after tell/ };
    await assert.rejects(sweep.report(t, 2, { loss: 0.05 }), refused);
    await assert.rejects(sweep.tell(t, 0.01), refused);
    await assert.rejects(sweep.tell(t.id, 0.01), refused);
    assert.equal((await sweep.storage.getTrial(t.id))?.value, 0.1);
    assert.deepEqual(await sweep.storage.listIntermediates({ trialId: t.id }), []);

    // An objective that keeps the trial and reports after it returned is refused too.
    let kept: { report(step: number, m: Record<string, number>): Promise<void> } | undefined;
    await optimize(sweep, (trial) => {
      kept = trial;
      return 1;
    }, { trials: 1 });
    await assert.rejects(kept!.report(1, { loss: 1 }), refused);
  });
});

describe("enqueue", () => {
  test("validates against the space with one message per problem, and writes nothing when refused", async () => {
    const sweep = await createSweep({ config });
    await assert.rejects(sweep.enqueue({ lr: 5, optimizer: "rmsprop", dropout: 0.1 }), (error: Error) => {
      assert.equal(error.name, "EnqueueError");
      assert.match(error.message, /parameter 'lr': 5 is not a number in \[0\.000001, 0\.0001\] \(log_uniform_values\)/);
      assert.match(error.message, /parameter 'optimizer': "rmsprop" is not one of \["adam","sgd"\]/);
      assert.match(error.message, /parameter 'dropout' is not in the sweep's space \(its parameters: lr, optimizer, layers\)/);
      return true;
    });
    await assert.rejects(sweep.enqueue({ layers: 2.5 }), /parameter 'layers': 2\.5 is not an integer in \[1, 4\]/);
    assert.deepEqual(await sweep.trialRecords(), []);
  });

  test("samples the missing parameters and runs enqueued trials first, in order", async () => {
    const sweep = await createSweep({ config });
    const a = await sweep.enqueue({ lr: 3e-5, optimizer: "sgd" });
    const b = await sweep.enqueue({ optimizer: "adam", layers: 4 });
    assert.equal(a.params.lr, 3e-5);
    assert.ok(Number.isInteger(a.params.layers) && (a.params.layers as number) >= 1 && (a.params.layers as number) <= 4);
    assert.ok((b.params.lr as number) >= 1e-6 && (b.params.lr as number) <= 1e-4);
    const first = (await sweep.ask())!;
    const second = (await sweep.ask())!;
    assert.deepEqual([first.id, second.id], [a.id, b.id]);
    assert.deepEqual(first.params, a.params);
    assert.equal(first.config.optimizer, "sgd");
  });

  test("storage.enqueueTrial checks a study sweep's space too (shared check), in every backend", async () => {
    for (const location of [":memory:", join(tempDir(), "sweeps.db")]) {
      const storage = await openStorage(location);
      try {
        const sweep = await createSweep({ config, storage });
        await assert.rejects(storage.enqueueTrial(sweep.id, { lr: 5 }), {
          name: "StorageError",
          message: /cannot enqueue a trial for sweep '.+': parameter 'lr': 5 is not a number in/,
        });
        await assert.rejects(storage.enqueueTrial(sweep.id, { nope: 1 }), /parameter 'nope' is not in the sweep's space/);
        assert.equal((await storage.enqueueTrial(sweep.id, { optimizer: "adam" })).status, "queued");
      } finally {
        await storage.close();
      }
    }
  });
});

describe("sweep run --enqueue FILE", () => {
  const env = () => ({ ...process.env, PATH: `${fixturesDir}${delimiter}${process.env.PATH}`, NO_COLOR: "1" });
  const sweepFile = (dir: string) => {
    const file = join(dir, "sweep.yaml");
    writeFileSync(
      file,
      [
        `program: ${join(fixturesDir, "fake-trainer.mjs")}`,
        "method: random",
        "run_cap: 2",
        "metric: {name: score, goal: maximize}",
        "parameters:",
        "  x: {values: [1, 2, 3, 4, 5]}",
        "  epochs: {value: 1}",
        "  epoch_ms: {value: 1}",
        "",
      ].join("\n"),
    );
    return file;
  };

  test("runs the baseline first, with the missing parameters sampled", async () => {
    const dir = tempDir();
    const baseline = join(dir, "baseline.yaml");
    writeFileSync(baseline, "x: 4\n");
    const db = join(dir, "storage", "sweeps.db");
    const r = spawnSync(process.execPath, [cliMain, "run", sweepFile(dir), "--enqueue", baseline, "--storage", db, "--gpus", "none", "--quiet"], { env: env(), encoding: "utf8", cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const storage = await openStorage(db);
    try {
      const [sweep] = await storage.listSweeps();
      const trials = await storage.listTrials(sweep!.id);
      assert.equal(trials.length, 2);
      assert.deepEqual(trials[0]!.params, { x: 4, epochs: 1, epoch_ms: 1 });
      assert.equal(trials[0]!.meta.enqueued, true);
      assert.equal(trials[0]!.status, "completed");
    } finally {
      await storage.close();
    }
  });

  test("a baseline outside the space is refused before anything is stored", () => {
    const dir = tempDir();
    const baseline = join(dir, "baseline.yaml");
    writeFileSync(baseline, "x: 9\n");
    const db = join(dir, "storage", "sweeps.db");
    const r = spawnSync(process.execPath, [cliMain, "run", sweepFile(dir), "--enqueue", baseline, "--storage", db, "--gpus", "none", "--quiet"], { env: env(), encoding: "utf8", cwd: dir });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--enqueue .*baseline\.yaml: parameter 'x': 9 is not one of \[1,2,3,4,5\]/);
    assert.equal(existsSync(db), false);
  });
});
