import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AshaPruner, highestRungAt } from "../../src/pruners/index.js";
import { judge, trial } from "./views.js";

describe("ASHA rungs", () => {
  test("rungs at min_resource * reduction_factor^(rate + k), none at or past max_resource", () => {
    const asha = new AshaPruner({ minResource: 1, reductionFactor: 3, maxResource: 20 });
    assert.deepEqual([0, 1, 2, 3].map((k) => asha.resource(k)), [1, 3, 9, undefined]);
    const later = new AshaPruner({ minResource: 2, reductionFactor: 2, minEarlyStoppingRate: 1 });
    assert.deepEqual([0, 1, 2].map((k) => later.resource(k)), [4, 8, 16]);
    assert.deepEqual([0, 1, 2, 3, 8, 9, 26, 27].map((step) => highestRungAt(asha, step)), [-1, 0, 0, 1, 1, 2, 2, 2]);
  });
});

describe("ASHA decisions", () => {
  const pruner = new AshaPruner({ minResource: 1, reductionFactor: 3 });

  test("the first trial at a rung goes on; with fewer than eta trials only the best so far does", () => {
    assert.equal(pruner.decide(judge(trial(0, [5]), [])).prune, false);
    const second = pruner.decide(judge(trial(1, [6]), [trial(0, [5])]));
    assert.deepEqual([second.prune, second.threshold, second.step], [true, 5, 1]);
    assert.match(second.reason!, /ASHA rung 0 \(step 1\): value 6 is above 5, the worst of the top 1 of 2 trials/);
  });

  test("keeps the top floor(n / eta) at a rung", () => {
    // step-1 values 1..5 plus the judged one: n = 6, keep 2 -> threshold 2
    const others = [1, 2, 3, 4, 5].map((v, i) => trial(i, [v], { status: "completed" }));
    assert.equal(pruner.decide(judge(trial(9, [2]), others)).prune, false);
    const decision = pruner.decide(judge(trial(9, [2.5]), others));
    assert.deepEqual([decision.prune, decision.threshold], [true, 2]);
  });

  test("only the report that first reaches a rung is judged", () => {
    const leader = trial(0, [1, 1, 1]);
    // at step 2 the trial is between rungs 1 and 3: already let through at step 1, not judged again
    assert.deepEqual(pruner.decide(judge(trial(1, [1, 50]), [leader])), { prune: false, step: 2 });
    // at step 3 it reaches rung 1 (step 3) and is judged there
    assert.equal(pruner.decide(judge(trial(1, [1, 50, 50]), [leader])).prune, true);
  });

  test("a report that jumps past a rung is judged there; others count with their first value at or past it", () => {
    // rung 3: leader's first value at or past step 3 is its step-4 value 2
    const leader = trial(0, [9, 2, 0], { steps: [1, 4, 10] });
    const decision = pruner.decide(judge(trial(1, [9, 3], { steps: [2, 5] }), [leader]));
    assert.deepEqual([decision.prune, decision.threshold], [true, 2]);
    assert.match(decision.reason!, /rung 1 \(step 3\)/);
  });

  test("min_trials waits for enough trials at the rung; failed trials do not compete", () => {
    const waiting = new AshaPruner({ minTrials: 3 });
    const judged = trial(2, [9]);
    assert.equal(waiting.decide(judge(judged, [trial(0, [1])])).prune, false);
    assert.equal(waiting.decide(judge(judged, [trial(0, [1]), trial(1, [0], { status: "failed" })])).prune, false);
    assert.equal(waiting.decide(judge(judged, [trial(0, [1]), trial(1, [0], { status: "pruned" })])).prune, true);
  });

  test("maximize", () => {
    const decision = pruner.decide(judge(trial(1, [0.4]), [trial(0, [0.7])], "maximize"));
    assert.deepEqual([decision.prune, decision.threshold], [true, 0.7]);
    assert.equal(pruner.decide(judge(trial(1, [0.9]), [trial(0, [0.7])], "maximize")).prune, false);
  });

  test("options are checked", () => {
    assert.throws(() => new AshaPruner({ reductionFactor: 1 }), /sweep\.pruner\.reduction_factor: expected a number > 1, found 1/);
    assert.throws(() => new AshaPruner({ minResource: 0 }), /min_resource: expected a number > 0, found 0/);
    assert.throws(() => new AshaPruner({ minResource: 5, maxResource: 5 }), /max_resource: expected a number > 5, found 5/);
    assert.throws(() => new AshaPruner({ minEarlyStoppingRate: 0.5 }), /min_early_stopping_rate: expected an integer >= 0, found 0\.5/);
  });
});
