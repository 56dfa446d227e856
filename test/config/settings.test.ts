/** Top-level blocks: defaults written in, early_terminate rules, and our own `sweep:` settings. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { normaliseGpuSelection, parseDuration } from "../../src/config/index.js";
import { parseFails, parseOk, where, withParameters } from "./helpers.js";

const base = withParameters("  x: {values: [1, 2]}\n");

describe("defaults", () => {
  it("fills metric.goal, early_terminate eta/strict and an empty sweep block", () => {
    const sweep = parseOk(`${base}early_terminate: {type: hyperband, min_iter: 3}\n`);
    assert.deepEqual(sweep.config.metric, { name: "loss", goal: "minimize" });
    assert.deepEqual(sweep.config.early_terminate, { type: "hyperband", min_iter: 3, eta: 3, strict: true });
    assert.deepEqual(sweep.config.sweep, {});
    assert.deepEqual(sweep.warnings, []);
  });

  it("keeps the W&B descriptive keys and the parameters block as written", () => {
    const sweep = parseOk(
      `name: s1\ndescription: ''\nproject: p\nentity: e\nprogram: train.py\nrun_cap: 20\n${base}` +
        "command: [python, '${program}', --epochs, 3, '${args}']\n",
    );
    const { config } = sweep;
    assert.equal(config.name, "s1");
    assert.equal(config.description, "");
    assert.equal(config.project, "p");
    assert.equal(config.entity, "e");
    assert.equal(config.program, "train.py");
    assert.equal(config.run_cap, 20);
    assert.deepEqual(config.command, ["python", "${program}", "--epochs", "3", "${args}"]);
    assert.deepEqual(config.parameters, { x: { values: [1, 2] } });
  });

  it("keeps metric.target", () => {
    const sweep = parseOk("method: random\nmetric: {name: acc, goal: maximize, target: 0.95}\nparameters:\n  x: {value: 1}\n");
    assert.deepEqual(sweep.config.metric, { name: "acc", goal: "maximize", target: 0.95 });
  });
});

describe("early_terminate", () => {
  const et = (body: string) => `${base}early_terminate: ${body}\n`;

  it("accepts max_iter with s and explicit eta/strict", () => {
    const sweep = parseOk(et("{type: hyperband, max_iter: 27, s: 2, eta: 2.5, strict: false}"));
    assert.deepEqual(sweep.config.early_terminate, { type: "hyperband", max_iter: 27, s: 2, eta: 2.5, strict: false });
  });

  it("needs min_iter or max_iter, and s with max_iter alone (as W&B's schema does)", () => {
    assert.match(parseFails(et("{type: hyperband}")).message, /early_terminate: hyperband needs "min_iter"/);
    assert.match(parseFails(et("{type: hyperband, max_iter: 9}")).message, /"max_iter" needs "s"/);
    assert.match(parseFails(et("{type: hyperband, max_iter: 2, s: 1}")).message, /max_iter 2 \/ eta 3 < 1 leaves no bracket/);
  });

  it("accepts max_iter with min_iter as W&B does: max_iter and s give the bands, min_iter is ignored with a warning", () => {
    const both = parseOk(et("{type: hyperband, min_iter: 1, max_iter: 18, s: 2}"));
    assert.deepEqual(both.config.early_terminate, { type: "hyperband", max_iter: 18, s: 2, eta: 3, strict: true });
    assert.equal(both.warnings.length, 1);
    assert.equal(both.warnings[0]!.path, "early_terminate.min_iter");
    assert.match(both.warnings[0]!.message, /"min_iter" is ignored: with "max_iter" and "s" the bands come from max_iter, as in W&B \(bands 2, 6\)/);
  });

  it("accepts max_iter and min_iter without s (W&B's schema does, its code crashes): max_iter wins, s defaults, and the warning says so", () => {
    const noS = parseOk(et("{type: hyperband, min_iter: 2, max_iter: 27}"));
    assert.deepEqual(noS.config.early_terminate, { type: "hyperband", max_iter: 27, s: 3, eta: 3, strict: true });
    assert.equal(noS.warnings.length, 1);
    assert.equal(noS.warnings[0]!.path, "early_terminate.max_iter");
    assert.match(noS.warnings[0]!.message, /W&B's schema accepts this block \(through "min_iter"\) but its hyperband code fails on the missing "s"/);
    assert.match(noS.warnings[0]!.message, /"max_iter" wins.* with s = 3 \(bands 1, 3, 9\); "min_iter" is ignored/);
  });

  it("checks types and ranges", () => {
    const error = parseFails(et("{type: median, min_iter: 1.5, eta: 1, strict: yes}"));
    assert.deepEqual(where(error.errors), [
      "6:25 early_terminate.type",
      "6:43 early_terminate.min_iter",
      "6:53 early_terminate.eta",
      "6:64 early_terminate.strict",
    ]);
    assert.match(error.message, /eta: expected a number > 1, found 1/);
    assert.match(error.message, /strict: expected true or false, found "yes"/);
  });

  it("warns that s is ignored with min_iter", () => {
    const sweep = parseOk(et("{type: hyperband, min_iter: 2, s: 3}"));
    assert.equal(sweep.config.early_terminate!.s, undefined);
    assert.match(sweep.warnings[0]!.message, /"s" is only used with "max_iter"/);
  });
});

describe("sweep block", () => {
  it("maps snake_case settings onto SweepSettings", () => {
    const sweep = parseOk(
      `${base}sweep:\n  seed: 7\n  storage: runs/s.db\n  gpus: [0, 2, 3]\n  trials_per_gpu: 2\n  gpus_per_trial: 1\n` +
        "  parallel: 4\n  trial_timeout: 30m\n  max_retries: 0\n  objective: best\n" +
        "  sampler: {n_startup_trials: 5}\n  pruner: {type: median, warmup_steps: 2}\n",
    );
    assert.deepEqual(sweep.config.sweep, {
      seed: 7,
      storage: "runs/s.db",
      gpus: "0,2,3",
      trialsPerGpu: 2,
      gpusPerTrial: 1,
      parallel: 4,
      trialTimeout: 1800,
      maxRetries: 0,
      objective: "best",
      sampler: { n_startup_trials: 5 },
      pruner: { type: "median", warmup_steps: 2 },
    });
  });

  it("treats an empty sweep: block as no settings", () => {
    assert.deepEqual(parseOk(`${base}sweep:\n  # seed: 3\n`).config.sweep, {});
  });

  it("normalises every GPU spelling", () => {
    const gpus = (value: string) => parseOk(`${base}sweep: {gpus: ${value}}\n`).config.sweep.gpus;
    assert.equal(gpus("all"), "all");
    assert.equal(gpus('" 0, 2,3 "'), "0,2,3");
    assert.equal(gpus("1"), "1");
    assert.equal(gpus("[3]"), "3");
  });

  it("rejects bad settings with what was expected", () => {
    const error = parseFails(
      `${base}sweep:\n  seed: -1\n  gpus: [0, 0]\n  parallel: 0\n  trial_timeout: -5\n  objective: worst\n  trialsPerGpu: 2\n`,
    );
    assert.deepEqual(where(error.errors), [
      "7:9 sweep.seed",
      "8:9 sweep.gpus",
      "9:13 sweep.parallel",
      "10:18 sweep.trial_timeout",
      "11:14 sweep.objective",
      "12:3 sweep.trialsPerGpu",
    ]);
    assert.equal(error.errors[5]!.suggestion, "trials_per_gpu");
    assert.match(error.message, /sweep\.gpus: expected a non-empty list of distinct GPU indices, found \[0, 0\]/);
  });
});

describe("value parsers shared with the CLI", () => {
  it("parseDuration reads seconds and unit strings", () => {
    assert.equal(parseDuration("90"), 90);
    assert.equal(parseDuration("90s"), 90);
    assert.equal(parseDuration("30m"), 1800);
    assert.equal(parseDuration("2h"), 7200);
    assert.equal(parseDuration("1h30m"), 5400);
    assert.equal(parseDuration("1h 30m"), 5400);
    assert.equal(parseDuration("1.5h"), 5400);
    assert.equal(parseDuration("500ms"), 0.5);
    assert.equal(parseDuration("1d"), 86400);
    for (const bad of ["", "h", "5 years", "1h30", "-5s", "3x"]) assert.equal(parseDuration(bad), undefined, bad);
  });

  it("normaliseGpuSelection accepts all and index lists", () => {
    assert.equal(normaliseGpuSelection("ALL"), "all");
    assert.equal(normaliseGpuSelection("0,1"), "0,1");
    assert.equal(normaliseGpuSelection("1,1"), undefined);
    assert.equal(normaliseGpuSelection("gpu0"), undefined);
    assert.equal(normaliseGpuSelection(""), undefined);
  });
});
