/**
 * How a run's end is told and recorded: the protocol's summary line (not a step; its value of the sweep
 * metric is the objective), and a trial judged by the pruner at its final report, which completes rather
 * than being killed while it exits.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { decodeMetricLine } from "../../src/runner/metric-protocol.js";
import { classifyOutcome } from "../../src/runner/outcome.js";
import { Sweep } from "../../src/study/index.js";
import { createSweep } from "../../src/study/api.js";
import { SweepController } from "../../src/runner/controller.js";
import { currentWorker } from "../../src/runner/worker.js";
import { Workspace } from "./harness.js";

describe("the summary line", () => {
  it("is decoded apart from the step's metrics and does not advance the step", () => {
    const only = decodeMetricLine('{"summary": {"val_loss": 0.2, "note": "x", "bad": NaN}}', 5);
    assert.deepEqual(only, { ok: true, report: { step: 5, metrics: {}, ignored: [], summary: { val_loss: 0.2 } } });
    const both = decodeMetricLine('{"step": 6, "val_loss": 0.3, "summary": {"val_loss": 0.2}}', 5);
    assert.deepEqual(both, { ok: true, report: { step: 6, metrics: { val_loss: 0.3 }, ignored: [], summary: { val_loss: 0.2 } } });
    const empty = decodeMetricLine('{"summary": {}}', 2);
    assert.ok(empty.ok && empty.report.summary !== undefined && empty.report.step === 2);
    const bad = decodeMetricLine('{"summary": [1]}', 0);
    assert.equal(bad.ok, false);
  });

  it("gives the completed trial its value; the sweep metric reported only there counts as reported", () => {
    const exit = { code: 0, signal: null, stderrTail: "" };
    const withSummary = classifyOutcome({ exit, stopCause: null, metricName: "val_loss", reportedMetrics: new Set(["val_loss"]), summary: { val_loss: 0.1 } });
    assert.deepEqual(withSummary.result, { state: "completed", value: 0.1 });
    const summaryOnly = classifyOutcome({ exit, stopCause: null, metricName: "val_loss", reportedMetrics: new Set(), summary: { val_loss: 0.1 } });
    assert.deepEqual(summaryOnly.result, { state: "completed", value: 0.1 });
    const otherKeys = classifyOutcome({ exit, stopCause: null, metricName: "val_loss", reportedMetrics: new Set(["val_loss"]), summary: { acc: 1 } });
    assert.deepEqual(otherKeys.result, { state: "completed" });
  });
});

describe("a trial judged at its final report", () => {
  const ws = new Workspace();
  after(() => ws.dispose());

  async function run(epochs: number, epochMs: number) {
    const storage = await ws.openStorage();
    const sweep: Sweep = await createSweep({
      storage,
      config: ws.resolved(
        `method: grid\nmetric: {name: score, goal: maximize}\nsweep: {pruner: {type: median, warmup_steps: 1, min_trials: 1}}\n` +
          `parameters:\n  x: {values: [10, 0]}\n  epochs: {value: ${epochs}}\n  epoch_ms: {value: ${epochMs}}\n`,
      ),
    });
    const controller = new SweepController(sweep, {
      slots: [{ index: 0, gpus: [], cudaVisibleDevices: "", label: "CPU 0" }],
      worker: currentWorker(),
      runDir: `${ws.dir}/runs`,
      cwd: ws.dir,
      baseEnv: ws.env(),
    });
    await controller.run();
    const trials = await storage.listTrials(sweep.id);
    await storage.close();
    return trials;
  }

  it("completes when its trainer exits right after that report, instead of being recorded pruned", async () => {
    // Trial 1 reports score 1 (< the other's 11) at its only epoch and exits: the median rule rejects it at
    // that report, but its run is already over.
    const trials = await run(1, 10);
    assert.deepEqual(trials.map((t) => t.status), ["completed", "completed"]);
    assert.equal(trials[1]!.value, 1);
  });

  it("is still stopped, and recorded pruned, when it keeps training after a rejected report", async () => {
    const trials = await run(8, 80);
    assert.deepEqual(trials.map((t) => t.status), ["completed", "pruned"]);
    assert.equal(trials[1]!.pruneStep, 1);
  });
});
