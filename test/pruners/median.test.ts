import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MedianPruner } from "../../src/pruners/index.js";
import { judge, trial } from "./views.js";

// Five finished trials whose values at step 3 are 1, 2, 3, 4, 5 (median 3).
const finished = [1, 2, 3, 4, 5].map((v, i) => trial(i, [9, 9, v, v], { status: "completed" }));

describe("median pruner", () => {
  test("stops a trial worse than the median of the others at the same step; a tie goes on", () => {
    const pruner = new MedianPruner();
    const worse = pruner.decide(judge(trial(9, [9, 9, 3.5]), finished));
    assert.deepEqual([worse.prune, worse.step, worse.threshold], [true, 3, 3]);
    assert.match(worse.reason!, /median rule at step 3: value 3\.5 is above the median 3 of 5 other trials/);
    assert.equal(pruner.decide(judge(trial(9, [9, 9, 3]), finished)).prune, false);
  });

  test("an even number of others uses the mean of the two middle values", () => {
    const four = finished.slice(0, 4); // 1, 2, 3, 4 -> 2.5
    const pruner = new MedianPruner({ minTrials: 4 });
    assert.equal(pruner.decide(judge(trial(9, [9, 9, 2.5]), four)).prune, false);
    assert.equal(pruner.decide(judge(trial(9, [9, 9, 2.6]), four)).threshold, 2.5);
    assert.equal(pruner.decide(judge(trial(9, [9, 9, 2.6]), four)).prune, true);
  });

  test("no decision before warmup_steps", () => {
    const pruner = new MedianPruner({ warmupSteps: 3 });
    assert.equal(pruner.decide(judge(trial(9, [100, 100]), finished)).prune, false);
    assert.equal(pruner.decide(judge(trial(9, [100, 100, 100]), finished)).prune, true);
  });

  test("no decision until min_trials others reported that step", () => {
    const pruner = new MedianPruner({ minTrials: 6 });
    assert.equal(pruner.decide(judge(trial(9, [9, 9, 100]), finished)).prune, false);
    const sixth = trial(5, [9, 9, 1]);
    assert.equal(pruner.decide(judge(trial(9, [9, 9, 100]), [...finished, sixth])).prune, true);
  });

  test("running and pruned trials count, failed ones and other steps do not", () => {
    const pruner = new MedianPruner({ minTrials: 3 });
    const judged = trial(9, [9, 9, 5]);
    const mixed = [
      trial(0, [9, 9, 1], { status: "running" }),
      trial(1, [9, 9, 2], { status: "pruned" }),
      trial(2, [9, 9, 100], { status: "failed" }),
      trial(3, [9, 9, 3], { steps: [1, 2, 4] }), // nothing at step 3
    ];
    assert.equal(pruner.decide(judge(judged, mixed)).prune, false); // only 2 others at step 3
    const decision = pruner.decide(judge(judged, [...mixed, trial(4, [9, 9, 4], { status: "completed" })]));
    assert.deepEqual([decision.prune, decision.threshold], [true, 2]);
  });

  test("maximize: below the median stops", () => {
    const pruner = new MedianPruner();
    const decision = pruner.decide(judge(trial(9, [9, 9, 2.5]), finished, "maximize"));
    assert.deepEqual([decision.prune, decision.threshold], [true, 3]);
    assert.match(decision.reason!, /below the median 3/);
    assert.equal(pruner.decide(judge(trial(9, [9, 9, 3.5]), finished, "maximize")).prune, false);
  });

  test("options are checked", () => {
    assert.throws(() => new MedianPruner({ warmupSteps: -1 }), /sweep\.pruner\.warmup_steps: expected an integer >= 0, found -1/);
    assert.throws(() => new MedianPruner({ minTrials: 0 }), /sweep\.pruner\.min_trials: expected an integer >= 1, found 0/);
  });
});
