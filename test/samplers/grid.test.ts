import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GridSampler } from "../../src/samplers/grid.js";
import type { SamplerContext, Suggestion, TrialView } from "../../src/samplers/types.js";
import { gridPointAt, gridSize } from "../../src/space/grid.js";
import { stableStringify } from "../../src/space/params.js";
import { createRng } from "../../src/space/rng.js";
import type { FlatParams, SearchSpace } from "../../src/space/types.js";

const space: SearchSpace = {
  params: [
    { name: "optimizer", path: ["optimizer"], dist: { kind: "categorical", values: ["adam", "sgd", "rmsprop"] } },
    { name: "batch", path: ["batch"], dist: { kind: "q_uniform", min: 16, max: 64, q: 16 } },
    { name: "dropout", path: ["dropout"], dist: { kind: "constant", value: 0.1 } },
  ],
};
const N = gridSize(space); // 3 * 4 * 1

function contextFor(space: SearchSpace, trials: readonly TrialView[]): SamplerContext {
  return { space, trials, rng: createRng(trials.length), trialNumber: trials.length };
}

function trial(number: number, params: FlatParams, meta: Record<string, unknown> = {}): TrialView {
  return { number, status: "completed", params, meta, value: null, intermediate: [] };
}

function accept(trials: TrialView[], suggestion: Suggestion): FlatParams {
  assert.ok(!("exhausted" in suggestion), `grid exhausted early, after ${trials.length} trials`);
  trials.push(trial(trials.length, suggestion.params, suggestion.meta));
  return suggestion.params;
}

describe("GridSampler", () => {
  test("suggests every point once, in grid order, then reports exhaustion", () => {
    const sampler = new GridSampler();
    const trials: TrialView[] = [];
    for (let i = 0; i < N; i++) {
      const suggestion = sampler.suggest(contextFor(space, trials));
      assert.ok(!("exhausted" in suggestion));
      assert.deepEqual(suggestion.meta, { gridIndex: i });
      assert.deepEqual(accept(trials, suggestion), gridPointAt(space, i));
    }
    const last = sampler.suggest(contextFor(space, trials));
    assert.ok("exhausted" in last);
    assert.match(last.reason, new RegExp(`^grid exhausted: all ${N} points`));
  });

  test("two agents sharing one trial list, plus a trial enqueued by hand, never repeat a point", () => {
    const agents = [new GridSampler(), new GridSampler()];
    const trials: TrialView[] = [];
    const enqueued = gridPointAt(space, 5);
    let turn = 0;
    for (;;) {
      if (trials.length === 3) trials.push(trial(trials.length, { ...enqueued }, {})); // no gridIndex
      const suggestion = agents[turn++ % 2]!.suggest(contextFor(space, trials));
      if ("exhausted" in suggestion) break;
      accept(trials, suggestion);
    }
    assert.equal(trials.length, N);
    assert.equal(new Set(trials.map((t) => stableStringify(t.params))).size, N);
  });

  test("failed and running trials hold their points too", () => {
    const trials: TrialView[] = [
      { ...trial(0, gridPointAt(space, 0), { gridIndex: 0 }), status: "failed" },
      { ...trial(1, gridPointAt(space, 1), { gridIndex: 1 }), status: "running" },
    ];
    const suggestion = new GridSampler().suggest(contextFor(space, trials));
    assert.ok(!("exhausted" in suggestion));
    assert.deepEqual(suggestion.meta, { gridIndex: 2 });
  });

  test("duplicate values in a list are distinct points, kept apart by the recorded index", () => {
    const dupes: SearchSpace = { params: [{ name: "seed", path: ["seed"], dist: { kind: "categorical", values: [1, 1, 2] } }] };
    const sampler = new GridSampler();
    const trials: TrialView[] = [];
    const seen: unknown[] = [];
    for (;;) {
      const suggestion = sampler.suggest(contextFor(dupes, trials));
      if ("exhausted" in suggestion) break;
      seen.push(accept(trials, suggestion)["seed"]);
    }
    assert.deepEqual(seen, [1, 1, 2]);
  });

  test("a recorded index that no longer matches its params (edited sweep file) yields to the params", () => {
    const trials = [trial(0, gridPointAt(space, 2), { gridIndex: 0 })];
    const suggestion = new GridSampler().suggest(contextFor(space, trials));
    assert.ok(!("exhausted" in suggestion));
    assert.deepEqual(suggestion.meta, { gridIndex: 0 }, "point 0 is still free");
    trials.push(trial(1, suggestion.params, suggestion.meta));
    const next = new GridSampler().suggest(contextFor(space, trials));
    assert.ok(!("exhausted" in next));
    assert.deepEqual(next.meta, { gridIndex: 1 }, "point 2 is held by trial 0's params");
  });

  test("trials off the grid hold nothing", () => {
    const trials = [trial(0, { optimizer: "adagrad", batch: 16, dropout: 0.1 }), trial(1, {})];
    const suggestion = new GridSampler().suggest(contextFor(space, trials));
    assert.ok(!("exhausted" in suggestion));
    assert.deepEqual(suggestion.meta, { gridIndex: 0 });
  });

  test("a large grid with thousands of trials is answered from the set of used indices", () => {
    const big: SearchSpace = {
      params: Array.from({ length: 6 }, (_, i) => ({ name: `d${i}`, path: [`d${i}`], dist: { kind: "int_uniform" as const, min: 0, max: 9 } })),
    };
    const trials = Array.from({ length: 5000 }, (_, i) => trial(i, gridPointAt(big, i), { gridIndex: i }));
    const suggestion = new GridSampler().suggest(contextFor(big, trials));
    assert.ok(!("exhausted" in suggestion));
    assert.deepEqual(suggestion.meta, { gridIndex: 5000 });
    assert.deepEqual(suggestion.params, { d0: 0, d1: 0, d2: 5, d3: 0, d4: 0, d5: 0 });
  });

  test("a continuous parameter makes the sampler throw a GridError", () => {
    const bad: SearchSpace = { params: [{ name: "lr", path: ["lr"], dist: { kind: "uniform", min: 0, max: 1 } }] };
    assert.throws(() => new GridSampler().suggest(contextFor(bad, [])), { name: "GridError" });
  });
});
