import assert from "node:assert/strict";
import { test } from "node:test";
import { pedAnova, pearsonDivergence } from "../../src/report/importance.js";
import type { TrialRecord } from "../../src/storage/types.js";
import { createRng } from "../../src/space/index.js";

function trial(number: number, params: Record<string, unknown>, value: number): TrialRecord {
  return { number, params, value, status: "completed" } as unknown as TrialRecord;
}

test("Pearson divergence is 0 for equal distributions and grows with the difference", () => {
  assert.equal(pearsonDivergence([0.5, 0.5], [0.5, 0.5]), 0);
  assert.ok(pearsonDivergence([0.9, 0.1], [0.5, 0.5]) > pearsonDivergence([0.6, 0.4], [0.5, 0.5]));
});

test("the parameter that decides the value gets most of the importance; noise gets little", () => {
  const rng = createRng(7);
  const trials = Array.from({ length: 60 }, (_, i) => {
    const lr = 10 ** (-5 + rng());
    const seed = rng();
    const optimizer = rng() < 0.5 ? "adam" : "sgd";
    // Best near lr = 3e-5; optimizer matters a little; seed not at all.
    return trial(i, { lr, seed, optimizer }, -Math.abs(Math.log10(lr / 3e-5)) + (optimizer === "adam" ? 0.05 : 0));
  });
  const result = pedAnova(trials, ["lr", "seed", "optimizer"], null, "maximize");
  assert.ok(!("unavailable" in result));
  assert.equal(result.params[0]!.name, "lr");
  assert.ok(result.params[0]!.importance > 0.6, JSON.stringify(result.params));
  const seed = result.params.find((p) => p.name === "seed")!;
  assert.ok(seed.importance < 0.25, JSON.stringify(result.params));
  assert.ok(Math.abs(result.params.reduce((s, p) => s + p.importance, 0) - 1) < 1e-9);
  assert.equal(result.top, 6);
});

test("too few trials give a reason instead of numbers", () => {
  const result = pedAnova([trial(0, { x: 1 }, 1), trial(1, { x: 2 }, 2)], ["x"], null, "minimize");
  assert.ok("unavailable" in result);
  assert.match(result.unavailable, /at least 8 completed trials, has 2/);
});
