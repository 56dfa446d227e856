import assert from "node:assert/strict";
import { test } from "node:test";
import { createSampler, RandomSampler } from "../../src/samplers/index.js";
import { TPESampler, TPE_DEFAULTS, TPEOptionsError, resolveTPEOptions } from "../../src/samplers/tpe/index.js";
import type { TrialView } from "../../src/samplers/types.js";
import { contains } from "../../src/space/distributions.js";
import { createRng, deriveSeed } from "../../src/space/rng.js";
import { completed, history1d, median, space1d, suggest } from "./tpe-helpers.js";
import { EVERY_KIND_SPACE } from "./spaces.js";

const mixed = EVERY_KIND_SPACE;

function mixedHistory(n: number): TrialView[] {
  const random = new RandomSampler();
  return Array.from({ length: n }, (_, i) => {
    const s = random.suggest({ space: mixed, trials: [], rng: createRng(deriveSeed(9, i)), trialNumber: i });
    const params = "params" in s ? s.params : {};
    return completed(i, params, Math.abs(Math.log10(params.lr as number) + 4) + (params.layers as number) / 6);
  });
}

test("the same seed and history give the same suggestion; another trial number gives another", () => {
  const history = mixedHistory(30);
  const a = suggest(new TPESampler(), mixed, history, 30);
  assert.deepEqual(suggest(new TPESampler(), mixed, history, 30), a);
  assert.notDeepEqual(suggest(new TPESampler(), mixed, history, 31), a);
  assert.notDeepEqual(suggest(new TPESampler(), mixed, history, 30, "minimize", 2), a);
});

test("every suggestion of every distribution kind is a value its distribution contains", () => {
  const history = mixedHistory(25);
  for (const multivariate of [true, false]) {
    const sampler = new TPESampler({ multivariate });
    for (let t = 25; t < 60; t++) {
      const params = suggest(sampler, mixed, history, t);
      assert.deepEqual(Object.keys(params), mixed.params.map((p) => p.name));
      for (const p of mixed.params) assert.ok(contains(p.dist, params[p.name]), `${p.name} = ${JSON.stringify(params[p.name])}`);
    }
  }
});

test("startup trials are plain random search", () => {
  const history = mixedHistory(9);
  const ctx = { space: mixed, goal: "minimize" as const, trials: history, rng: createRng(deriveSeed(4, 9)), trialNumber: 9 };
  const random = new RandomSampler().suggest({ ...ctx, rng: createRng(deriveSeed(4, 9)) });
  assert.deepEqual(new TPESampler().suggest(ctx), random);
  assert.notDeepEqual(new TPESampler({ n_startup_trials: 5 }).suggest({ ...ctx, rng: createRng(deriveSeed(4, 9)) }), random);
});

test("after startup, suggestions concentrate where the objective is good, for either goal", () => {
  const history = history1d(30, (x) => (x - 0.8) ** 2);
  for (const multivariate of [true, false]) {
    const sampler = new TPESampler({ multivariate });
    const distances = Array.from({ length: 30 }, (_, k) => Math.abs((suggest(sampler, space1d(), history, 30 + k).x as number) - 0.8));
    assert.ok(median(distances) < 0.08, `multivariate=${multivariate}: median distance ${median(distances)}`);
  }
  const maximized = history.map((t) => ({ ...t, value: -t.value! }));
  const distances = Array.from({ length: 30 }, (_, k) => Math.abs((suggest(new TPESampler(), space1d(), maximized, 30 + k, "maximize").x as number) - 0.8));
  assert.ok(median(distances) < 0.08, `maximize: median distance ${median(distances)}`);
});

test("failed and interrupted trials carry no information", () => {
  const history = history1d(20, (x) => (x - 0.3) ** 2);
  const noisy: TrialView[] = [
    ...history,
    { number: 20, status: "failed", params: { x: 0.31 }, meta: {}, value: null, intermediate: [] },
    { number: 21, status: "interrupted", params: { x: 0.29 }, meta: {}, value: null, intermediate: [{ step: 1, value: 0 }] },
  ];
  assert.deepEqual(suggest(new TPESampler(), space1d(), noisy, 22), suggest(new TPESampler(), space1d(), history, 22));
});

test("the sampler needs a goal", () => {
  const sampler = new TPESampler();
  assert.throws(
    () => sampler.suggest({ space: space1d(), trials: [], rng: createRng(1), trialNumber: 0 }),
    /needs the sweep's metric/,
  );
});

test("options: both spellings, defaults, and errors that quote the bad value", () => {
  const resolved = resolveTPEOptions({ n_startup_trials: 3, nEiCandidates: 50, constant_liar: true, gamma: 0.25 });
  assert.equal(resolved.nStartupTrials, 3);
  assert.equal(resolved.nEiCandidates, 50);
  assert.equal(resolved.constantLiar, "worst");
  assert.equal(resolved.gamma(100), 25);
  assert.equal(resolved.gamma(7), 2);
  assert.equal(resolveTPEOptions({ max_good_trials: 10 }).gamma(1000), 10);
  assert.equal(resolveTPEOptions().multivariate, TPE_DEFAULTS.multivariate);
  assert.equal(resolveTPEOptions({ gamma: (n: number) => n - 1 }).gamma(5), 4);
  assert.equal(resolveTPEOptions({ constant_liar: "mean" }).constantLiar, "mean");
  assert.equal(resolveTPEOptions({ constant_liar: 0.5 }).constantLiar, 0.5);

  assert.throws(() => resolveTPEOptions({ n_startup_trials: -1 }), /n_startup_trials must be an integer >= 0, got -1/);
  assert.throws(() => resolveTPEOptions({ n_ei_candidates: 2.5 }), /n_ei_candidates must be an integer >= 1, got 2\.5/);
  assert.throws(() => resolveTPEOptions({ gamma: 1.5 }), /gamma must be a fraction in \(0, 1\].*got 1\.5/);
  assert.throws(() => resolveTPEOptions({ multivariate: "yes" }), /multivariate must be true or false, got "yes"/);
  assert.throws(() => resolveTPEOptions({ constant_liar: "max" }), /constant_liar must be true, false, "worst".*got "max"/);
  assert.throws(() => resolveTPEOptions({ prior_weight: 0 }), /prior_weight must be a finite number > 0, got 0/);
  assert.throws(() => resolveTPEOptions({ n_startup: 5 }), (e: unknown) => e instanceof TPEOptionsError && /unknown TPE option "n_startup"; expected one of n_startup_trials/.test(e.message));
  assert.throws(() => resolveTPEOptions({ n_startup_trials: 1, nStartupTrials: 2 }), /given twice/);
  assert.throws(() => resolveTPEOptions({ gamma: () => -1 }).gamma(4), /gamma function must return an integer >= 0, got -1/);
});

test("createSampler('bayes', options) is the TPE sampler with those options", () => {
  const sampler = createSampler("bayes", { n_startup_trials: 4, multivariate: false });
  assert.ok(sampler instanceof TPESampler);
  assert.equal(sampler.name, "tpe");
  assert.equal(sampler.options.nStartupTrials, 4);
  assert.equal(sampler.options.multivariate, false);
  assert.throws(() => createSampler("bayes", { n_ei_candidates: 0 }), /n_ei_candidates must be an integer >= 1, got 0/);
});

test("a sweep with method bayes runs on the TPE sampler with the sweep file's sampler options", async () => {
  const { createSweep, optimize } = await import("../../src/study/index.js");
  const sweep = await createSweep({
    config: [
      "method: bayes",
      "metric: {name: loss, goal: minimize}",
      "parameters:",
      "  x: {distribution: uniform, min: 0, max: 1}",
      "  opt: {values: [a, b]}",
      "sweep:",
      "  seed: 3",
      "  sampler: {n_startup_trials: 4, constant_liar: mean}",
    ].join("\n"),
    storage: ":memory:",
  });
  assert.ok(sweep.sampler instanceof TPESampler);
  assert.equal(sweep.sampler.options.nStartupTrials, 4);
  assert.equal(sweep.sampler.options.constantLiar, "mean");
  const summary = await optimize(sweep, (t) => ((t.params.x as number) - 0.25) ** 2 + (t.params.opt === "a" ? 0 : 0.5), { trials: 16, concurrency: 2 });
  assert.equal(summary.trials.filter((t) => t.status === "completed").length, 16);
  await sweep.storage.close();
});
