import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { TrialRecord } from "../../src/storage/types.js";
import { importanceView, spearman } from "../../src/report/importance-effect.js";

function trial(number: number, value: number, params: Record<string, unknown>, status: TrialRecord["status"] = "completed"): TrialRecord {
  return {
    id: number, sweepId: "s", number, status, params: params as TrialRecord["params"], meta: {}, value, attempt: 1, worker: null, gpus: null, pid: null,
    pidStartTime: null, logPath: null, exitCode: null, signal: null, error: null, pruneStep: null, pruneReason: null,
    createdAt: "", startedAt: null, finishedAt: null, heartbeatAt: null,
  };
}

describe("importance with the direction of each effect", () => {
  test("spearman: ranks, ties, constants", () => {
    assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
    assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
    assert.equal(spearman([1, 1, 1], [1, 2, 3]), null);
    assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 2, 3, 4])! - 0.9487) < 1e-3);
  });

  test("enough trials: PED-ANOVA shares, each with the sign meaning 'larger did better' for either goal", () => {
    const trials = Array.from({ length: 20 }, (_, i) => trial(i, i / 20, { lr: 1e-5 * (i + 1), opt: i % 2 ? "adam" : "sgd" }));
    const up = importanceView(trials, ["lr", "opt"], null, "maximize");
    assert.ok(!("unavailable" in up));
    assert.equal(up.preliminary, false);
    assert.equal(up.entries.find((e) => e.name === "lr")!.effect, 1);
    assert.equal(up.entries.find((e) => e.name === "opt")!.effect, null);
    assert.equal(up.entries.find((e) => e.name === "opt")!.bestCategory, "adam");
    const down = importanceView(trials, ["lr", "opt"], null, "minimize");
    assert.ok(!("unavailable" in down));
    assert.equal(down.entries.find((e) => e.name === "lr")!.effect, -1, "lower values are better when minimizing");
    assert.equal(down.entries.find((e) => e.name === "opt")!.bestCategory, "sgd");
  });

  test("3 to 7 completed trials: a preliminary rank correlation with the reason; fewer: the reason alone", () => {
    const few = [0, 1, 2, 3, 4].map((i) => trial(i, i, { lr: i + 1, wd: [0.1, 0.3, 0.2, 0.5, 0.4][i] }));
    const hint = importanceView([...few, trial(9, 0, { lr: 9 }, "pruned")], ["lr", "wd"], null, "maximize");
    assert.ok(!("unavailable" in hint));
    assert.equal(hint.preliminary, true);
    assert.match(hint.note, /PED-ANOVA needs at least 8 completed trials, has 5/);
    assert.equal(hint.entries[0]!.name, "lr");
    assert.ok(Math.abs(hint.entries.reduce((s, e) => s + e.importance, 0) - 1) < 1e-9);
    const none = importanceView(few.slice(0, 2), ["lr"], null, "maximize");
    assert.ok("unavailable" in none);
    assert.match(none.unavailable, /needs at least 8 completed trials \(3 for a first hint\), has 2/);
  });
});
