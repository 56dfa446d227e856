import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HyperbandPruner, interleave } from "../../src/pruners/index.js";
import { judge, trial } from "./views.js";

describe("Li et al. hyperband brackets", () => {
  test("R = 27, eta 3: s_max 3, bracket s checks at 27 / 3^s … 27 / 3", () => {
    const hb = new HyperbandPruner({ maxResource: 27 });
    assert.equal(hb.sMax, 3);
    assert.deepEqual([0, 1, 2, 3].map((s) => hb.rungsOf(s)), [[], [9], [3, 9], [1, 3, 9]]);
  });

  test("R = 20, eta 3: s_max 2, rungs at 20/9 and 20/3 (judged at the first steps past them)", () => {
    const hb = new HyperbandPruner({ minResource: 1, maxResource: 20 });
    assert.equal(hb.sMax, 2);
    assert.deepEqual(hb.rungsOf(2), [20 / 9, 20 / 3]);
    assert.deepEqual(hb.rungsOf(0), []);
  });

  test("trials are dealt in one Hyperband iteration's proportions: ceil((s_max+1)/(s+1) * eta^s)", () => {
    const hb = new HyperbandPruner({ maxResource: 20 });
    // s = 0: 3, s = 1: ceil(4.5) = 5, s = 2: 9
    assert.equal(hb.allocation.length, 17);
    const counts = [0, 1, 2].map((s) => hb.allocation.filter((b) => b === s).length);
    assert.deepEqual(counts, [3, 5, 9]);
    // interleaved: every bracket shows up within the first few trials
    assert.deepEqual(new Set(hb.allocation.slice(0, 4)), new Set([0, 1, 2]));
  });

  test("a trial's bracket depends on its number alone", () => {
    const a = new HyperbandPruner({ maxResource: 20 });
    const b = new HyperbandPruner({ maxResource: 20 });
    for (let n = 0; n < 40; n++) {
      assert.equal(a.bracketOf(n), b.bracketOf(n));
      assert.equal(a.bracketOf(n), a.bracketOf(n + a.allocation.length));
    }
  });

  test("interleave spreads each index its weight's number of times", () => {
    assert.deepEqual(interleave([1, 1]), [0, 1]);
    assert.deepEqual(interleave([1, 2]), [1, 0, 1]);
    assert.equal(interleave([5, 3, 2]).filter((i) => i === 0).length, 5);
  });

  test("trials compete only within their bracket; bracket 0 never stops anyone", () => {
    const hb = new HyperbandPruner({ maxResource: 27 });
    const numbersIn = (s: number) => Array.from({ length: 60 }, (_, n) => n).filter((n) => hb.bracketOf(n) === s);
    const [aggressive1, aggressive2] = numbersIn(3);
    const [other] = numbersIn(2);
    const [safe1, safe2] = numbersIn(0);
    // a far better trial of another bracket does not stop a lone trial of bracket 3 at rung 1
    assert.equal(hb.decide(judge(trial(aggressive1!, [5]), [trial(other!, [0])])).prune, false);
    // a better trial of its own bracket does
    const decision = hb.decide(judge(trial(aggressive2!, [5]), [trial(aggressive1!, [1])]));
    assert.equal(decision.prune, true);
    assert.match(decision.reason!, /hyperband bracket s=3 rung 0 \(step 1\)/);
    // bracket 0 has no rungs below R
    const curve = Array.from({ length: 26 }, () => 100);
    assert.equal(hb.decide(judge(trial(safe2!, curve), [trial(safe1!, curve.map(() => 0))])).prune, false);
  });

  test("options are checked", () => {
    assert.throws(() => new HyperbandPruner({} as never), /sweep\.pruner\.max_resource: expected a number > min_resource.*found nothing/);
    assert.throws(() => new HyperbandPruner({ maxResource: 2 }), /max_resource: expected a number >= min_resource \* reduction_factor \(3\).*found 2/);
  });
});
