import assert from "node:assert/strict";
import { test } from "node:test";
import { decimalsOf, isMultipleOf, quantize, stepValue } from "../../src/space/quantize.js";

test("decimalsOf reads the decimals of a step's shortest form", () => {
  const cases: [number, number][] = [
    [1, 0], [20, 0], [0.1, 1], [0.05, 2], [0.25, 2], [1e-7, 7], [2.5e-7, 8], [1e21, 0], [1.5, 1],
  ];
  for (const [step, decimals] of cases) assert.equal(decimalsOf(step), decimals, `decimalsOf(${step})`);
});

test("quantize rounds to the nearest multiple without float noise", () => {
  assert.equal(quantize(0.30000000000000004, 0.1), 0.3);
  assert.equal(quantize(0.2999, 0.1), 0.3);
  assert.equal(quantize(7, 2.5), 7.5);
  assert.equal(quantize(123.456, 1e-2), 123.46);
  assert.equal(stepValue(3, 0.1), 0.3); // 3 * 0.1 is 0.30000000000000004 in binary floating point
  assert.equal(stepValue(7, 1e-7), 7e-7);
});

test("quantize never returns -0", () => {
  assert.ok(Object.is(quantize(-0.04, 0.1), 0));
  assert.ok(Object.is(quantize(-0.4, 1), 0));
});

test("isMultipleOf tolerates float error but not real remainders", () => {
  assert.ok(isMultipleOf(0.30000000000000004, 0.1));
  assert.ok(isMultipleOf(-1.5, 0.5));
  assert.ok(!isMultipleOf(0.31, 0.1));
});
