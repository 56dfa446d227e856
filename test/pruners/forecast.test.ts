import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { forecastCurve, pooledNoiseSd } from "../../src/pruners/forecast.js";
import { PrunerConfigError, WandbHyperbandPruner } from "../../src/pruners/index.js";
import { createRng } from "../../src/space/index.js";
import { judge, trial } from "./views.js";

const exponential = (floor: number, rate: number, n: number) => Array.from({ length: n }, (_, i) => floor + (1 - floor) * Math.exp(-rate * (i + 1)));

describe("learning-curve forecasts", () => {
  test("an exponential curve is forecast to its floor from its first 5 values", () => {
    const f = forecastCurve(exponential(0.2, 0.5, 5), 20, 0);
    assert.ok(Math.abs(f.point - (0.2 + 0.8 * Math.exp(-10))) < 0.01, `point ${f.point}`);
    // Without noise only the best fit is plausible and nothing is subtracted.
    assert.equal(f.optimistic, f.point);
  });

  test("a slow starter that falls steeply is forecast below a fast starter that has flattened, though behind it now", () => {
    const fast = [0.5, 0.35, 0.3, 0.28, 0.27];
    const slow = [0.9, 0.75, 0.6, 0.48, 0.38];
    assert.ok(slow[4]! > fast[4]!);
    assert.ok(forecastCurve(slow, 20, 0).point < forecastCurve(fast, 20, 0).point);
  });

  test("noise widens the optimistic forecast below the point forecast, more for more noise", () => {
    const y = [0.8, 0.62, 0.55, 0.47, 0.45];
    const quiet = forecastCurve(y, 20, 0.005);
    const loud = forecastCurve(y, 20, 0.03);
    assert.equal(quiet.point, loud.point, "the point forecast does not depend on the noise");
    assert.ok(quiet.optimistic < quiet.point && loud.optimistic < quiet.optimistic, `${loud.optimistic} < ${quiet.optimistic} < ${quiet.point}`);
  });

  test("a rising or short curve is forecast at its last value", () => {
    assert.deepEqual(forecastCurve([0.3, 0.5, 0.9], 20, 0.01), { point: 0.9, optimistic: 0.9 });
    assert.deepEqual(forecastCurve([0.6, 0.5], 20, 0.01), { point: 0.5, optimistic: 0.5 });
  });

  test("the pooled noise estimate finds the reports' sd on smooth curves, and spikes move it less than a root mean square would", () => {
    const rng = createRng("noise");
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const curves: number[][] = [];
    const spiky: number[][] = [];
    for (let c = 0; c < 60; c++) {
      const clean = exponential(0.1 + 0.3 * rng(), 0.05 + 0.3 * rng(), 20);
      const noisy = clean.map((y) => y + 0.02 * gauss());
      curves.push(noisy);
      spiky.push(noisy.map((y) => (rng() < 0.1 ? y + 0.05 + 0.2 * rng() : y)));
    }
    const sd = pooledNoiseSd(curves);
    assert.ok(Math.abs(sd - 0.02) < 0.003, `estimated ${sd}`);
    // A spike touches three second differences, so spikes in 10% of reports move the median some; the
    // root mean square of the same differences, which the median replaces, is pulled far more.
    const withSpikes = pooledNoiseSd(spiky);
    const d = spiky.flatMap((y) => y.slice(1, -1).map((v, i) => y[i]! - 2 * v + y[i + 2]!));
    const rms = Math.sqrt(d.reduce((s, x) => s + x * x, 0) / d.length / 6);
    assert.ok(withSpikes < 0.035 && rms > 1.5 * withSpikes, `median-based ${withSpikes}, rms-based ${rms}`);
    assert.equal(pooledNoiseSd([[1, 2, 3, 4]]), 0, "too few differences to say");
  });
});

describe("W&B hyperband judging by forecasts (the default from iteration 3)", () => {
  // min_iter 3, eta 3: bands 3, 9. A fast starter completed at 0.30 after 6 values; trials 1..3 reached band 3.
  const winner = { ...trial(0, [0.5, 0.36, 0.31, 0.3, 0.3, 0.3], { status: "completed" }), value: 0.3 };
  const fastOnes = [trial(1, [0.5, 0.37, 0.32]), trial(3, [0.52, 0.38, 0.33]), trial(4, [0.51, 0.37, 0.33])];
  // Behind every fast one at iteration 3, but falling steeply: the value rule stops it.
  const slow = trial(6, [0.95, 0.7, 0.52]);

  test("a slow starter heading below the others goes on where comparing values at the band stops it", () => {
    assert.equal(new WandbHyperbandPruner({ minIter: 3, forecast: false }).decide(judge(slow, [winner, ...fastOnes])).prune, true);
    const decision = new WandbHyperbandPruner({ minIter: 3 }).decide(judge(slow, [winner, ...fastOnes]));
    assert.equal(decision.prune, false);
  });

  test("a flat curve behind the others is stopped, and the reason names the forecast, the threshold and the best final", () => {
    const flat = trial(7, [0.6, 0.6, 0.6]);
    const decision = new WandbHyperbandPruner({ minIter: 3 }).decide(judge(flat, [winner, ...fastOnes]));
    assert.equal(decision.prune, true);
    assert.match(
      decision.reason!,
      /^W&B hyperband band 1 \(iteration 3\): forecast of the value at iteration 6 0\.6 at best is above the threshold [0-9.]+ \(top 1\/3 of 5 trials' forecasts from 3 values\), and above the best completed trial's final 0\.3$/,
    );
  });

  test("a maximised metric is forecast on its losses: a rising accuracy heading above the rest goes on", () => {
    const negate = (t: ReturnType<typeof trial>) => ({ ...t, value: t.value === null ? null : -t.value, intermediate: t.intermediate.map((p) => ({ ...p, value: -p.value })) });
    const pruner = new WandbHyperbandPruner({ minIter: 3 });
    assert.equal(pruner.decide(judge(negate(slow), [winner, ...fastOnes].map(negate), "maximize")).prune, false);
    assert.equal(pruner.decide(judge(negate(trial(7, [0.6, 0.6, 0.6])), [winner, ...fastOnes].map(negate), "maximize")).prune, true);
  });

  test("before any trial completed, and below iteration 3, values are compared as before", () => {
    const running = [trial(0, [0.5, 0.36, 0.31]), ...fastOnes];
    const withForecast = new WandbHyperbandPruner({ minIter: 3 }).decide(judge(slow, running));
    const without = new WandbHyperbandPruner({ minIter: 3, forecast: false }).decide(judge(slow, running));
    assert.deepEqual(withForecast, without);
    assert.equal(withForecast.prune, true);
    // min_iter 1: band 1 is judged on its one value, forecasts or not.
    const early = trial(7, [0.95]);
    assert.deepEqual(new WandbHyperbandPruner({ minIter: 1 }).decide(judge(early, [winner, ...fastOnes])), new WandbHyperbandPruner({ minIter: 1, forecast: false }).decide(judge(early, [winner, ...fastOnes])));
  });

  test("a trial dealt a later band, or heading no worse than the best final, is never stopped by the forecast rule", () => {
    const flatAndDealt = trial(8, [0.6, 0.6, 0.6]); // 8 + 1 = 9: skips bands 1 and 2
    assert.equal(new WandbHyperbandPruner({ minIter: 3 }).decide(judge(flatAndDealt, [winner, ...fastOnes])).prune, false);
  });

  test("the same history gives the same decision from a fresh pruner and from one that remembered forecasts", () => {
    const remembering = new WandbHyperbandPruner({ minIter: 3 });
    const flat = trial(7, [0.6, 0.6, 0.6]);
    const first = remembering.decide(judge(flat, [winner, ...fastOnes]));
    // Trial 1 re-run with other values under the same number: the remembered forecast must not be used.
    const rerun = [winner, trial(1, [0.9, 0.9, 0.9]), fastOnes[1]!, fastOnes[2]!];
    assert.deepEqual(remembering.decide(judge(flat, rerun)), new WandbHyperbandPruner({ minIter: 3 }).decide(judge(flat, rerun)));
    assert.deepEqual(remembering.decide(judge(flat, [winner, ...fastOnes])), first);
  });

  test("forecast: true beside keep_slow_starters: false is refused (W&B's exact rule has no forecasts)", () => {
    assert.throws(
      () => new WandbHyperbandPruner({ minIter: 3, keepSlowStarters: false, forecast: true }, "sweep.pruner"),
      (e: unknown) => e instanceof PrunerConfigError && /sweep\.pruner\.forecast: expected false or no forecast key beside keep_slow_starters: false .*found true/.test(e.message),
    );
    assert.equal(new WandbHyperbandPruner({ minIter: 3, keepSlowStarters: false }).forecast, false);
    assert.equal(new WandbHyperbandPruner({ minIter: 3 }).forecast, true);
  });
});
