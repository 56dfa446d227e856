/** The did-you-mean matcher: typo-tolerant, but silent when nothing is plausibly meant. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { editDistance, suggest } from "../../src/config/suggest.js";

describe("suggest", () => {
  it("counts a swap of neighbours as one edit", () => {
    assert.equal(editDistance("distirbution", "distribution"), 1);
    assert.equal(editDistance("vales", "values"), 1);
    assert.equal(editDistance("abc", "abc"), 0);
    assert.equal(editDistance("", "abc"), 3);
  });

  it("finds the closest key, ignoring case, - and _", () => {
    const keys = ["trials_per_gpu", "gpus_per_trial", "parallel", "max_retries"];
    assert.equal(suggest("trialsPerGpu", keys), "trials_per_gpu");
    assert.equal(suggest("paralel", keys), "parallel");
    assert.equal(suggest("max-retires", keys), "max_retries");
  });

  it("gives nothing for unrelated words, and short words only match near-identical ones", () => {
    assert.equal(suggest("learning_rate", ["method", "metric", "parameters"]), undefined);
    assert.equal(suggest("x", ["a", "b"]), undefined);
    assert.equal(suggest("Q", ["q", "a"]), "q");
    assert.equal(suggest("mu_", ["mu", "a"]), "mu");
  });
});
