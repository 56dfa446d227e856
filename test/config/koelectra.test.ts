/** The real-world sweep file the project ships: it validates and prints its search space. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { describeSpace, loadSweepFile } from "../../src/config/index.js";
import { repoRoot } from "../helpers/paths.js";

describe("sweeps/koelectra.yaml", () => {
  const sweep = loadSweepFile(join(repoRoot, "sweeps", "koelectra.yaml"));

  it("validates without warnings, as the W&B file it was written as", () => {
    assert.deepEqual(sweep.warnings, []);
    assert.equal(sweep.config.name, "monologg/koelectra-base-v3-discriminator");
    assert.equal(sweep.config.method, "random");
    assert.deepEqual(sweep.config.metric, { name: "val_pearson", goal: "maximize" });
    assert.deepEqual(sweep.config.early_terminate, { type: "hyperband", min_iter: 5, eta: 3, strict: true });
    assert.equal(sweep.config.program, "examples/trainers/sts-hf/train.py");
    assert.deepEqual(sweep.config.command, ["${env}", "${interpreter}", "${program}", "${args}"]);
  });

  it("resolves lr as a float uniform (1e-5 is a number in YAML 1.2) and the rest as choices", () => {
    assert.deepEqual(
      sweep.space.params.map((p) => [p.name, p.dist]),
      [
        ["lr", { kind: "uniform", min: 1e-5, max: 1e-4 }],
        ["optimizer", { kind: "categorical", values: ["adamw", "adam"] }],
        ["batch_size", { kind: "categorical", values: [16, 32] }],
        ["epochs", { kind: "categorical", values: [10, 20] }],
      ],
    );
  });

  it("describeSpace prints one aligned line per parameter", () => {
    assert.deepEqual(describeSpace(sweep.space), [
      "lr            uniform      1e-5 .. 1e-4",
      "optimizer     categorical  [adamw, adam]",
      "batch_size    categorical  [16, 32]",
      "epochs        categorical  [10, 20]",
    ]);
  });
});
