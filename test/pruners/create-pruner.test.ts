import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseSweepConfig } from "../../src/config/index.js";
import type { SweepConfig } from "../../src/config/types.js";
import {
  AshaPruner,
  HyperbandPruner,
  MedianPruner,
  PrunerConfigError,
  WandbHyperbandPruner,
  createPruner,
  noPruner,
} from "../../src/pruners/index.js";

function config(extra: Record<string, unknown>): SweepConfig {
  const base = { method: "random", metric: { name: "loss", goal: "minimize" }, parameters: { lr: { min: 0.1, max: 1 } } };
  return parseSweepConfig(JSON.stringify({ ...base, ...extra }), { format: "json" }).config;
}

describe("createPruner", () => {
  test("no early_terminate and no sweep.pruner: no pruning", () => {
    assert.equal(createPruner(config({})), noPruner);
  });

  test("early_terminate becomes W&B hyperband with the file's settings and W&B's defaults", () => {
    const pruner = createPruner(config({ early_terminate: { type: "hyperband", min_iter: 5 } }));
    assert.ok(pruner instanceof WandbHyperbandPruner);
    assert.deepEqual(pruner.bands.slice(0, 3), [5, 15, 45]);
    assert.equal(pruner.eta, 3);
    assert.equal(pruner.strict, true);
    const lenient = createPruner(config({ early_terminate: { type: "hyperband", max_iter: 27, s: 2, eta: 3, strict: false } }));
    assert.ok(lenient instanceof WandbHyperbandPruner);
    assert.deepEqual(lenient.bands, [3, 9]);
    assert.equal(lenient.strict, false);
  });

  test("sweep.pruner picks our rules, with snake_case options", () => {
    const median = createPruner(config({ sweep: { pruner: { type: "median", warmup_steps: 5, min_trials: 3 } } }));
    assert.ok(median instanceof MedianPruner);
    assert.deepEqual([median.warmupSteps, median.minTrials], [5, 3]);
    const asha = createPruner(config({ sweep: { pruner: { type: "asha", min_resource: 2, reduction_factor: 4, max_resource: 40 } } }));
    assert.ok(asha instanceof AshaPruner);
    assert.deepEqual([asha.resource(0), asha.resource(1), asha.resource(2)], [2, 8, 32]);
    const hyperband = createPruner(config({ sweep: { pruner: { type: "hyperband", max_resource: 27 } } }));
    assert.ok(hyperband instanceof HyperbandPruner);
    assert.equal(hyperband.sMax, 3);
  });

  test("sweep.pruner {type: wandb_hyperband} spells W&B's hyperband, keep_slow_starters: false being W&B's rule exactly", () => {
    const exact = createPruner(config({ sweep: { pruner: { type: "wandb_hyperband", min_iter: 3, keep_slow_starters: false } } }));
    assert.ok(exact instanceof WandbHyperbandPruner);
    assert.equal(exact.keepSlowStarters, false);
    const fromEarlyTerminate = createPruner(config({ early_terminate: { type: "hyperband", min_iter: 3 } }));
    assert.ok(fromEarlyTerminate instanceof WandbHyperbandPruner);
    assert.deepEqual(exact.bands, fromEarlyTerminate.bands, "the same bands as early_terminate with the same keys");
    assert.equal(fromEarlyTerminate.keepSlowStarters, true);
    const lenient = createPruner(config({ sweep: { pruner: { type: "wandb_hyperband", max_iter: 27, s: 2, strict: false } } }));
    assert.ok(lenient instanceof WandbHyperbandPruner);
    assert.deepEqual([lenient.bands, lenient.strict, lenient.keepSlowStarters], [[3, 9], false, true]);
    // A W&B file keeps its early_terminate for W&B and asks for W&B's exact rule here.
    const both = createPruner(config({ early_terminate: { type: "hyperband", min_iter: 5 }, sweep: { pruner: { type: "wandb_hyperband", min_iter: 5, keep_slow_starters: false } } }));
    assert.ok(both instanceof WandbHyperbandPruner && !both.keepSlowStarters);
  });

  test("sweep.pruner wins over early_terminate; type none turns pruning off", () => {
    const both = { early_terminate: { type: "hyperband", min_iter: 5 } };
    assert.ok(createPruner(config({ ...both, sweep: { pruner: { type: "median" } } })) instanceof MedianPruner);
    assert.equal(createPruner(config({ ...both, sweep: { pruner: { type: "none" } } })), noPruner);
  });

  test("bad blocks are refused with the path, what was expected and the value found", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ type: "medain" }, /sweep\.pruner\.type: expected one of "median", "asha", "hyperband", "wandb_hyperband", "none", found "medain"/],
      [{ type: "wandb_hyperband", min_iter: 3, keep_slow_starters: "no" }, /sweep\.pruner\.keep_slow_starters: expected true or false, found "no"/],
      [{ type: "wandb_hyperband", min_iter: 3, forecast: "off" }, /sweep\.pruner\.forecast: expected true or false, found "off"/],
      [{ type: "wandb_hyperband", min_iter: 3, keep_slow_starters: false, forecast: true }, /sweep\.pruner\.forecast: expected false or no forecast key/],
      [{ type: "wandb_hyperband", min_iter: 3, keep_slow: false }, /sweep\.pruner: unknown option "keep_slow"; expected one of "min_iter", "max_iter", "eta", "s", "strict", "keep_slow_starters", "forecast"/],
      [{}, /sweep\.pruner\.type: expected one of .*found nothing/],
      [{ type: "median", warmup: 5 }, /sweep\.pruner: unknown option "warmup"; expected one of "warmup_steps", "min_trials"/],
      [{ type: "asha", reduction_factor: "3" }, /sweep\.pruner\.reduction_factor: expected a number > 1, found "3"/],
      [{ type: "hyperband" }, /sweep\.pruner\.max_resource: .*found nothing/],
      [{ type: "median", min_trials: 2.5 }, /sweep\.pruner\.min_trials: expected an integer >= 1, found 2\.5/],
    ];
    for (const [block, message] of cases) {
      // Built past the validator (which runs createPruner itself) to test createPruner's own checks.
      assert.throws(() => createPruner({ ...config({}), sweep: { pruner: block } }), (e: unknown) => {
        assert.ok(e instanceof PrunerConfigError, String(e));
        assert.match(e.message, message);
        return true;
      });
    }
  });

  test("a pruner block needs a metric", () => {
    const { metric: _none, ...noMetric } = config({});
    assert.throws(() => createPruner({ ...noMetric, sweep: { pruner: { type: "median" } } }), /sweep\.pruner: expected a "metric" to compare trials on/);
    // The sweep-file validator reports the same problem with its position.
    assert.throws(
      () => parseSweepConfig('{"method": "random", "parameters": {"lr": {"min": 0.1, "max": 1}}, "sweep": {"pruner": {"type": "median"}}}', { format: "json" }),
      /sweep\.pruner: expected a "metric" to compare trials on/,
    );
  });
});
