import assert from "node:assert/strict";
import { test } from "node:test";

// Imported by package name, as users do: this goes through package.json "exports" to dist/src/index.js.
const sweep = await import("sweep-hp");

test("the package root exports the library API", () => {
  for (const name of ["createSweep", "loadSweep", "optimize", "agent", "openStorage", "parseSweepConfig", "loadSweepFile", "createSampler"]) {
    assert.equal(typeof (sweep as Record<string, unknown>)[name], "function", `${name} is exported`);
  }
  for (const name of ["Sweep", "SqliteStorage", "MemoryStorage", "ConfigError", "TrialPruned", "RandomSampler", "GridSampler"]) {
    assert.equal(typeof (sweep as Record<string, unknown>)[name], "function", `${name} is exported`);
  }
});

test("a library user can optimise a function end to end", async () => {
  const study = await sweep.createSweep({
    config: {
      method: "random",
      metric: { name: "loss", goal: "minimize" },
      parameters: { x: { min: -5.0, max: 5.0 }, y: { values: [1, 2, 3] } },
      sweep: { seed: 3 },
    },
  });
  const summary = await sweep.optimize(study, (t) => ((t.params.x as number) - 1) ** 2 + (t.params.y as number), { trials: 30 });
  assert.equal(summary.trials.length, 30);
  const best = await study.bestTrial();
  assert.ok(best && best.value! < 2.5, `best ${best?.value}`);
});
