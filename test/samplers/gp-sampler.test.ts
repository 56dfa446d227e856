/** The GP sampler as a whole: EI's optimisation, suggestions over every kind of parameter, determinism, options. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createSampler, RandomSampler } from "../../src/samplers/index.js";
import { GpOptionsError, GpSampler, GP_META_KEY, resolveGpOptions } from "../../src/samplers/gp/index.js";
import { SpaceEncoding } from "../../src/samplers/gp/encoding.js";
import { AcquisitionOptimizer } from "../../src/samplers/gp/optimize-acquisition.js";
import { GpPosterior } from "../../src/samplers/gp/posterior.js";
import type { TrialView } from "../../src/samplers/types.js";
import { contains } from "../../src/space/distributions.js";
import { createRng, deriveSeed } from "../../src/space/rng.js";
import type { SearchSpace } from "../../src/space/types.js";
import { completed, suggest } from "./tpe-helpers.js";
import { EVERY_KIND_SPACE } from "./spaces.js";

const square: SearchSpace = {
  params: [
    { name: "a", path: ["a"], dist: { kind: "uniform", min: 0, max: 1 } },
    { name: "b", path: ["b"], dist: { kind: "uniform", min: 0, max: 1 } },
  ],
};

test("EI's optimiser finds the known maximiser: the centre of a square observed equally at its corners", () => {
  // With equal values at the four corners the posterior mean is symmetric and the variance is largest at
  // the centre, so EI over the incumbent peaks exactly there.
  const encoding = new SpaceEncoding(square);
  const x = Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]);
  const y = Float64Array.from([0, 0, 0, 0]);
  const posterior = new GpPosterior(encoding, { inverseSquaredLengthscales: Float64Array.from([3, 3]), signalVariance: 1, noiseVariance: 1e-6 }, x, y);
  const optimizer = new AcquisitionOptimizer(posterior, encoding, 0);
  const found = optimizer.maximize(createRng("ei-centre"), [0, 1, 2, 3])!;
  assert.ok(Math.abs(found.point[0]! - 0.5) < 2e-3 && Math.abs(found.point[1]! - 0.5) < 2e-3, `found ${Array.from(found.point)}`);
  // And its value is EI's maximum: no point of a fine grid beats it.
  let gridBest = -Infinity;
  for (let i = 0; i <= 40; i++) for (let j = 0; j <= 40; j++) gridBest = Math.max(gridBest, optimizer.score(Float64Array.from([i / 40, j / 40])));
  assert.ok(found.logEi >= gridBest - 1e-9);
});

test("EI's optimiser picks the unexplored choice of a categorical parameter when the rest is known", () => {
  const space: SearchSpace = {
    params: [
      { name: "x", path: ["x"], dist: { kind: "uniform", min: 0, max: 1 } },
      { name: "c", path: ["c"], dist: { kind: "categorical", values: ["p", "q", "r"] } },
    ],
  };
  const encoding = new SpaceEncoding(space);
  // Choices 0 and 1 observed along x; choice 2 never.
  const rows: number[] = [];
  const ys: number[] = [];
  for (const c of [0, 1]) for (const xv of [0, 0.25, 0.5, 0.75, 1]) rows.push(xv, c), ys.push(0);
  const posterior = new GpPosterior(encoding, { inverseSquaredLengthscales: Float64Array.from([4, 3]), signalVariance: 1, noiseVariance: 1e-6 }, Float64Array.from(rows), Float64Array.from(ys));
  const found = new AcquisitionOptimizer(posterior, encoding, 0).maximize(createRng("cat"), [0, 1])!;
  assert.equal(found.point[1], 2);
  assert.equal(encoding.decode(found.point).c, "r");
});

test("on a known 1-D function the sampler closes in on the optimum within a few model-based trials, either goal", () => {
  const space: SearchSpace = { params: [{ name: "x", path: ["x"], dist: { kind: "uniform", min: -2, max: 3 } }] };
  const f = (x: number) => (x - 0.7) ** 2 + 0.1 * Math.sin(3 * x);
  // The minimiser of f on [-2, 3], by a fine scan.
  let argmin = 0;
  for (let x = -2; x <= 3; x += 1e-4) if (f(x) < f(argmin)) argmin = x;
  for (const goal of ["minimize", "maximize"] as const) {
    const sign = goal === "minimize" ? 1 : -1;
    const sampler = new GpSampler({ nStartupTrials: 5 });
    const trials: TrialView[] = [];
    for (let i = 0; i < 16; i++) {
      const params = suggest(sampler, space, trials, i, goal, 5);
      trials.push(completed(i, params, sign * f(params.x as number)));
    }
    const best = trials.reduce((b, t) => (sign * t.value! < sign * b.value! ? t : b));
    assert.ok(Math.abs((best.params.x as number) - argmin) < 0.02, `${goal}: best x ${best.params.x}, optimum at ${argmin}`);
  }
});

// Every kind, and a categorical with one choice (nothing to model).
const mixed: SearchSpace = {
  params: [...EVERY_KIND_SPACE.params, { name: "only", path: ["only"], dist: { kind: "categorical", values: ["adam"] } }],
};

function mixedObjective(p: Record<string, unknown>): number {
  return (
    Math.abs(Math.log10(p.lr as number) + 4) +
    ((p.layers as number) - 3) ** 2 / 6 +
    (p.batch === 16 ? 0 : 0.3) +
    (p.drop as number) +
    Math.abs((p.noise as number) - 0.5) +
    Math.abs(Math.log2((p.hidden as number) / 256)) / 5
  );
}

function mixedHistory(n: number): TrialView[] {
  const random = new RandomSampler();
  return Array.from({ length: n }, (_, i) => {
    const s = random.suggest({ space: mixed, trials: [], rng: createRng(deriveSeed(9, i)), trialNumber: i });
    const params = "params" in s ? s.params : {};
    return completed(i, params, mixedObjective(params));
  });
}

test("every suggestion over a mixed space (int, q, log, normal, beta, categorical, constant) is a valid value", () => {
  const sampler = new GpSampler();
  const history = mixedHistory(12);
  for (let t = 12; t < 24; t++) {
    const params = suggest(sampler, mixed, history, t);
    assert.deepEqual(Object.keys(params), mixed.params.map((p) => p.name));
    for (const p of mixed.params) assert.ok(contains(p.dist, params[p.name]), `${p.name} = ${JSON.stringify(params[p.name])}`);
    assert.ok(Number.isInteger(params.layers));
    history.push(completed(t, params, mixedObjective(params)));
  }
});

test("the same seed and history give the same suggestion; another trial number gives another", () => {
  const history = mixedHistory(15);
  const a = suggest(new GpSampler(), mixed, history, 15);
  assert.deepEqual(suggest(new GpSampler(), mixed, history, 15), a);
  assert.notDeepEqual(suggest(new GpSampler(), mixed, history, 16), a);
});

test("startup trials are plain random search; the fit is kept in the trial's meta and warm-starts the next", () => {
  const history = mixedHistory(9);
  const ctx = () => ({ space: mixed, goal: "minimize" as const, trials: history, rng: createRng(deriveSeed(4, 9)), trialNumber: 9 });
  assert.deepEqual(new GpSampler().suggest(ctx()), new RandomSampler().suggest(ctx()));
  const modelled = new GpSampler({ n_startup_trials: 5 }).suggest(ctx());
  assert.ok("params" in modelled);
  const stored = modelled.meta?.[GP_META_KEY] as { theta: number[]; params: string };
  // 9 modelled parameters (constants and one-choice categoricals are not modelled): 9 λ's, s², noise.
  assert.equal(stored.theta.length, 11);
  assert.ok(stored.theta.every(Number.isFinite));
});

test("pruned and failed trials are left out; a running trial steers the next suggestion away from its point", () => {
  const space: SearchSpace = { params: [{ name: "x", path: ["x"], dist: { kind: "uniform", min: 0, max: 1 } }] };
  const history: TrialView[] = Array.from({ length: 10 }, (_, i) => completed(i, { x: i / 9 }, (i / 9 - 0.37) ** 2));
  const base = suggest(new GpSampler(), space, history, 10);
  const noise: TrialView[] = [
    { number: 10, status: "pruned", params: { x: 0.9 }, meta: {}, value: null, intermediate: [{ step: 1, value: -100 }] },
    { number: 11, status: "failed", params: { x: 0.95 }, meta: {}, value: null, intermediate: [] },
  ];
  assert.deepEqual(suggest(new GpSampler(), space, [...history, ...noise], 10), base);
  const running: TrialView = { number: 12, status: "running", params: base, meta: {}, value: null, intermediate: [] };
  const next = suggest(new GpSampler(), space, [...history, running], 10);
  assert.ok(Math.abs((next.x as number) - (base.x as number)) > 1e-3, `${next.x} vs the running ${base.x}`);
});

test("options: both spellings, defaults, and clear errors", () => {
  assert.equal(resolveGpOptions({ n_startup_trials: 4 }).nStartupTrials, 4);
  assert.equal(resolveGpOptions({ nCandidates: 64, type: "gp" }).nCandidates, 64);
  assert.equal(resolveGpOptions().nStartupTrials, 10);
  assert.throws(() => resolveGpOptions({ n_startup_trails: 4 }), /unknown GP option "n_startup_trails"; expected one of type, n_startup_trials/);
  assert.throws(() => resolveGpOptions({ n_startup_trials: 0 }), GpOptionsError);
  assert.throws(() => resolveGpOptions({ n_candidates: 2.5 }), /n_candidates must be an integer >= 1, got 2.5/);
  assert.throws(() => resolveGpOptions({ nStartupTrials: 3, n_startup_trials: 4 }), /given twice/);
  assert.ok(createSampler("bayes", { type: "gp" }) instanceof GpSampler);
  assert.equal(createSampler("bayes", { type: "tpe", n_startup_trials: 3 }).name, "tpe");
  assert.throws(() => createSampler("bayes", { type: "gpp" }), /sampler type must be one of "tpe", "gp"/);
  assert.equal(createSampler("random", { type: "gp" }).name, "random", "other methods ignore sampler options");
});

test("a metric is required", () => {
  assert.throws(() => new GpSampler().suggest({ space: square, trials: [], rng: createRng(1), trialNumber: 0 }), /needs the sweep's metric/);
});
