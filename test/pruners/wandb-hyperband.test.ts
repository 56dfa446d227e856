import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PrunerConfigError, WandbHyperbandPruner, defaultS, skippedBands, wandbHyperbandBands } from "../../src/pruners/index.js";
import { judge, trial } from "./views.js";

describe("W&B hyperband bands", () => {
  test("min_iter 5, eta 3 (the seeds' setting) checks at 5, 15, 45, 135, 405, …", () => {
    assert.deepEqual(wandbHyperbandBands({ minIter: 5 }).slice(0, 6), [5, 15, 45, 135, 405, 1215]);
  });

  test("min_iter: int(min_iter * eta^k), truncated after repeated multiplication", () => {
    assert.deepEqual(wandbHyperbandBands({ minIter: 3, eta: 3 }).slice(0, 3), [3, 9, 27]);
    assert.deepEqual(wandbHyperbandBands({ minIter: 1, eta: 2 }).slice(0, 5), [1, 2, 4, 8, 16]);
    // 5 * 2.5 = 12.5 -> 12, * 2.5 = 31.25 -> 31, * 2.5 = 78.125 -> 78
    assert.deepEqual(wandbHyperbandBands({ minIter: 5, eta: 2.5 }).slice(0, 4), [5, 12, 31, 78]);
  });

  test("max_iter with s: int(max_iter / eta^k) for k = 1..s, ascending, stopping below 1", () => {
    assert.deepEqual(wandbHyperbandBands({ maxIter: 81, eta: 3, s: 3 }), [3, 9, 27]);
    assert.deepEqual(wandbHyperbandBands({ maxIter: 18, eta: 3, s: 2 }), [2, 6]);
    // 5 / 2 = 2.5 -> 2, / 2 = 1.25 -> 1
    assert.deepEqual(wandbHyperbandBands({ maxIter: 5, eta: 2, s: 2 }), [1, 2]);
    assert.deepEqual(wandbHyperbandBands({ maxIter: 9, eta: 3, s: 2 }), [1, 3]);
    // s larger than the bands that fit: 9 / 3^3 < 1 ends the list
    assert.deepEqual(wandbHyperbandBands({ maxIter: 9, eta: 3, s: 5 }), [1, 3]);
  });

  test("max_iter without s takes every band >= 1 (s = floor(log_eta(max_iter)))", () => {
    assert.equal(defaultS(27, 3), 3);
    assert.equal(defaultS(243, 3), 5); // log(243)/log(3) is 4.999… in floating point
    assert.equal(defaultS(20, 3), 2);
    assert.deepEqual(wandbHyperbandBands({ maxIter: 27 }), [1, 3, 9]);
    assert.deepEqual(wandbHyperbandBands({ maxIter: 20 }), [2, 6]);
  });

  test("options W&B cannot use are refused, quoting the value", () => {
    assert.throws(() => wandbHyperbandBands({ maxIter: 2, eta: 3, s: 1 }), (e: unknown) => {
      assert.ok(e instanceof PrunerConfigError);
      assert.equal(e.path, "early_terminate.max_iter");
      assert.match(e.message, /max_iter >= eta \(3\).*found 2/);
      return true;
    });
    // Both given: max_iter wins, as in W&B's code.
    assert.deepEqual(wandbHyperbandBands({ minIter: 5, maxIter: 20, s: 2 }), [2, 6]);
    assert.throws(() => wandbHyperbandBands({}), /found neither/);
    assert.throws(() => new WandbHyperbandPruner({ minIter: 5, eta: 1 }), /early_terminate\.eta: expected a number > 1, found 1/);
    assert.throws(() => new WandbHyperbandPruner({ minIter: 2.5 }), /early_terminate\.min_iter: expected an integer >= 1, found 2\.5/);
    assert.throws(() => new WandbHyperbandPruner({ maxIter: 27, s: 0 }), /early_terminate\.s: expected an integer >= 1, found 0/);
  });
});

describe("W&B hyperband decisions (keepSlowStarters: false, W&B's rule exactly)", () => {
  // min_iter 2, eta 3: bands 2, 6, 18. At band 2 the iteration-2 values of a, b, c are 4, 6, 8; sorted,
  // index floor(3 / 3) = 1 gives the threshold 6.
  const a = trial(0, [5, 4, 3], { status: "completed" });
  const b = trial(1, [5, 6, 6], { status: "completed" });
  const c = trial(2, [3, 8]);

  test("strict compares the value at the band: 8 > 6 stops", () => {
    const decision = new WandbHyperbandPruner({ keepSlowStarters: false, minIter: 2 }).decide(judge(c, [a, b]));
    assert.equal(decision.prune, true);
    assert.equal(decision.threshold, 6);
    assert.equal(decision.step, 2);
    assert.match(decision.reason!, /band 1 \(iteration 2\).*value at iteration 2 8 is above the threshold 6.*of 3 trials/);
  });

  test("lenient compares the best value so far: 3 <= 6 goes on", () => {
    const decision = new WandbHyperbandPruner({ keepSlowStarters: false, minIter: 2, strict: false }).decide(judge(c, [a, b]));
    assert.equal(decision.prune, false);
    assert.equal(decision.threshold, 6);
  });

  test("a value equal to the threshold goes on", () => {
    const tie = trial(2, [9, 6]);
    assert.equal(new WandbHyperbandPruner({ keepSlowStarters: false, minIter: 2 }).decide(judge(tie, [a, b])).prune, false);
  });

  test("maximize mirrors minimize: the threshold is the value of rank floor(n / eta) from the top", () => {
    const up = [trial(0, [5, 6, 7], { status: "completed" }), trial(1, [5, 4, 4], { status: "completed" })];
    const judged = trial(2, [7, 2]);
    const strict = new WandbHyperbandPruner({ keepSlowStarters: false, minIter: 2 }).decide(judge(judged, up, "maximize"));
    assert.deepEqual([strict.prune, strict.threshold], [true, 4]);
    assert.match(strict.reason!, /2 is below the threshold 4/);
    assert.equal(new WandbHyperbandPruner({ keepSlowStarters: false, minIter: 2, strict: false }).decide(judge(judged, up, "maximize")).prune, false);
  });

  test("an iteration is the n-th logged value, whatever the step numbers", () => {
    const sparse = trial(2, [3, 8], { steps: [100, 200] });
    const decision = new WandbHyperbandPruner({ keepSlowStarters: false, minIter: 2 }).decide(judge(sparse, [a, b]));
    assert.equal(decision.prune, true);
    assert.equal(decision.step, 200);
  });

  test("non-finite reports are not iterations", () => {
    const withNaN = trial(2, [3, Number.NaN, 8]);
    assert.equal(new WandbHyperbandPruner({ keepSlowStarters: false, minIter: 2 }).decide(judge(withNaN, [a, b])).prune, true);
    const onlyOne = trial(2, [8, Number.NaN]);
    assert.equal(new WandbHyperbandPruner({ keepSlowStarters: false, minIter: 2 }).decide(judge(onlyOne, [a, b])).prune, false);
  });

  test("before the first band nothing is decided, and a lone trial is its own threshold", () => {
    const pruner = new WandbHyperbandPruner({ keepSlowStarters: false, minIter: 2 });
    assert.deepEqual(pruner.decide(judge(trial(2, [100]), [a, b])), { prune: false });
    assert.equal(pruner.decide(judge(trial(0, [9, 9, 9]), [])).prune, false);
  });

  test("a trial is judged at the highest band it reached, against every trial that reached it", () => {
    // max_iter 9, eta 3, s 2: bands 1 and 3. Iteration-3 values: 3 (x), 4 (y), 6 (judged); sorted index
    // floor(3 / 3) = 1 -> threshold 4. The judged trial passed band 1 (10 is the best there, threshold 10)
    // but 6 > 4 at band 3.
    const x = trial(0, [10, 8, 3], { status: "completed" });
    const y = trial(1, [10, 7, 4]);
    const judged = trial(2, [10, 6, 6]);
    const pruner = new WandbHyperbandPruner({ keepSlowStarters: false, maxIter: 9, s: 2 });
    const decision = pruner.decide(judge(judged, [x, y]));
    assert.deepEqual([decision.prune, decision.threshold], [true, 4]);
    assert.match(decision.reason!, /band 2 \(iteration 3\)/);
    // One value short of band 3 it is still judged at band 1, where all three logged 10: a tie goes on.
    assert.equal(pruner.decide(judge(trial(2, [10, 6]), [x, y])).prune, false);
  });

  test("the threshold moves as more trials reach the band, so a trial can be stopped at a later report", () => {
    const pruner = new WandbHyperbandPruner({ keepSlowStarters: false, minIter: 2 });
    const judged = trial(3, [9, 5, 5]);
    // alone with one other trial: values 5 and 6 at iteration 2, threshold index 0 -> 5: goes on
    assert.equal(pruner.decide(judge(judged, [trial(0, [9, 6])])).prune, false);
    // three more trials better at iteration 2: sorted 1, 2, 3, 5, 6 -> index 1 -> 2: stops
    const better = [trial(0, [9, 6]), trial(1, [9, 1]), trial(2, [9, 2]), trial(4, [9, 3])];
    assert.equal(pruner.decide(judge(judged, better)).prune, true);
  });

  test("trials of every status count toward the threshold", () => {
    const pruner = new WandbHyperbandPruner({ keepSlowStarters: false, minIter: 1 });
    const judged = trial(2, [5]);
    for (const status of ["completed", "pruned", "failed", "interrupted"] as const) {
      assert.equal(pruner.decide(judge(judged, [trial(0, [1], { status })])).prune, true, status);
    }
  });
});

describe("W&B hyperband keeping slow starters (the default)", () => {
  test("trial numbers deal later first bands as Hyperband's brackets do: with eta 3, n + 1 divisible by 3^k skips k bands", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 8, 17, 26, 80].map((n) => skippedBands(n, 3)), [0, 0, 1, 0, 0, 1, 2, 2, 3, 4]);
    assert.deepEqual([0, 1, 3, 7].map((n) => skippedBands(n, 2)), [0, 1, 2, 3]);
    assert.equal(skippedBands(4, 2.5), 0, "eta 2.5 deals by 2 (rounded): trial 4 (5) is odd");
  });

  // min_iter 1, eta 3: bands 1, 3, 9. A fast starter completed; a slow one is behind everyone at band 1.
  const fast = { ...trial(0, [0.3, 0.25, 0.24, 0.24], { status: "completed" }), value: 0.24 };
  const slow = [0.9, 0.5, 0.2, 0.1];

  test("a trial whose number skips a band is not stopped there, and is judged at the next band", () => {
    const pruner = new WandbHyperbandPruner({ minIter: 1 });
    // Trial 2 skips band 1 (iteration 1): 0.9 is behind the threshold 0.3 there, and it goes on.
    assert.equal(pruner.decide(judge(trial(2, slow.slice(0, 2)), [fast])).prune, false);
    // At band 2 (iteration 3) it is judged: 0.2 beats 0.24.
    assert.equal(pruner.decide(judge(trial(2, slow.slice(0, 3)), [fast])).prune, false);
    // Trial 1 does not skip: stopped at band 1, as W&B would.
    const decision = pruner.decide(judge(trial(1, slow.slice(0, 1)), [fast]));
    assert.equal(decision.prune, true);
    assert.match(decision.reason!, /band 1 \(iteration 1\)/);
  });

  test("a trial no worse at the band than the best completed trial was goes on, even behind the threshold", () => {
    // The best completed trial started slowly (0.9 at iteration 1) and finished best; a fast one is the threshold.
    const slowWinner = { ...trial(1, [0.9, 0.5, 0.2, 0.1], { status: "completed" }), value: 0.1 };
    const others = [fast, slowWinner, trial(3, [0.35]), trial(4, [0.4])];
    const pruner = new WandbHyperbandPruner({ minIter: 1 });
    // Threshold at band 1 over 0.3, 0.9, 0.35, 0.4 and the judged 0.85: sorted index floor(5 / 3) = 1 -> 0.35.
    assert.equal(pruner.decide(judge(trial(6, [0.85]), others)).prune, false, "0.85 <= the winner's 0.9 at iteration 1");
    const behind = pruner.decide(judge(trial(6, [0.95]), others));
    assert.equal(behind.prune, true, "0.95 is behind the winner too");
    // The reason says both checks it failed.
    assert.match(behind.reason!, /0\.95 is above the threshold 0\.35 \(top 1\/3 of 5 trials at that iteration\), and above the best completed trial's 0\.9 there$/);
    assert.doesNotMatch(new WandbHyperbandPruner({ minIter: 1, keepSlowStarters: false }).decide(judge(trial(6, [0.95]), others)).reason!, /best completed/);
    assert.equal(new WandbHyperbandPruner({ minIter: 1, keepSlowStarters: false }).decide(judge(trial(6, [0.85]), others)).prune, true);
  });
});
