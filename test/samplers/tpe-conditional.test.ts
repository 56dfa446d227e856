import assert from "node:assert/strict";
import { test } from "node:test";
import { decomposeGroups, TPESampler } from "../../src/samplers/tpe/index.js";
import type { TrialView } from "../../src/samplers/types.js";
import { contains } from "../../src/space/distributions.js";
import type { FlatParams, SearchSpace } from "../../src/space/types.js";
import { completed, median, suggest } from "./tpe-helpers.js";

test("group decomposition: parameters that occur in exactly the same trials form a group", () => {
  // columns: 0 optimizer, 1 lr, 2 momentum, 3 beta1, 4 beta2 ; rows: sgd, adam, sgd, adam trials
  const rows = [
    [1, 1, 1, 0, 0],
    [1, 1, 0, 1, 1],
    [1, 1, 1, 0, 0],
    [1, 1, 0, 1, 1],
  ];
  assert.deepEqual(decomposeGroups(Uint8Array.from(rows.flat()), 4, 5), [[0, 1], [2], [3, 4]]);
  assert.deepEqual(decomposeGroups(new Uint8Array(0), 0, 3), [[0, 1, 2]]);
});

const space: SearchSpace = {
  params: [
    { name: "optimizer", path: ["optimizer"], dist: { kind: "categorical", values: ["sgd", "adam"] } },
    { name: "lr", path: ["lr"], dist: { kind: "log_uniform_values", min: 1e-5, max: 1e-1 } },
    { name: "sgd.momentum", path: ["sgd", "momentum"], dist: { kind: "uniform", min: 0, max: 1 } },
    { name: "adam.beta1", path: ["adam", "beta1"], dist: { kind: "uniform", min: 0.5, max: 1 } },
  ],
};

/** sgd trials carry momentum, adam trials beta1: a nested space where each trial has only its branch. */
function conditionalHistory(): TrialView[] {
  return Array.from({ length: 40 }, (_, i) => {
    const u = (i * 0.6180339887) % 1;
    const lr = 10 ** (-5 + 4 * ((i * 0.7548776662) % 1));
    const params: FlatParams = i % 2 === 0 ? { optimizer: "sgd", lr, "sgd.momentum": u } : { optimizer: "adam", lr, "adam.beta1": 0.5 + u / 2 };
    // sgd with momentum near 0.9 is the best region; adam is mediocre everywhere.
    const loss = i % 2 === 0 ? Math.abs(u - 0.9) : 0.5 + Math.abs(u - 0.5) / 10;
    return completed(i, params, loss);
  });
}

test("in a conditional space every parameter is suggested and each branch learns from its own trials", () => {
  const history = conditionalHistory();
  for (const options of [{ multivariate: true, group: true }, { multivariate: false }]) {
    const sampler = new TPESampler(options);
    const momenta: number[] = [];
    let sgd = 0;
    for (let k = 0; k < 30; k++) {
      const params = suggest(sampler, space, history, 40 + k);
      for (const p of space.params) assert.ok(contains(p.dist, params[p.name]), `${p.name} = ${JSON.stringify(params[p.name])}`);
      momenta.push(params["sgd.momentum"] as number);
      if (params.optimizer === "sgd") sgd++;
    }
    assert.ok(Math.abs(median(momenta) - 0.9) < 0.1, `${JSON.stringify(options)}: median momentum ${median(momenta)}`);
    assert.ok(sgd >= 20, `${JSON.stringify(options)}: sgd chosen ${sgd} of 30 times`);
  }
});

test("a joint model without groups only fits the trials that have every parameter", () => {
  // No trial has both momentum and beta1, so the single joint group has no data: prior draws, still valid.
  const sampler = new TPESampler({ multivariate: true, group: false });
  const params = suggest(sampler, space, conditionalHistory(), 40);
  for (const p of space.params) assert.ok(contains(p.dist, params[p.name]));
});
