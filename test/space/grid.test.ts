import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GridError, createGrid, gridIndexOf, gridPointAt, gridSize } from "../../src/space/grid.js";
import { stableStringify } from "../../src/space/params.js";
import type { Distribution, ParamSpec, SearchSpace } from "../../src/space/types.js";

const param = (name: string, dist: Distribution): ParamSpec => ({ name, path: name.split("."), dist });
const spaceOf = (...params: ParamSpec[]): SearchSpace => ({ params });

const small = spaceOf(
  param("optimizer", { kind: "categorical", values: ["adam", "sgd"] }),
  param("layers", { kind: "int_uniform", min: 1, max: 3 }),
  param("epochs", { kind: "constant", value: 7 }),
);

function allPoints(space: SearchSpace): unknown[] {
  return Array.from({ length: gridSize(space) }, (_, i) => gridPointAt(space, i));
}

describe("order and size", () => {
  test("first parameter varies slowest, values in file order", () => {
    assert.equal(gridSize(small), 6);
    assert.deepEqual(allPoints(small), [
      { optimizer: "adam", layers: 1, epochs: 7 },
      { optimizer: "adam", layers: 2, epochs: 7 },
      { optimizer: "adam", layers: 3, epochs: 7 },
      { optimizer: "sgd", layers: 1, epochs: 7 },
      { optimizer: "sgd", layers: 2, epochs: 7 },
      { optimizer: "sgd", layers: 3, epochs: 7 },
    ]);
  });

  test("every index of a mixed grid gives a distinct point, and indexOf inverts pointAt", () => {
    const space = spaceOf(
      param("a", { kind: "categorical", values: [{ x: 1 }, [1, 2], null, "s"] }),
      param("b", { kind: "q_uniform", min: 0, max: 1, q: 0.25 }),
      param("c", { kind: "q_log_uniform_values", min: 10, max: 40, q: 10 }),
      param("d", { kind: "int_uniform", min: -1, max: 1 }),
    );
    const grid = createGrid(space);
    assert.equal(grid.size, 4 * 5 * 4 * 3);
    const keys = new Set<string>();
    for (let i = 0; i < grid.size; i++) {
      const point = grid.pointAt(i);
      keys.add(stableStringify(point));
      assert.equal(grid.indexOf(point), i);
      assert.ok(grid.matches(i, point));
    }
    assert.equal(keys.size, grid.size);
  });

  test("an empty space is a grid of one empty point", () => {
    assert.equal(gridSize(spaceOf()), 1);
    assert.deepEqual(gridPointAt(spaceOf(), 0), {});
  });

  test("a grid of a million points is addressed without building it", () => {
    const digits = Array.from({ length: 6 }, (_, i) => param(`d${i}`, { kind: "int_uniform", min: 0, max: 9 }));
    const space = spaceOf(...digits);
    assert.equal(gridSize(space), 1_000_000);
    assert.deepEqual(gridPointAt(space, 123_456), { d0: 1, d1: 2, d2: 3, d3: 4, d4: 5, d5: 6 });
    assert.deepEqual(gridPointAt(space, 999_999), { d0: 9, d1: 9, d2: 9, d3: 9, d4: 9, d5: 9 });
    assert.equal(gridIndexOf(space, { d0: 9, d1: 8, d2: 7, d3: 6, d4: 5, d5: 4 }), 987_654);
  });

  test("pointAt refuses an index outside the grid, quoting it", () => {
    assert.throws(() => gridPointAt(small, 6), /integer in \[0, 6\), got 6/);
    assert.throws(() => gridPointAt(small, 1.5), /got 1.5/);
  });
});

describe("axes of q kinds", () => {
  test("q_uniform lists every reachable multiple, both ends included, without float noise", () => {
    const space = spaceOf(param("p", { kind: "q_uniform", min: 0, max: 1, q: 0.1 }));
    assert.deepEqual(
      allPoints(space).map((p) => (p as { p: number }).p),
      [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    );
  });

  test("q_uniform with bounds off the step rounds them as sampling does", () => {
    const space = spaceOf(param("p", { kind: "q_uniform", min: 0.3, max: 2.2, q: 0.5 }));
    assert.deepEqual(allPoints(space).map((p) => (p as { p: number }).p), [0.5, 1, 1.5, 2]);
  });

  test("q_log_uniform uses exponent bounds; q_log_uniform_values uses value bounds", () => {
    const exponents = spaceOf(param("p", { kind: "q_log_uniform", min: Math.log(2), max: Math.log(8), q: 2 }));
    assert.deepEqual(allPoints(exponents).map((p) => (p as { p: number }).p), [2, 4, 6, 8]);
    const values = spaceOf(param("p", { kind: "q_log_uniform_values", min: 0.001, max: 0.004, q: 0.001 }));
    assert.deepEqual(allPoints(values).map((p) => (p as { p: number }).p), [0.001, 0.002, 0.003, 0.004]);
  });
});

describe("indexOf", () => {
  test("ignores extra keys, and is null for missing params or values off the grid", () => {
    assert.equal(gridIndexOf(small, { optimizer: "sgd", layers: 2, epochs: 7, note: "by hand" }), 4);
    assert.equal(gridIndexOf(small, { optimizer: "sgd", layers: 2 }), null);
    assert.equal(gridIndexOf(small, { optimizer: "sgd", layers: 4, epochs: 7 }), null);
    assert.equal(gridIndexOf(small, { optimizer: "sgd", layers: 2, epochs: 8 }), null);
  });

  test("matches categorical objects whatever their key order, and q values with float error", () => {
    const space = spaceOf(
      param("net", { kind: "categorical", values: [{ depth: 2, width: 64 }, { depth: 4, width: 32 }] }),
      param("p", { kind: "q_uniform", min: 0, max: 1, q: 0.1 }),
    );
    assert.equal(gridIndexOf(space, { net: { width: 32, depth: 4 }, p: 0.30000000000000004 }), 11 + 3);
  });
});

describe("GridError", () => {
  const continuous: Distribution[] = [
    { kind: "uniform", min: 0, max: 1 },
    { kind: "log_uniform_values", min: 1e-4, max: 1e-1 },
    { kind: "log_uniform", min: -5, max: 0 },
    { kind: "inv_log_uniform_values", min: 1, max: 10 },
    { kind: "beta", a: 1, b: 1 },
  ];
  for (const dist of continuous) {
    test(`${dist.kind} is refused, naming the param, the distribution and what would work`, () => {
      const space = spaceOf(param("optimizer", { kind: "constant", value: "adam" }), param("lr", dist));
      assert.throws(
        () => createGrid(space),
        (error: unknown) => {
          assert.ok(error instanceof GridError);
          assert.equal(error.param, "lr");
          assert.equal(error.distribution, dist.kind);
          assert.match(error.message, new RegExp(`parameter "lr" uses ${dist.kind}, a continuous range`));
          assert.match(error.message, /values: \[\.\.\.\]/);
          assert.match(error.message, /int_uniform/);
          assert.match(error.message, /q_uniform/);
          return true;
        },
      );
    });
  }

  test("unbounded kinds are refused as unbounded, even quantized", () => {
    for (const dist of [
      { kind: "normal", mu: 0, sigma: 1 },
      { kind: "q_normal", mu: 0, sigma: 1, q: 1 },
      { kind: "q_log_normal", mu: 0, sigma: 1, q: 1 },
    ] as Distribution[]) {
      const expected = dist.kind === "normal" ? /continuous range/ : /unbounded/;
      assert.throws(() => createGrid(spaceOf(param("x", dist))), expected);
    }
  });

  test("an empty value list and a grid too large to number are refused", () => {
    assert.throws(() => createGrid(spaceOf(param("x", { kind: "categorical", values: [] }))), /"x" \(categorical\) has no values/);
    const huge = Array.from({ length: 6 }, (_, i) => param(`p${i}`, { kind: "int_uniform", min: 0, max: 999 }));
    assert.throws(() => createGrid(spaceOf(...huge)), (error: unknown) => error instanceof GridError && /more than \d+ points/.test(error.message));
  });
});
