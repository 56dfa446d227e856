import assert from "node:assert/strict";
import { test } from "node:test";
import { flattenConfig, paramsEqual, stableStringify, unflattenParams } from "../../src/space/params.js";
import type { SearchSpace } from "../../src/space/types.js";

const space: SearchSpace = {
  params: [
    { name: "lr", path: ["lr"], dist: { kind: "uniform", min: 0, max: 1 } },
    { name: "optimizer.name", path: ["optimizer", "name"], dist: { kind: "categorical", values: ["adam", "sgd"] } },
    { name: "optimizer.betas.b1", path: ["optimizer", "betas", "b1"], dist: { kind: "uniform", min: 0.8, max: 0.99 } },
  ],
};

test("unflattenParams nests by each param's path", () => {
  const nested = unflattenParams(space, { lr: 0.1, "optimizer.name": "adam", "optimizer.betas.b1": 0.9 });
  assert.deepEqual(nested, { lr: 0.1, optimizer: { name: "adam", betas: { b1: 0.9 } } });
});

test("unflattenParams keeps keys the space does not know, nested by their dots", () => {
  assert.deepEqual(unflattenParams(space, { lr: 0.1, "extra.seed": 3 }), { lr: 0.1, extra: { seed: 3 } });
});

test("unflattenParams refuses a key that collides with another's path, naming both", () => {
  assert.throws(
    () => unflattenParams(space, { optimizer: "adam", "optimizer.name": "sgd" }),
    /parameter "optimizer.name" needs "optimizer" to be an object, but another parameter set it to "adam"/,
  );
});

test("flattenConfig reads each param at its path and skips missing ones", () => {
  const flat = { lr: 0.5, "optimizer.name": "sgd", "optimizer.betas.b1": 0.95 };
  assert.deepEqual(flattenConfig(space, unflattenParams(space, flat)), flat);
  assert.deepEqual(flattenConfig(space, { lr: 0.2, optimizer: "not an object", other: 1 }), { lr: 0.2 });
});

test("paramsEqual ignores key order at every level but not values", () => {
  assert.ok(paramsEqual({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 }));
  assert.ok(!paramsEqual({ a: [1, 2] }, { a: [2, 1] }));
  assert.ok(!paramsEqual({ a: 1 }, { a: "1" }));
  assert.ok(!paramsEqual(undefined, null));
  assert.equal(stableStringify({ b: 1, a: 2 }), '{"a":2,"b":1}');
});
