/** The GP sampler's pieces against hand-worked values: kernel, posterior, marginal-likelihood fit, EI. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { expectedImprovement, logExpectedImprovement, logH } from "../../src/samplers/gp/acquisition.js";
import { fitKernelParams, logLengthscalePrior, MarginalLikelihood } from "../../src/samplers/gp/fit.js";
import { kernelMatrix, matern52, type KernelParams, type ModelSpace } from "../../src/samplers/gp/kernel.js";
import { cholesky, inverseFromCholesky, solveCholesky } from "../../src/samplers/gp/linalg.js";
import { fitYeoJohnson, warpOutputs, yeoJohnson } from "../../src/samplers/gp/output-warp.js";
import { GpPosterior } from "../../src/samplers/gp/posterior.js";
import { createRng } from "../../src/space/rng.js";
import { standardNormal } from "../../src/space/variates.js";

const close = (actual: number, expected: number, tolerance: number, what = "") =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} vs ${expected} (±${tolerance})`);

const numeric = (dims: number): ModelSpace => ({ dims, categorical: new Uint8Array(dims), choices: new Int32Array(dims) });

test("Matérn-5/2: k(r) = (1 + √5 r + 5/3 r²) exp(-√5 r), 1 at r = 0", () => {
  close(matern52(0), 1, 1e-15);
  // r = 1: (1 + √5 + 5/3) e^-√5 = 4.9027... × 0.10688... (computed by hand, then to 16 digits)
  close(matern52(1), 0.5239941088318203, 1e-14, "r=1");
  close(matern52(0.25), 0.8286491424181253, 1e-14, "r=0.5"); // argument is r²
  close(matern52(4), 0.13866021913850426, 1e-14, "r=2");
});

test("ARD: each coordinate scaled by its own lengthscale; a categorical coordinate counts as equal or not", () => {
  const space: ModelSpace = { dims: 2, categorical: Uint8Array.from([0, 1]), choices: Int32Array.from([0, 3]) };
  const params: KernelParams = { inverseSquaredLengthscales: Float64Array.from([4, 0.25]), signalVariance: 2, noiseVariance: 0.1 };
  // rows: (0, choice 0), (0.5, choice 0), (0.5, choice 2)
  const k = kernelMatrix(space, params, Float64Array.from([0, 0, 0.5, 0, 0.5, 2]), 3);
  close(k[0]!, 2.1, 1e-15, "diagonal s² + noise");
  close(k[1]!, 2 * matern52(4 * 0.25), 1e-14, "numeric distance 0.5 with λ = 4");
  close(k[1 * 3 + 2]!, 2 * matern52(0.25 * 1), 1e-14, "different choice, λ = 0.25");
  close(k[0 * 3 + 2]!, 2 * matern52(4 * 0.25 + 0.25), 1e-14, "both");
  assert.equal(k[2 * 3 + 1], k[1 * 3 + 2]);
});

test("Cholesky, solve and inverse of a small SPD matrix", () => {
  const a = Float64Array.from([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
  const l = cholesky(a, 3)!;
  close(l[0]!, 2, 1e-15);
  close(l[3]!, 1, 1e-15);
  close(l[4]!, 2, 1e-15);
  const x = solveCholesky(l, 3, Float64Array.from([1, 2, 3]));
  for (let i = 0; i < 3; i++) close(a[i * 3]! * x[0]! + a[i * 3 + 1]! * x[1]! + a[i * 3 + 2]! * x[2]!, i + 1, 1e-12);
  const inv = inverseFromCholesky(l, 3);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[i * 3 + k]! * inv[k * 3 + j]!;
      close(s, i === j ? 1 : 0, 1e-12);
    }
  }
  assert.equal(cholesky(Float64Array.from([1, 2, 2, 1]), 2), null, "not positive definite");
});

test("posterior of a 1-D GP with two observations matches the 2×2 closed form", () => {
  // x = 0 and x = 1, lengthscale 0.5 (λ = 4), s² = 1.5, noise σ² = 0.01; y = (1, -0.5).
  const s2 = 1.5;
  const noise = 0.01;
  const params: KernelParams = { inverseSquaredLengthscales: Float64Array.from([4]), signalVariance: s2, noiseVariance: noise };
  const post = new GpPosterior(numeric(1), params, Float64Array.from([0, 1]), Float64Array.from([1, -0.5]));
  // K = [[a, b], [b, a]], a = s² + σ², b = s² m(λ·1²); K⁻¹ = [[a, -b], [-b, a]] / (a² - b²)
  const a = s2 + noise;
  const b = s2 * matern52(4);
  const det = a * a - b * b;
  for (const xs of [0, 0.25, 0.5, 0.9, 1.3]) {
    const k1 = s2 * matern52(4 * xs * xs);
    const k2 = s2 * matern52(4 * (xs - 1) * (xs - 1));
    const alpha1 = (a * 1 - b * -0.5) / det;
    const alpha2 = (-b * 1 + a * -0.5) / det;
    const mean = k1 * alpha1 + k2 * alpha2;
    const variance = s2 - (a * k1 * k1 - 2 * b * k1 * k2 + a * k2 * k2) / det;
    const got = post.predict(Float64Array.from([xs]));
    close(got.mean, mean, 1e-12, `mean at ${xs}`);
    close(got.variance, variance, 1e-12, `variance at ${xs}`);
  }
  // At an observed point the variance is the noise's share: s² - k K⁻¹ k, small but not zero.
  const at0 = post.predict(Float64Array.from([0]));
  assert.ok(at0.variance < 0.011 && at0.variance > 0, String(at0.variance));
  // Midway between y = 1 and y = -1 the mean is 0 by symmetry.
  const sym = new GpPosterior(numeric(1), params, Float64Array.from([0, 1]), Float64Array.from([1, -1]));
  close(sym.predict(Float64Array.from([0.5])).mean, 0, 1e-12, "symmetric mean");
});

test("posterior gradients agree with finite differences", () => {
  const rng = createRng("grad");
  const space: ModelSpace = { dims: 3, categorical: Uint8Array.from([0, 0, 1]), choices: Int32Array.from([0, 0, 3]) };
  const n = 12;
  const x = new Float64Array(n * 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i * 3] = rng();
    x[i * 3 + 1] = rng();
    x[i * 3 + 2] = Math.floor(rng() * 3);
    y[i] = Math.sin(5 * x[i * 3]!) + x[i * 3 + 1]! + 0.3 * x[i * 3 + 2]!;
  }
  const post = new GpPosterior(space, { inverseSquaredLengthscales: Float64Array.from([2, 5, 1]), signalVariance: 1.3, noiseVariance: 1e-4 }, x, y);
  const point = Float64Array.from([0.3, 0.6, 1]);
  const gm = new Float64Array(3);
  const gv = new Float64Array(3);
  post.predictWithGradient(point, gm, gv);
  const h = 1e-6;
  for (let d = 0; d < 2; d++) {
    const up = Float64Array.from(point);
    up[d]! += h;
    const down = Float64Array.from(point);
    down[d]! -= h;
    const [pu, pd] = [post.predict(up), post.predict(down)];
    close(gm[d]!, (pu.mean - pd.mean) / (2 * h), 1e-6, `dmean/dx${d}`);
    close(gv[d]!, (pu.variance - pd.variance) / (2 * h), 1e-6, `dvar/dx${d}`);
  }
  assert.equal(gm[2], 0, "no gradient along a categorical");
});

test("the log marginal likelihood's analytic gradient agrees with finite differences", () => {
  const rng = createRng("mll");
  const space: ModelSpace = { dims: 2, categorical: Uint8Array.from([0, 1]), choices: Int32Array.from([0, 3]) };
  const n = 15;
  const x = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i * 2] = rng();
    x[i * 2 + 1] = Math.floor(rng() * 3);
    y[i] = Math.cos(4 * x[i * 2]!) + 0.5 * x[i * 2 + 1]!;
  }
  assertGradientAgrees(new MarginalLikelihood(space, x, y), Float64Array.from([0.5, -0.3, 0.1, Math.log(1e-2)]));
});

/** The analytic gradient of the log posterior at θ against central finite differences, coordinate by coordinate. */
function assertGradientAgrees(objective: MarginalLikelihood, theta: Float64Array): void {
  const grad = new Float64Array(theta.length);
  objective.evaluate(theta, grad);
  const h = 1e-6;
  for (let j = 0; j < theta.length; j++) {
    const up = Float64Array.from(theta);
    up[j]! += h;
    const down = Float64Array.from(theta);
    down[j]! -= h;
    const fd = (objective.evaluate(up, new Float64Array(theta.length)) - objective.evaluate(down, new Float64Array(theta.length))) / (2 * h);
    close(grad[j]!, fd, 1e-5 * Math.max(1, Math.abs(fd)), `θ${j}`);
  }
}

test("the lengthscale prior: Optuna's -(0.1/λ + 0.1λ) per λ, plus the numeric log λ pooled around their mean (sd 1), by hand", () => {
  // Two numeric coordinates (log λ 0 and 2, mean 1) and a categorical one (log λ 5, not pooled).
  const space: ModelSpace = { dims: 3, categorical: Uint8Array.from([0, 0, 1]), choices: Int32Array.from([0, 0, 4]) };
  const grad = new Float64Array(3);
  const value = logLengthscalePrior(space, Float64Array.from([0, 2, 5, 0, 0]), grad);
  const optuna = (u: number) => -(0.1 * Math.exp(-u) + 0.1 * Math.exp(u));
  const optunaGrad = (u: number) => 0.1 * Math.exp(-u) - 0.1 * Math.exp(u);
  // Pooling: -½ ((0 - 1)² + (2 - 1)²) = -1; its gradient +1 for the coordinate below the mean, -1 above.
  close(value, optuna(0) + optuna(2) + optuna(5) - 1, 1e-12, "log prior");
  close(grad[0]!, optunaGrad(0) + 1, 1e-12, "∂/∂θ0");
  close(grad[1]!, optunaGrad(2) - 1, 1e-12, "∂/∂θ1");
  close(grad[2]!, optunaGrad(5), 1e-12, "∂/∂θ2 (categorical: Optuna's term alone)");
  // One numeric coordinate: nothing to pool.
  const alone = logLengthscalePrior(numeric(1), Float64Array.from([2, 0, 0]), new Float64Array(1));
  close(alone, optuna(2), 1e-12, "single coordinate");
});

test("the log posterior's analytic gradient agrees with finite differences with pooled lengthscales (3 numeric + 1 categorical)", () => {
  const rng = createRng("mll-pooled");
  const space: ModelSpace = { dims: 4, categorical: Uint8Array.from([0, 0, 0, 1]), choices: Int32Array.from([0, 0, 0, 3]) };
  const n = 12;
  const x = new Float64Array(n * 4);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < 3; d++) x[i * 4 + d] = rng();
    x[i * 4 + 3] = Math.floor(rng() * 3);
    y[i] = Math.sin(3 * x[i * 4]!) + x[i * 4 + 1]! * x[i * 4 + 2]! - 0.3 * x[i * 4 + 3]!;
  }
  assertGradientAgrees(new MarginalLikelihood(space, x, y), Float64Array.from([1.2, -0.4, 2.5, 0.3, 0.2, Math.log(3e-3)]));
});

/** n draws of a GP with the given lengthscales at random points of the unit square, plus a little noise. */
function gpDraw(lengthscales: readonly number[], n: number, seed: string): { x: Float64Array; y: Float64Array } {
  const rng = createRng(seed);
  const dims = lengthscales.length;
  const x = new Float64Array(n * dims);
  for (let i = 0; i < x.length; i++) x[i] = rng();
  const params: KernelParams = {
    inverseSquaredLengthscales: Float64Array.from(lengthscales, (l) => 1 / (l * l)),
    signalVariance: 1,
    noiseVariance: 1e-4,
  };
  const l = cholesky(kernelMatrix(numeric(dims), params, x, n), n)!;
  const z = Array.from({ length: n }, () => standardNormal(rng));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let k = 0; k <= i; k++) y[i]! += l[i * n + k]! * z[k]!;
  return { x, y };
}

test("the marginal-likelihood fit recovers a known lengthscale and tells a relevant input from an irrelevant one", () => {
  // 1-D, lengthscale 0.2.
  const one = gpDraw([0.2], 60, "fit-1d");
  const fit1 = fitKernelParams(numeric(1), one.x, one.y, { randomRestarts: 2, rng: createRng(1) });
  const l1 = 1 / Math.sqrt(fit1.params.inverseSquaredLengthscales[0]!);
  assert.ok(l1 > 0.1 && l1 < 0.4, `fitted lengthscale ${l1}, drawn with 0.2`);
  // 2-D: only the first input matters (lengthscale 0.3, the second 100).
  const two = gpDraw([0.3, 100], 60, "fit-2d");
  const fit2 = fitKernelParams(numeric(2), two.x, two.y, { randomRestarts: 2, rng: createRng(2) });
  const [a, b] = Array.from(fit2.params.inverseSquaredLengthscales, (lam) => 1 / Math.sqrt(lam));
  assert.ok(a! > 0.15 && a! < 0.6, `relevant lengthscale ${a}, drawn with 0.3`);
  assert.ok(b! > 4 * a!, `irrelevant lengthscale ${b} should be far longer than ${a}`);
});

test("EI against hand values: σ (z Φ(z) + φ(z))", () => {
  // z = 0: EI = σ φ(0) = σ / √(2π)
  close(expectedImprovement(1, 4, 1), 2 * 0.3989422804014327, 1e-6, "z=0, σ=2");
  // z = 1: φ(1) + Φ(1) = 0.24197072451914337 + 0.8413447460685429
  close(expectedImprovement(2, 1, 1), 1.0833154705876863, 1e-6, "z=1");
  // z = -1: φ(1) - Φ(-1) = 0.24197072451914337 - 0.15865525393145707
  close(expectedImprovement(0, 1, 1), 0.0833154705876863, 1e-7, "z=-1");
  // zero variance: the sure improvement
  assert.equal(expectedImprovement(3, 0, 1), 2);
  assert.equal(logExpectedImprovement(3, 0, 1), -Infinity);
});

test("log-EI stays finite and smooth far below the incumbent, where EI underflows", () => {
  assert.equal(expectedImprovement(-40, 1, 0), 0, "plain EI underflows at z = -40");
  // log h(z) ~ -z²/2 - log √(2π) - 2 log|z| + log(1 - 3/z² + 15/z⁴)
  const expected = -800 - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(40) + Math.log(1 - 3 / 1600 + 15 / 1600 ** 2 - 105 / 1600 ** 3);
  close(logExpectedImprovement(-40, 1, 0), expected, 1e-6, "z=-40");
  // Continuous, to the approximation's accuracy, where the computation switches branches.
  for (const at of [-1, -12]) close(logH(at - 1e-9), logH(at + 1e-9), 1e-4, `at ${at}`);
  // Decreasing in z's distance below the incumbent.
  let previous = Infinity;
  for (let zz = 5; zz > -60; zz -= 0.5) {
    const v = logH(zz);
    assert.ok(v < previous, `log h not decreasing at ${zz}`);
    previous = v;
  }
});

test("output warp: Yeo-Johnson is the identity at λ = 1, log-like at 0, and a skewed loss gets λ < 1", () => {
  close(yeoJohnson(2.5, 1), 2.5, 1e-15);
  close(yeoJohnson(-2.5, 1), -2.5, 1e-15);
  close(yeoJohnson(3, 0), Math.log(4), 1e-15);
  // Rosenbrock-like losses: most small, a few huge.
  const losses = [0.1, 0.3, 0.5, 1, 2, 4, 10, 40, 200, 3000];
  const mean = losses.reduce((s, v) => s + v, 0) / losses.length;
  const sd = Math.sqrt(losses.reduce((s, v) => s + (v - mean) ** 2, 0) / losses.length);
  assert.ok(fitYeoJohnson(losses.map((v) => (v - mean) / sd)) < 1);
  // Order is kept (the best stays best) and the result is standardised.
  const warped = warpOutputs(losses.map((v) => -v));
  for (let i = 1; i < warped.length; i++) assert.ok(warped[i]! < warped[i - 1]!);
  close(warped.reduce((s, v) => s + v, 0), 0, 1e-9);
});
