import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseSweepConfig } from "../../src/config/index.js";

function diagnosticsOf(text: string) {
  try {
    parseSweepConfig(text, { file: "opts.yaml" });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.diagnostics;
  }
  assert.fail("expected a ConfigError");
}

test("bad TPE and pruner options are positioned validation errors, reported together", () => {
  const diagnostics = diagnosticsOf(
    [
      "method: bayes",
      "metric: {name: val_pearson, goal: maximize}",
      "parameters:",
      "  lr: {min: 0.0, max: 1.0}",
      "sweep:",
      "  sampler:",
      "    n_startup_trails: 5",
      "  pruner:",
      "    type: median",
      "    warmup_steps: -1",
    ].join("\n"),
  );
  const sampler = diagnostics.find((d) => d.path === "sweep.sampler");
  assert.equal(sampler?.line, 7);
  assert.match(sampler?.message ?? "", /n_startup_trails/);
  const pruner = diagnostics.find((d) => d.path === "sweep.pruner.warmup_steps");
  assert.equal(pruner?.line, 10);
  assert.equal(pruner?.found, "-1");
});

test("valid algorithm options pass", () => {
  const resolved = parseSweepConfig(
    "method: bayes\nmetric: {name: loss}\nparameters:\n  x: {min: 0.0, max: 1.0}\nsweep:\n  sampler: {n_startup_trials: 5}\n  pruner: {type: asha, min_resource: 1}\n",
  );
  assert.equal(resolved.config.sweep.sampler?.n_startup_trials, 5);
});
