import assert from "node:assert/strict";
import { test } from "node:test";
import { createRng, deriveSeed, randomSeed } from "../../src/space/rng.js";

const take = (seed: string | number, n: number) => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng());
};

test("the same seed gives the same sequence; a number and its string are the same seed", () => {
  assert.deepEqual(take(42, 100), take(42, 100));
  assert.deepEqual(take(42, 100), take("42", 100));
});

test("different seeds give different sequences", () => {
  assert.notDeepEqual(take(42, 10), take(43, 10));
});

test("draws lie in [0, 1)", () => {
  for (const x of take("range", 10_000)) assert.ok(x >= 0 && x < 1, `draw ${x}`);
});

test("non-finite numeric seeds are rejected", () => {
  assert.throws(() => createRng(Number.NaN), /finite number or a string, got NaN/);
});

test("deriveSeed depends only on sweep seed and trial number, and differs when either does", () => {
  assert.equal(deriveSeed(7, 3), deriveSeed(7, 3));
  const seeds = new Set<string>();
  for (const sweep of [0, 1, 7, 2 ** 32 - 1]) {
    for (let trial = 0; trial < 50; trial++) seeds.add(deriveSeed(sweep, trial));
  }
  assert.equal(seeds.size, 4 * 50);
  // Distinct seeds must give distinct streams, not just distinct strings.
  const firstDraws = new Set([...seeds].map((s) => createRng(s)()));
  assert.equal(firstDraws.size, seeds.size);
});

test("deriveSeed rejects what is not an integer, quoting it", () => {
  assert.throws(() => deriveSeed(1.5, 0), /sweep seed must be an integer, got 1.5/);
  assert.throws(() => deriveSeed(1, -1), /non-negative integer, got -1/);
});

test("randomSeed gives 32-bit unsigned integers that vary", () => {
  const seeds = Array.from({ length: 5 }, () => randomSeed());
  for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32, `seed ${s}`);
  assert.ok(new Set(seeds).size > 1, "five 32-bit draws were all equal");
});
