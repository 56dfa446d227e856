/** The internal (TPE) space: round trips, bounds, and the value checks `contains` makes. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DISTRIBUTION_KINDS,
  contains,
  fromInternal,
  internalBounds,
  isDiscrete,
  isNumeric,
  sample,
  toInternal,
} from "../../src/space/distributions.js";
import { createRng } from "../../src/space/rng.js";
import type { Distribution, DistributionKind } from "../../src/space/types.js";

/** One example of every kind. */
const EXAMPLES: Record<DistributionKind, Distribution> = {
  constant: { kind: "constant", value: "fixed" },
  categorical: { kind: "categorical", values: ["adam", { name: "sgd", momentum: 0.9 }, 3] },
  int_uniform: { kind: "int_uniform", min: 2, max: 9 },
  uniform: { kind: "uniform", min: -1, max: 1 },
  q_uniform: { kind: "q_uniform", min: 0.03, max: 0.97, q: 0.1 },
  log_uniform: { kind: "log_uniform", min: -9, max: -2 },
  log_uniform_values: { kind: "log_uniform_values", min: 1e-5, max: 1e-1 },
  q_log_uniform: { kind: "q_log_uniform", min: -1, max: 4, q: 2 },
  q_log_uniform_values: { kind: "q_log_uniform_values", min: 16, max: 1000, q: 8 },
  inv_log_uniform: { kind: "inv_log_uniform", min: 1, max: 6 },
  inv_log_uniform_values: { kind: "inv_log_uniform_values", min: 0.5, max: 200 },
  normal: { kind: "normal", mu: 0, sigma: 3 },
  q_normal: { kind: "q_normal", mu: 10, sigma: 4, q: 0.5 },
  log_normal: { kind: "log_normal", mu: 1, sigma: 2 },
  q_log_normal: { kind: "q_log_normal", mu: 0, sigma: 1.5, q: 0.25 },
  beta: { kind: "beta", a: 0.7, b: 2 },
};

test("DISTRIBUTION_KINDS lists every kind once", () => {
  assert.deepEqual([...DISTRIBUTION_KINDS].sort(), Object.keys(EXAMPLES).sort());
});

describe("round trip value -> internal -> value", () => {
  for (const kind of DISTRIBUTION_KINDS) {
    test(kind, () => {
      const dist = EXAMPLES[kind];
      const rng = createRng(`round-trip-${kind}`);
      const bounds = internalBounds(dist);
      for (let i = 0; i < 2000; i++) {
        const value = sample(dist, rng);
        const x = toInternal(dist, value);
        if (bounds) assert.ok(x >= bounds.low && x <= bounds.high, `${kind}: internal ${x} of ${value} outside box`);
        const back = fromInternal(dist, x);
        if (isDiscrete(dist)) {
          assert.deepEqual(back, value, `${kind}: ${JSON.stringify(value)} came back as ${JSON.stringify(back)}`);
        } else {
          const v = value as number;
          assert.ok(Math.abs((back as number) - v) <= 1e-12 * Math.abs(v), `${kind}: ${v} came back as ${back}`);
        }
      }
    });
  }
});

test("any point of the internal box maps to a value the distribution contains", () => {
  const rng = createRng("box");
  for (const kind of DISTRIBUTION_KINDS) {
    const dist = EXAMPLES[kind];
    const bounds = internalBounds(dist) ?? { low: -30, high: 30 };
    const corners = [bounds.low, bounds.high, bounds.low - 5, bounds.high + 5];
    const points = [...corners, ...Array.from({ length: 500 }, () => bounds.low + rng() * (bounds.high - bounds.low))];
    for (const x of points) {
      const value = fromInternal(dist, x);
      assert.ok(contains(dist, value), `${kind}: fromInternal(${x}) = ${JSON.stringify(value)} is not contained`);
    }
  }
});

test("internal coordinates follow W&B: log kinds in ln(value), inverse-log in ln(1/value)", () => {
  assert.deepEqual(internalBounds(EXAMPLES.log_uniform), { low: -9, high: -2 });
  assert.deepEqual(internalBounds(EXAMPLES.log_uniform_values), { low: Math.log(1e-5), high: Math.log(1e-1) });
  assert.deepEqual(internalBounds(EXAMPLES.inv_log_uniform), { low: 1, high: 6 });
  assert.deepEqual(internalBounds(EXAMPLES.inv_log_uniform_values), { low: -Math.log(200), high: -Math.log(0.5) });
  assert.equal(toInternal(EXAMPLES.log_uniform_values, 1e-3), Math.log(1e-3));
  assert.equal(toInternal(EXAMPLES.inv_log_uniform_values, 4), Math.log(1 / 4));
  assert.equal(fromInternal(EXAMPLES.inv_log_uniform, 2), Math.exp(-2));
  assert.equal(toInternal(EXAMPLES.categorical, { momentum: 0.9, name: "sgd" }), 1, "key order does not matter");
  for (const kind of ["normal", "q_normal", "log_normal", "q_log_normal"] as const) {
    assert.equal(internalBounds(EXAMPLES[kind]), null, `${kind} is unbounded`);
  }
});

test("integer-valued kinds get half a unit on each side, so end values are as likely as inner ones", () => {
  const ints = EXAMPLES.int_uniform;
  assert.deepEqual(internalBounds(ints), { low: 1.5, high: 9.5 });
  assert.equal(fromInternal(ints, 1.5), 2);
  assert.equal(fromInternal(ints, 2.49), 2);
  assert.equal(fromInternal(ints, 2.51), 3);
  assert.equal(fromInternal(ints, 9.5), 9);
  assert.deepEqual(internalBounds(EXAMPLES.categorical), { low: -0.5, high: 2.5 });
  assert.equal(fromInternal(EXAMPLES.categorical, -0.5), "adam");
  assert.equal(fromInternal(EXAMPLES.categorical, 2.5), 3);
});

test("q log kinds map 0 (a draw below q/2) to an internal point that maps back to 0", () => {
  const dist: Distribution = { kind: "q_log_normal", mu: 0, sigma: 1, q: 0.25 };
  assert.equal(fromInternal(dist, toInternal(dist, 0)), 0);
  const bounded: Distribution = { kind: "q_log_uniform_values", min: 0.1, max: 10, q: 1 };
  assert.equal(fromInternal(bounded, toInternal(bounded, 0)), 0);
});

test("toInternal refuses values of the wrong kind, quoting them", () => {
  assert.throws(() => toInternal(EXAMPLES.categorical, "rmsprop"), /"rmsprop" is not one of the categorical values/);
  assert.throws(() => toInternal(EXAMPLES.uniform, "0.5"), /must be a finite number, got "0.5"/);
  assert.throws(() => toInternal(EXAMPLES.log_uniform_values, -1), /must be positive, got -1/);
  assert.throws(() => fromInternal(EXAMPLES.uniform, Number.NaN), /must be a number, got NaN/);
});

test("isNumeric and isDiscrete", () => {
  const discrete = new Set(["constant", "categorical", "int_uniform", "q_uniform", "q_log_uniform", "q_log_uniform_values", "q_normal", "q_log_normal"]);
  for (const kind of DISTRIBUTION_KINDS) {
    assert.equal(isNumeric(EXAMPLES[kind]), kind !== "constant" && kind !== "categorical", `isNumeric(${kind})`);
    assert.equal(isDiscrete(EXAMPLES[kind]), discrete.has(kind), `isDiscrete(${kind})`);
  }
});

describe("contains", () => {
  const cases: [DistributionKind, unknown, boolean][] = [
    ["constant", "fixed", true],
    ["constant", "other", false],
    ["categorical", { momentum: 0.9, name: "sgd" }, true],
    ["categorical", "3", false],
    ["int_uniform", 2, true],
    ["int_uniform", 9, true],
    ["int_uniform", 10, false],
    ["int_uniform", 4.5, false],
    ["int_uniform", "4", false],
    ["uniform", -1, true],
    ["uniform", 1.0001, false],
    ["uniform", Number.NaN, false],
    // q_uniform 0.03..0.97 step 0.1 reaches round(0.3)=0 .. round(9.7)=10 multiples: 0 and 1 included.
    ["q_uniform", 0, true],
    ["q_uniform", 1, true],
    ["q_uniform", 0.30000000000000004, true],
    ["q_uniform", 1.1, false],
    ["q_uniform", 0.35, false],
    ["log_uniform", Math.exp(-9), true],
    ["log_uniform", Math.exp(-1.9), false],
    ["log_uniform_values", 1e-5, true],
    ["log_uniform_values", 0.2, false],
    ["q_log_uniform_values", 1000, true],
    ["q_log_uniform_values", 1004, false],
    ["q_log_uniform_values", 1008, false],
    ["inv_log_uniform", Math.exp(-6), true],
    ["inv_log_uniform", Math.exp(-0.5), false],
    ["inv_log_uniform_values", 200, true],
    ["inv_log_uniform_values", 0.4, false],
    ["normal", -1e6, true],
    ["normal", Infinity, false],
    ["q_normal", -3.5, true],
    ["q_normal", -3.6, false],
    ["log_normal", 0, false],
    ["log_normal", 1e-9, true],
    ["q_log_normal", 0, true],
    ["q_log_normal", -0.25, false],
    ["beta", 0, true],
    ["beta", 1.01, false],
  ];
  for (const [kind, value, expected] of cases) {
    test(`${kind} ${expected ? "contains" : "does not contain"} ${JSON.stringify(value) ?? String(value)}`, () => {
      assert.equal(contains(EXAMPLES[kind], value), expected);
    });
  }
});
