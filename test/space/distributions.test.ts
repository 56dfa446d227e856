/**
 * Statistical tests of `sample` for every distribution kind, against W&B's definitions (wandb/sweeps
 * params.py). See stats.ts for why the thresholds are what they are; the "sensitivity" block shows they
 * reject deliberately wrong samplers.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { contains, sample } from "../../src/space/distributions.js";
import { createRng } from "../../src/space/rng.js";
import type { Distribution, Rng } from "../../src/space/types.js";
import {
  chiSquare,
  chiSquareCritical,
  countsOf,
  ksCritical,
  ksStatistic,
  mean,
  normalCdf,
  uniformCdf,
  variance,
} from "./stats.js";

const N = 20_000;

function draw(dist: Distribution, seed = "distributions-test", n = N): unknown[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => sample(dist, rng));
}

function numbers(values: readonly unknown[]): number[] {
  return values.map((v) => {
    assert.equal(typeof v, "number", `expected a number, got ${JSON.stringify(v)}`);
    return v as number;
  });
}

function assertAllContained(dist: Distribution, values: readonly unknown[]): void {
  for (const v of values) assert.ok(contains(dist, v), `${dist.kind} produced ${JSON.stringify(v)}, outside its own range`);
}

function assertKs(samples: readonly number[], cdf: (x: number) => number, label: string): void {
  const d = ksStatistic(samples, cdf);
  const critical = ksCritical(samples.length);
  assert.ok(d < critical, `${label}: KS statistic ${d.toFixed(4)} >= critical ${critical.toFixed(4)}`);
}

function assertChiSquare(counts: readonly number[], probabilities: readonly number[], label: string): void {
  const statistic = chiSquare(counts, probabilities);
  const nonEmpty = probabilities.filter((p) => p > 0).length;
  const critical = chiSquareCritical(nonEmpty - 1);
  assert.ok(statistic < critical, `${label}: chi-square ${statistic.toFixed(2)} >= critical ${critical.toFixed(2)} (counts ${counts.join(",")})`);
}

/** Digits after the decimal point as the number prints: exposes float noise such as 0.30000000000000004. */
function printedDecimals(x: number): number {
  return String(x).split(".")[1]?.length ?? 0;
}

/** Probabilities of each multiple k·q, k = first..last, when a continuous draw with CDF `cdf` is q-rounded. */
function roundedProbabilities(first: number, last: number, q: number, cdf: (x: number) => number): number[] {
  const probabilities: number[] = [];
  for (let k = first; k <= last; k++) {
    const below = k === first ? 0 : cdf((k - 0.5) * q);
    const above = k === last ? 1 : cdf((k + 0.5) * q);
    probabilities.push(above - below);
  }
  return probabilities;
}

/** Counts of k = round(v / q), with everything below `first` / above `last` lumped into the end bins. */
function stepCounts(values: readonly number[], first: number, last: number, q: number): number[] {
  const counts = new Array<number>(last - first + 1).fill(0);
  for (const v of values) {
    const k = Math.min(last, Math.max(first, Math.round(v / q)));
    counts[k - first]!++;
  }
  return counts;
}

describe("constant and categorical", () => {
  test("constant always gives its value", () => {
    const value = { nested: [1, 2] };
    const values = draw({ kind: "constant", value }, "c", 100);
    for (const v of values) assert.equal(v, value);
  });

  test("categorical without probabilities is uniform over its values", () => {
    const dist: Distribution = { kind: "categorical", values: ["a", "b", "c", "d", "e"] };
    const values = draw(dist);
    assertAllContained(dist, values);
    assertChiSquare(countsOf(values, dist.values), [0.2, 0.2, 0.2, 0.2, 0.2], "categorical");
  });

  test("categorical honours probabilities, and a zero probability is never drawn", () => {
    const probabilities = [0.5, 0.3, 0.2, 0];
    const dist: Distribution = { kind: "categorical", values: [1, 2, 3, 4], probabilities };
    const values = draw(dist);
    const counts = countsOf(values, dist.values);
    assert.equal(counts[3], 0);
    assertChiSquare(counts, probabilities, "categorical with probabilities");
  });

  test("categorical returns the listed values themselves (objects too)", () => {
    const values = [{ layers: 2 }, { layers: 3 }];
    for (const v of draw({ kind: "categorical", values }, "objects", 50)) assert.ok(values.includes(v as never));
  });

  test("categorical rejects a probability list of the wrong length", () => {
    assert.throws(
      () => sample({ kind: "categorical", values: [1, 2], probabilities: [1] }, createRng(1)),
      /one entry per value \(2\), got 1/,
    );
  });
});

describe("int_uniform", () => {
  test("integers, both ends inclusive and equally likely", () => {
    const dist: Distribution = { kind: "int_uniform", min: -2, max: 3 };
    const values = numbers(draw(dist));
    assertAllContained(dist, values);
    for (const v of values) assert.ok(Number.isInteger(v));
    const keys = [-2, -1, 0, 1, 2, 3];
    const counts = countsOf(values, keys);
    assert.ok(counts[0]! > 0 && counts[5]! > 0, "both ends are reached");
    assertChiSquare(counts, keys.map(() => 1 / 6), "int_uniform");
  });
});

describe("uniform family", () => {
  test("uniform(min, max) is uniform on [min, max]", () => {
    const dist: Distribution = { kind: "uniform", min: -2, max: 3 };
    const values = numbers(draw(dist));
    assertAllContained(dist, values);
    assertKs(values, uniformCdf(-2, 3), "uniform");
  });

  test("log_uniform: min and max are natural-log exponents, ln(value) is uniform", () => {
    const dist: Distribution = { kind: "log_uniform", min: Math.log(1e-4), max: 0 };
    const values = numbers(draw(dist));
    assertAllContained(dist, values);
    for (const v of values) assert.ok(v >= 1e-4 * (1 - 1e-12) && v <= 1);
    assertKs(values.map(Math.log), uniformCdf(dist.min, dist.max), "log_uniform in log space");
  });

  test("log_uniform_values: bounds are values, ln(value) is uniform", () => {
    const dist: Distribution = { kind: "log_uniform_values", min: 1e-5, max: 0.1 };
    const values = numbers(draw(dist));
    assertAllContained(dist, values);
    for (const v of values) assert.ok(v >= 1e-5 && v <= 0.1);
    assertKs(values.map(Math.log), uniformCdf(Math.log(1e-5), Math.log(0.1)), "log_uniform_values in log space");
  });

  test("inv_log_uniform: 1 / exp(uniform(min, max)), so ln(1 / value) is uniform on [min, max]", () => {
    const dist: Distribution = { kind: "inv_log_uniform", min: 0, max: 5 };
    const values = numbers(draw(dist));
    assertAllContained(dist, values);
    for (const v of values) assert.ok(v >= Math.exp(-5) && v <= 1);
    assertKs(values.map((v) => Math.log(1 / v)), uniformCdf(0, 5), "inv_log_uniform");
  });

  test("inv_log_uniform_values: values in [min, max], ln(1 / value) uniform on [-ln max, -ln min]", () => {
    const dist: Distribution = { kind: "inv_log_uniform_values", min: 0.01, max: 10 };
    const values = numbers(draw(dist));
    assertAllContained(dist, values);
    for (const v of values) assert.ok(v >= 0.01 && v <= 10);
    assertKs(values.map((v) => Math.log(1 / v)), uniformCdf(-Math.log(10), -Math.log(0.01)), "inv_log_uniform_values");
  });

  test("a range with min > max is rejected, quoting it", () => {
    assert.throws(() => sample({ kind: "uniform", min: 2, max: 1 }, createRng(1)), /min <= max.*"min":2/);
    assert.throws(() => sample({ kind: "log_uniform_values", min: 0, max: 1 }, createRng(1)), /0 < min/);
  });
});

describe("quantized kinds", () => {
  test("q_uniform: round(uniform / q) * q — end multiples get half the mass, no float noise", () => {
    const dist: Distribution = { kind: "q_uniform", min: 0, max: 1, q: 0.1 };
    const values = numbers(draw(dist));
    assertAllContained(dist, values);
    for (const v of values) {
      assert.ok(Math.abs(v / 0.1 - Math.round(v / 0.1)) < 1e-9, `${v} is not a multiple of 0.1`);
      assert.ok(printedDecimals(v) <= 1, `${v} shows float noise`);
    }
    const counts = stepCounts(values, 0, 10, 0.1);
    assert.ok(counts[0]! > 0 && counts[10]! > 0, "both end multiples are reached");
    assertChiSquare(counts, roundedProbabilities(0, 10, 0.1, uniformCdf(0, 1)), "q_uniform");
  });

  test("q_log_uniform_values: exp-uniform draw rounded to q", () => {
    const dist: Distribution = { kind: "q_log_uniform_values", min: 1, max: 20, q: 1 };
    const values = numbers(draw(dist));
    assertAllContained(dist, values);
    const logCdf = (x: number) => uniformCdf(0, Math.log(20))(Math.log(Math.max(x, 1e-300)));
    assertChiSquare(stepCounts(values, 1, 20, 1), roundedProbabilities(1, 20, 1, logCdf), "q_log_uniform_values");
  });

  test("q_log_uniform: the same law with exponent bounds", () => {
    const dist: Distribution = { kind: "q_log_uniform", min: 0, max: Math.log(20), q: 1 };
    const values = numbers(draw(dist, "q_log_uniform"));
    assertAllContained(dist, values);
    const logCdf = (x: number) => uniformCdf(0, Math.log(20))(Math.log(Math.max(x, 1e-300)));
    assertChiSquare(stepCounts(values, 1, 20, 1), roundedProbabilities(1, 20, 1, logCdf), "q_log_uniform");
  });

  test("fractional q keeps q's decimals and nothing more", () => {
    const cases: Distribution[] = [
      { kind: "q_log_uniform_values", min: 0.001, max: 0.1, q: 0.001 },
      { kind: "q_uniform", min: -1, max: 1, q: 0.05 },
      { kind: "q_normal", mu: 0, sigma: 1, q: 0.01 },
      { kind: "q_log_normal", mu: -3, sigma: 1, q: 1e-4 },
    ];
    for (const dist of cases) {
      const q = (dist as { q: number }).q;
      const allowed = String(q).includes("e-") ? Number(String(q).split("e-")[1]) : (String(q).split(".")[1]?.length ?? 0);
      for (const v of numbers(draw(dist, dist.kind, 2000))) {
        assert.ok(contains(dist, v), `${dist.kind} produced ${v}`);
        assert.ok(printedDecimals(v) <= allowed, `${dist.kind} produced ${v}, more decimals than q ${q}`);
        assert.ok(!Object.is(v, -0), `${dist.kind} produced -0`);
      }
    }
  });

  test("q_normal: a normal draw rounded to q", () => {
    const dist: Distribution = { kind: "q_normal", mu: 0.3, sigma: 1, q: 0.5 };
    const values = numbers(draw(dist));
    assertAllContained(dist, values);
    const cdf = (x: number) => normalCdf(x, 0.3, 1);
    assertChiSquare(stepCounts(values, -6, 6, 0.5), roundedProbabilities(-6, 6, 0.5, cdf), "q_normal");
  });

  test("q_log_normal: a log-normal draw rounded to q (0 included)", () => {
    const dist: Distribution = { kind: "q_log_normal", mu: 0, sigma: 1, q: 0.5 };
    const values = numbers(draw(dist));
    assertAllContained(dist, values);
    assert.ok(values.includes(0), "draws below q/2 round to 0");
    const cdf = (x: number) => (x <= 0 ? 0 : normalCdf(Math.log(x), 0, 1));
    assertChiSquare(stepCounts(values, 0, 12, 0.5), roundedProbabilities(0, 12, 0.5, cdf), "q_log_normal");
  });
});

describe("normal family", () => {
  test("normal(mu, sigma): CDF, mean and standard deviation", () => {
    const dist: Distribution = { kind: "normal", mu: 3, sigma: 2 };
    const values = numbers(draw(dist));
    assertAllContained(dist, values);
    assertKs(values, (x) => normalCdf(x, 3, 2), "normal");
    // 4 standard errors: mean's is sigma/sqrt(n), the sample sd's is about sigma/sqrt(2n).
    assert.ok(Math.abs(mean(values) - 3) < (4 * 2) / Math.sqrt(N), `mean ${mean(values)}`);
    assert.ok(Math.abs(Math.sqrt(variance(values)) - 2) < (4 * 2) / Math.sqrt(2 * N), `sd ${Math.sqrt(variance(values))}`);
  });

  test("log_normal: exp(normal(mu, sigma)), positive, ln(value) normal", () => {
    const dist: Distribution = { kind: "log_normal", mu: -1, sigma: 0.5 };
    const values = numbers(draw(dist));
    assertAllContained(dist, values);
    for (const v of values) assert.ok(v > 0);
    assertKs(values.map(Math.log), (x) => normalCdf(x, -1, 0.5), "log_normal in log space");
  });
});

describe("beta", () => {
  const closedFormCdfs: [number, number, (x: number) => number][] = [
    [1, 1, (x) => x],
    [2, 1, (x) => x * x],
    [1, 3, (x) => 1 - (1 - x) ** 3],
    [0.5, 0.5, (x) => (2 / Math.PI) * Math.asin(Math.sqrt(x))],
  ];
  for (const [a, b, cdf] of closedFormCdfs) {
    test(`beta(${a}, ${b}) matches its closed-form CDF`, () => {
      const dist: Distribution = { kind: "beta", a, b };
      const values = numbers(draw(dist, `beta-${a}-${b}`));
      assertAllContained(dist, values);
      assertKs(values, cdf, `beta(${a}, ${b})`);
    });
  }

  test("beta(2, 5): mean a/(a+b) and variance ab/((a+b)^2(a+b+1))", () => {
    const values = numbers(draw({ kind: "beta", a: 2, b: 5 }));
    const expectedMean = 2 / 7;
    const expectedVariance = 10 / (49 * 8);
    const meanTolerance = (4 * Math.sqrt(expectedVariance)) / Math.sqrt(N);
    assert.ok(Math.abs(mean(values) - expectedMean) < meanTolerance, `mean ${mean(values)}`);
    assert.ok(Math.abs(variance(values) / expectedVariance - 1) < 0.05, `variance ${variance(values)}`);
  });

  test("tiny shapes stay finite and symmetric (no 0/0 from underflowing gamma draws)", () => {
    const values = numbers(draw({ kind: "beta", a: 0.02, b: 0.02 }, "tiny", 5000));
    for (const v of values) assert.ok(v >= 0 && v <= 1, `beta produced ${v}`);
    const nearZero = values.filter((v) => v < 0.5).length / values.length;
    assert.ok(Math.abs(nearZero - 0.5) < 0.05, `fraction below 0.5: ${nearZero}`);
  });
});

describe("sensitivity: the checks reject wrong samplers", () => {
  function wrongDraws(f: (rng: Rng) => number, n = N): number[] {
    const rng = createRng("wrong");
    return Array.from({ length: n }, () => f(rng));
  }
  const ksRejects = (samples: number[], cdf: (x: number) => number) =>
    ksStatistic(samples, cdf) >= ksCritical(samples.length);

  test("KS catches a uniform range 3% too wide", () => {
    assert.ok(ksRejects(wrongDraws((rng) => -2 + rng() * 5.15), uniformCdf(-2, 3)));
  });

  test("KS catches log_uniform drawn uniformly in value space", () => {
    const low = 1e-4;
    assert.ok(ksRejects(wrongDraws((rng) => Math.log(low + rng() * (1 - low))), uniformCdf(Math.log(low), 0)));
  });

  test("KS catches a normal whose sigma is 10% off, and the sd check one 5% off", () => {
    const rngForNormal = (sigma: number) => (rng: Rng) => {
      const u = 1 - rng();
      return 3 + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
    };
    assert.ok(ksRejects(wrongDraws(rngForNormal(2.2)), (x) => normalCdf(x, 3, 2)));
    const sd = Math.sqrt(variance(wrongDraws(rngForNormal(2.1))));
    assert.ok(Math.abs(sd - 2) >= (4 * 2) / Math.sqrt(2 * N), `sd ${sd} would pass`);
  });

  test("chi-square catches a die with one face 20% too likely", () => {
    const weights = [1.2, 1, 1, 1, 1, 1];
    const total = weights.reduce((a, b) => a + b, 0);
    const faces = wrongDraws((rng) => {
      let u = rng() * total;
      for (let i = 0; i < weights.length; i++) {
        u -= weights[i]!;
        if (u < 0) return i;
      }
      return weights.length - 1;
    });
    const counts = countsOf(faces, [0, 1, 2, 3, 4, 5]);
    assert.ok(chiSquare(counts, weights.map(() => 1 / 6)) >= chiSquareCritical(5));
  });

  test("chi-square catches q_uniform giving its end multiples full weight", () => {
    const values = wrongDraws((rng) => Math.floor(rng() * 11) * 0.1);
    const counts = stepCounts(values, 0, 10, 0.1);
    assert.ok(chiSquare(counts, roundedProbabilities(0, 10, 0.1, uniformCdf(0, 1))) >= chiSquareCritical(10));
  });
});
