import assert from "node:assert/strict";
import { test } from "node:test";
import { erfc, logNormalMass } from "../../src/samplers/tpe/normal.js";
import { buildParamModels, type ModelledParam } from "../../src/samplers/tpe/param-models.js";
import { ParzenEstimator, type ParzenSettings } from "../../src/samplers/tpe/parzen.js";
import { createRng } from "../../src/space/rng.js";
import type { Distribution } from "../../src/space/types.js";

// Standard normal values from tables (not from the code under test).
const PHI = { "-0.6": 0.2742531178, "-0.5": 0.3085375387, "-1": 0.1586552539, "1/6": 0.5661838326, "1/3": 0.6305586598, "0.5": 0.6914624613, "1": 0.8413447461, "1.4": 0.9192433408 };
const pdf = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

const scott: ParzenSettings = { priorWeight: 1, bandwidth: "scott", considerEndpoints: false, magicClip: true };
const neighbour: ParzenSettings = { ...scott, bandwidth: "neighbour" };

function models(...dists: Distribution[]): ModelledParam[] {
  return buildParamModels({ params: dists.map((dist, i) => ({ name: `p${i}`, path: [`p${i}`], dist })) }) as ModelledParam[];
}

function density(estimator: ParzenEstimator, point: number[]): number {
  const out = new Float64Array(1);
  estimator.logDensity(Float64Array.from(point), 1, out);
  return Math.exp(out[0]!);
}

test("erfc matches tabulated values to 1e-7 relative, in both tails", () => {
  const table: [number, number][] = [[0, 1], [0.5, 0.4795001222], [1, 0.1572992071], [2, 0.004677734981], [-1, 1.8427007929], [4, 1.541725790e-8]];
  for (const [x, expected] of table) assert.ok(Math.abs(erfc(x) - expected) <= 1.2e-7 * expected, `erfc(${x}) = ${erfc(x)}`);
});

test("logNormalMass gives interval probabilities, narrow ones included", () => {
  assert.ok(Math.abs(Math.exp(logNormalMass(-1, 1)) - (PHI["1"] - PHI["-1"])) < 1e-7);
  assert.ok(Math.abs(Math.exp(logNormalMass(-Infinity, Infinity)) - 1) < 1e-7);
  assert.ok(Math.abs(Math.exp(logNormalMass(1 / 3, 1)) - (PHI["1"] - PHI["1/3"])) < 1e-7);
  // Far tail: still finite and close to the density times the width.
  const narrow = logNormalMass(8, 8.001);
  assert.ok(Math.abs(narrow - (Math.log(pdf(8.0005)) + Math.log(0.001))) < 1e-6);
  assert.equal(logNormalMass(1, 1), -Infinity);
});

test("continuous density: a truncated-Gaussian observation kernel plus the prior, by hand", () => {
  // uniform [0, 1], one observation at 0.3. Scott gives 0.15 but the magic clip raises it to 1/min(100, 1+1) = 0.5.
  // The prior kernel is N(0.5, 1). Both are truncated to [0, 1] and weighted 1:1.
  const est = new ParzenEstimator(models({ kind: "uniform", min: 0, max: 1 }), Float64Array.of(0.3), 1, scott);
  const obs = pdf(0) / 0.5 / (PHI["1.4"] - PHI["-0.6"]);
  const prior = pdf(-0.2) / 1 / (PHI["0.5"] - PHI["-0.5"]);
  assert.ok(Math.abs(density(est, [0.3]) - (0.5 * obs + 0.5 * prior)) < 1e-6);
});

test("the density integrates to one over the box", () => {
  const est = new ParzenEstimator(models({ kind: "uniform", min: -2, max: 3 }), Float64Array.of(-1.9, 0.4, 0.5, 2.9), 4, neighbour);
  const steps = 20000;
  let total = 0;
  for (let i = 0; i < steps; i++) total += density(est, [-2 + ((i + 0.5) / steps) * 5]) * (5 / steps);
  assert.ok(Math.abs(total - 1) < 1e-4, `integral ${total}`);
});

test("integer parameters are scored by the mass of their bin", () => {
  // int_uniform 1..3 lives on [0.5, 3.5]. The observation 2 and the prior centre 2 coincide, so the neighbour
  // rule gives no gap and the magic clip sets sigma = 3 / 2 = 1.5; the prior's sigma is the range, 3.
  const est = new ParzenEstimator(models({ kind: "int_uniform", min: 1, max: 3 }), Float64Array.of(2), 1, neighbour);
  const obs = (PHI["1"] - PHI["1/3"]) / (PHI["1"] - PHI["-1"]);
  const prior = (PHI["0.5"] - PHI["1/6"]) / (PHI["0.5"] - PHI["-0.5"]);
  assert.ok(Math.abs(density(est, [3]) - (0.5 * obs + 0.5 * prior)) < 1e-6);
  assert.ok(Math.abs(density(est, [3.3]) - density(est, [3])) < 1e-12, "every point of a bin has the bin's mass");
  const sum = density(est, [1]) + density(est, [2]) + density(est, [3]);
  assert.ok(Math.abs(sum - 1) < 1e-6, `masses sum to ${sum}`);
});

test("categorical kernel: one-hot smoothed by the prior with alpha = priorWeight / (1 + n)", () => {
  // Two observations of choice 0 among 3: alpha = 1/3, each kernel gives (1 + 1/9)/(4/3) = 5/6 to choice 0 and
  // 1/12 to the others; the prior gives 1/3 each; weights 1/3 per kernel.
  const est = new ParzenEstimator(models({ kind: "categorical", values: ["a", "b", "c"] }), Float64Array.of(0, 0), 2, scott);
  assert.ok(Math.abs(density(est, [0]) - 2 / 3) < 1e-12);
  assert.ok(Math.abs(density(est, [1]) - 1 / 6) < 1e-12);
  assert.ok(Math.abs(density(est, [2]) - 1 / 6) < 1e-12);
});

test("categorical priors follow the file's probabilities", () => {
  const est = new ParzenEstimator(models({ kind: "categorical", values: [1, 2], probabilities: [0.8, 0.2] }), new Float64Array(0), 0, scott);
  assert.ok(Math.abs(density(est, [0]) - 0.8) < 1e-12);
});

test("multivariate kernels multiply across parameters before mixing", () => {
  // (uniform [0,1], categorical of 2) with one observation (0.3, choice 0): the numeric kernel as above,
  // the categorical one (1 + 1/4)/(3/2) = 5/6 on choice 0; the prior is N(0.5, 1) × (1/2, 1/2).
  const est = new ParzenEstimator(
    models({ kind: "uniform", min: 0, max: 1 }, { kind: "categorical", values: ["x", "y"] }),
    Float64Array.of(0.3, 0),
    1,
    scott,
  );
  const obs = (pdf(0) / 0.5 / (PHI["1.4"] - PHI["-0.6"])) * (5 / 6);
  const prior = (pdf(-0.2) / (PHI["0.5"] - PHI["-0.5"])) * 0.5;
  assert.ok(Math.abs(density(est, [0.3, 0]) - (0.5 * obs + 0.5 * prior)) < 1e-6);
});

test("draws stay in the box and follow the kernels", () => {
  const est = new ParzenEstimator(models({ kind: "uniform", min: 0, max: 1 }), Float64Array.of(0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9), 9, neighbour);
  const draws = est.sample(createRng("draws"), 2000);
  let near = 0;
  for (const x of draws) {
    assert.ok(x >= 0 && x <= 1);
    if (x > 0.7) near++;
  }
  assert.ok(near > 1000, `${near} of 2000 draws above 0.7`);
});
