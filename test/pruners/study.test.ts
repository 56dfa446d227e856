/**
 * Pruners inside the study core: the decisions `optimize` gets from `shouldPrune()`, stored as pruned
 * trials, and the same decisions after the sweep is reopened from its SQLite file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { parseSweepConfig } from "../../src/config/index.js";
import { createPruner } from "../../src/pruners/index.js";
import { openStorage } from "../../src/storage/index.js";
import { TrialPruned, createSweep, loadSweep, optimize, type TrialContext } from "../../src/study/index.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), "sweep-pruners-"));
  dirs.push(dir);
  return join(dir, "sweeps.db");
}

const EPOCHS = 20;
const sweepConfig = {
  method: "grid",
  metric: { name: "val_loss", goal: "minimize" },
  // Quality 0 is hopeless (its loss stays at 1); the others learn, each better than the one before. W&B's
  // rule keeps only the best of fewer than eta trials at a band, so a good trial that came after a better
  // one would be stopped too: the order keeps this test about the hopeless trial.
  parameters: { quality: { values: [0.8, 0.9, 1, 0] } },
  early_terminate: { type: "hyperband", min_iter: 3, eta: 3 },
  sweep: { seed: 1 },
};

function lossAt(quality: number, epoch: number): number {
  return 1 - quality * 0.9 * (1 - Math.exp(-epoch / 4));
}

/** A trainer reporting one loss per epoch and stopping when the pruner says so. */
async function train(trial: TrialContext): Promise<void> {
  const quality = trial.params.quality as number;
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    await trial.report(epoch, { val_loss: lossAt(quality, epoch) });
    if (await trial.shouldPrune()) throw new TrialPruned();
  }
}

describe("pruners in the study core", () => {
  test("a hopeless trial is stopped at W&B's first band while good ones run to the end", async () => {
    const resolved = parseSweepConfig(JSON.stringify(sweepConfig), { format: "json" });
    const sweep = await createSweep({ config: resolved, pruner: createPruner(resolved.config) });
    const summary = await optimize(sweep, train);
    const byQuality = new Map(summary.trials.map((t) => [t.params.quality as number, t]));

    const hopeless = byQuality.get(0)!;
    assert.equal(hopeless.status, "pruned");
    assert.equal(hopeless.pruneStep, 3); // the 3rd logged value is iteration 3, the first band
    assert.match(hopeless.pruneReason ?? "", /W&B hyperband band 1 \(iteration 3\)/);
    for (const quality of [0.8, 0.9, 1]) {
      const good = byQuality.get(quality)!;
      assert.equal(good.status, "completed", `quality ${quality}`);
      assert.equal(good.value, lossAt(quality, EPOCHS));
    }
    const reported = await sweep.storage.listIntermediates({ trialId: hopeless.id, name: "val_loss" });
    assert.equal(reported.length, 3, "the pruned trial stopped reporting when it was stopped");
  });

  test("decisions are the same after reopening the sweep from its SQLite file", async () => {
    const path = tempDb();
    const resolved = parseSweepConfig(JSON.stringify(sweepConfig), { format: "json" });
    const first = await createSweep({ config: resolved, storage: await openStorage(path), pruner: createPruner(resolved.config) });
    // Three good trials run to the end; the hopeless one reports three epochs and is left running, as if
    // the controller had died just after its report.
    await optimize(first, train, { trials: 3 });
    const hopeless = (await first.ask())!;
    assert.equal(hopeless.params.quality, 0);
    for (let epoch = 1; epoch <= 3; epoch++) await first.report(hopeless, epoch, { val_loss: lossAt(0, epoch) });
    const before = await first.shouldPrune(hopeless);
    await first.storage.close();

    const storage = await openStorage(path);
    try {
      // The pruner is rebuilt from the config stored with the sweep, not from the file.
      const stored = await loadSweep(first.id, { storage });
      const reopened = await loadSweep(first.id, { storage, pruner: createPruner(stored.config) });
      const after = await reopened.shouldPrune(hopeless.id);
      assert.equal(before.prune, true);
      assert.deepEqual(after, before);
    } finally {
      await storage.close();
    }
  });
});
