import assert from "node:assert/strict";
import { test } from "node:test";
import { createSampler, GridSampler, RandomSampler } from "../../src/samplers/index.js";
import { TPESampler } from "../../src/samplers/tpe/index.js";
import type { SamplerContext } from "../../src/samplers/types.js";
import { contains } from "../../src/space/distributions.js";
import { createRng, deriveSeed } from "../../src/space/rng.js";
import type { FlatParams, SearchSpace } from "../../src/space/types.js";

const space: SearchSpace = {
  params: [
    { name: "lr", path: ["lr"], dist: { kind: "log_uniform_values", min: 1e-5, max: 1e-1 } },
    { name: "optimizer.name", path: ["optimizer", "name"], dist: { kind: "categorical", values: ["adam", "sgd"] } },
    { name: "batch", path: ["batch"], dist: { kind: "q_log_uniform_values", min: 16, max: 256, q: 16 } },
    { name: "dropout", path: ["dropout"], dist: { kind: "beta", a: 2, b: 5 } },
    { name: "layers", path: ["layers"], dist: { kind: "int_uniform", min: 1, max: 6 } },
    { name: "epochs", path: ["epochs"], dist: { kind: "constant", value: 10 } },
  ],
};

function suggestFor(sweepSeed: number, trialNumber: number): FlatParams {
  const ctx: SamplerContext = { space, trials: [], rng: createRng(deriveSeed(sweepSeed, trialNumber)), trialNumber };
  const suggestion = new RandomSampler().suggest(ctx);
  assert.ok(!("exhausted" in suggestion), "random search never runs out");
  return suggestion.params;
}

test("a trial's point depends only on the sweep seed and its number", () => {
  assert.deepEqual(suggestFor(42, 3), suggestFor(42, 3));
  assert.notDeepEqual(suggestFor(42, 3), suggestFor(42, 4));
  assert.notDeepEqual(suggestFor(42, 3), suggestFor(43, 3));
});

test("every parameter is set, in space order, to a value its distribution contains", () => {
  for (let trialNumber = 0; trialNumber < 200; trialNumber++) {
    const params = suggestFor(7, trialNumber);
    assert.deepEqual(Object.keys(params), space.params.map((p) => p.name));
    for (const p of space.params) assert.ok(contains(p.dist, params[p.name]), `${p.name} = ${JSON.stringify(params[p.name])}`);
  }
});

test("createSampler builds random, grid and TPE samplers from the method", () => {
  assert.ok(createSampler("random") instanceof RandomSampler);
  assert.ok(createSampler("grid", { n_startup_trials: 5 }) instanceof GridSampler);
  assert.equal(createSampler("random").name, "random");
  assert.ok(createSampler("bayes") instanceof TPESampler);
  assert.equal(createSampler("bayes", { n_startup_trials: 5 }).name, "tpe");
  assert.throws(() => createSampler("hyperopt" as never), /unknown search method "hyperopt"; expected "random", "grid" or "bayes"/);
});
