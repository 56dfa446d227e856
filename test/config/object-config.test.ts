/**
 * A config given as a JavaScript object cannot say `0.0`: whole-number `min`/`max` without a distribution
 * sample integers (as W&B does for Python ints), and the library says so in a process warning per parameter.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSweep } from "../../src/study/api.js";
import { ambiguousIntRanges, INT_RANGE_WARNING_CODE } from "../../src/study/config-object.js";

describe("config objects and integer ranges", () => {
  it("infers int_uniform from whole-number bounds and warns, naming the parameter and the fix", async () => {
    const warnings: Error[] = [];
    const listener = (w: Error) => warnings.push(w);
    process.on("warning", listener);
    try {
      const sweep = await createSweep({
        config: {
          method: "random",
          parameters: {
            dropout: { min: 0.0, max: 1.0 },
            lr: { min: 0.0001, max: 0.1 },
            epochs: { distribution: "int_uniform", min: 1, max: 10 },
            opt: { parameters: { momentum: { min: 0, max: 1 } } },
          },
        },
      });
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      assert.deepEqual(sweep.space.params.map((p) => p.dist.kind), ["int_uniform", "uniform", "int_uniform", "int_uniform"]);
      const ours = warnings.filter((w) => (w as Error & { code?: string }).code === INT_RANGE_WARNING_CODE);
      assert.equal(ours.length, 2);
      assert.match(ours[0]!.message, /^parameters\.dropout: min 0 and max 1 are whole numbers, and a JavaScript object cannot say 0\.0: sampling integers \(int_uniform 0\.\.1\).*distribution: "uniform"/);
      assert.match(ours[1]!.message, /^parameters\.opt\.parameters\.momentum:/);
    } finally {
      process.off("warning", listener);
    }
  });

  it("text keeps the literal: `{min: 0.0, max: 1.0}` in YAML or JSON is uniform, without a warning", async () => {
    const sweep = await createSweep({ config: '{"method": "random", "parameters": {"dropout": {"min": 0.0, "max": 1.0}}}' });
    assert.equal(sweep.space.params[0]!.dist.kind, "uniform");
    assert.deepEqual(ambiguousIntRanges({ parameters: { d: { distribution: "uniform", min: 0, max: 1 } } }), []);
  });
});
