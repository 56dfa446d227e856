/**
 * Goodness-of-fit tools for the distribution tests.
 *
 * Thresholds use a significance level of 0.001. The samples come from fixed seeds, so a test's outcome is
 * deterministic; the small level only matters when someone changes a seed, and then a correct sampler
 * fails less than once in a thousand seeds. At n = 20 000 the tests still have real power: the KS bound is
 * ≈ 0.014, so a CDF off by 1.4% anywhere is caught (a uniform range 3% too wide, a log-uniform drawn in
 * value space, a normal with sigma 10% off); the sensitivity tests in distributions.test.ts prove it on
 * deliberately wrong samplers.
 */

export const SIGNIFICANCE = 0.001;

/** Kolmogorov–Smirnov statistic: the largest gap between the empirical CDF of `samples` and `cdf`. */
export function ksStatistic(samples: readonly number[], cdf: (x: number) => number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  let d = 0;
  sorted.forEach((x, i) => {
    const f = cdf(x);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  });
  return d;
}

/** Asymptotic KS critical value: sqrt(-ln(alpha / 2) / 2) / sqrt(n) (1.95 / sqrt(n) at alpha = 0.001). */
export function ksCritical(n: number, alpha = SIGNIFICANCE): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2) / Math.sqrt(n);
}

/** Pearson's chi-square statistic of observed counts against expected probabilities. */
export function chiSquare(counts: readonly number[], probabilities: readonly number[]): number {
  if (counts.length !== probabilities.length) throw new Error("counts and probabilities differ in length");
  const n = counts.reduce((a, b) => a + b, 0);
  let statistic = 0;
  counts.forEach((observed, i) => {
    const expected = n * probabilities[i]!;
    if (expected === 0) {
      if (observed !== 0) statistic = Infinity;
      return;
    }
    statistic += (observed - expected) ** 2 / expected;
  });
  return statistic;
}

/**
 * Upper critical value of chi-square with `df` degrees of freedom at alpha = 0.001, by the Wilson–Hilferty
 * cube approximation (within 1% of the exact quantile for df >= 2).
 */
export function chiSquareCritical(df: number): number {
  const z = 3.0902; // standard normal upper 0.001 quantile
  const h = 2 / (9 * df);
  return df * (1 - h + z * Math.sqrt(h)) ** 3;
}

/** erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, far under the KS tolerance). */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-x * x));
}

export function normalCdf(x: number, mu = 0, sigma = 1): number {
  return 0.5 * (1 + erf((x - mu) / (sigma * Math.SQRT2)));
}

export function uniformCdf(low: number, high: number): (x: number) => number {
  return (x) => Math.min(1, Math.max(0, (x - low) / (high - low)));
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function variance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

/** How many times each of `keys` occurs in `values`, in the order of `keys`. */
export function countsOf<T>(values: readonly T[], keys: readonly T[]): number[] {
  const index = new Map(keys.map((k, i) => [k, i]));
  const counts = keys.map(() => 0);
  for (const v of values) {
    const i = index.get(v);
    if (i === undefined) throw new Error(`unexpected value ${String(v)}`);
    counts[i]!++;
  }
  return counts;
}
