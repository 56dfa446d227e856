/**
 * End to end, counts only: TPE with W&B hyperband at `min_iter: 1` on a small deterministic problem where
 * the slow starters win. With both halves of the change — the sampler comparing trials at the reference
 * step instead of ranking every pruned trial last, and the pruner keeping some slow starters — the search
 * does not collapse onto the fast starters: slow starters complete, and the best completed trial is one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSweepConfig } from "../../src/config/index.js";
import { WandbHyperbandPruner, createPruner } from "../../src/pruners/index.js";
import { TrialPruned, createSweep, optimize, type TrialContext } from "../../src/study/index.js";

const EPOCHS = 12;

/** x near 1 starts late (the loss waits 1 + 8x epochs before it falls fast) and ends lowest; x near 0 leads early and ends high. */
function lossAt(x: number, epoch: number): number {
  const floor = 0.1 + 0.3 * (1 - x) ** 2;
  const delay = 1 + 8 * x;
  return floor + (1 - floor) * Math.exp(-(epoch * epoch) / (epoch + delay) / 1.5);
}

async function train(trial: TrialContext): Promise<void> {
  const x = trial.params.x as number;
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    await trial.report(epoch, { loss: lossAt(x, epoch) });
    if (epoch < EPOCHS && (await trial.shouldPrune())) throw new TrialPruned();
  }
}

test("TPE + W&B hyperband (min_iter 1) where slow starters win: slow starters complete and the best is one", async () => {
  // At epoch 1 the order is the reverse of the final one: a rule that trusted it would keep only x near 0.
  assert.ok(lossAt(0.9, 1) > lossAt(0.1, 1) && lossAt(0.9, EPOCHS) < lossAt(0.1, EPOCHS));
  const config = {
    method: "bayes",
    metric: { name: "loss", goal: "minimize" },
    parameters: { x: { distribution: "uniform", min: 0, max: 1 } },
    early_terminate: { type: "hyperband", min_iter: 1, eta: 3 },
    sweep: { seed: 7 },
  };
  const resolved = parseSweepConfig(JSON.stringify(config), { format: "json" });
  const sweep = await createSweep({ config: resolved, pruner: createPruner(resolved.config) });
  const summary = await optimize(sweep, train, { trials: 80 });
  const completed = summary.trials.filter((t) => t.status === "completed");
  const slowCompleted = completed.filter((t) => (t.params.x as number) >= 0.8);
  const best = completed.reduce((a, b) => (b.value! < a.value! ? b : a));
  assert.ok(slowCompleted.length >= 5, `${slowCompleted.length} completed trials with x >= 0.8`);
  assert.ok((best.params.x as number) >= 0.8, `best completed x = ${String(best.params.x)}`);

  // W&B's rule exactly, same seed: no slow starter ever completes (what the change is for).
  const exact = await createSweep({ config: resolved, pruner: new WandbHyperbandPruner({ minIter: 1, keepSlowStarters: false }) });
  const exactSummary = await optimize(exact, train, { trials: 80 });
  const exactSlow = exactSummary.trials.filter((t) => t.status === "completed" && (t.params.x as number) >= 0.8);
  assert.equal(exactSlow.length, 0);
});
