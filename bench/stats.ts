/** Order statistics for benchmark tables. */

/**
 * The p-quantile (0..1) with linear interpolation between order statistics (numpy's default). Infinity is
 * allowed, for censored values (a run that never got there): a quantile that reaches one is Infinity.
 */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (lo === hi || sorted[lo] === sorted[hi]) return sorted[lo]!;
  if (!Number.isFinite(sorted[hi]!)) return Infinity;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface Summary {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
}

export function summarize(values: readonly number[]): Summary {
  return { median: quantile(values, 0.5), q1: quantile(values, 0.25), q3: quantile(values, 0.75) };
}

/** Compact number for tables: 3 significant digits, exponent form for very small or large values. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a < 1e-3 || a >= 1e4 ? x.toExponential(2) : x.toPrecision(3);
}

/** Resamples for bootstrap intervals; a fixed RNG seed, so a rerun prints the same intervals. */
export const BOOTSTRAP_RESAMPLES = 2000;

/**
 * 90% bootstrap interval (5th and 95th percentiles) of `statistic` over resamples of each sample with
 * replacement, the samples resampled independently of each other (for a ratio of two methods' medians,
 * whose seeds are not paired: the two implementations draw differently from the same seed).
 */
export function bootstrapInterval(
  samples: readonly (readonly number[])[],
  statistic: (resampled: readonly number[][]) => number,
  rng: () => number,
): [number, number] {
  const values: number[] = [];
  const buffers = samples.map((s) => new Array<number>(s.length));
  for (let r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
    samples.forEach((s, k) => {
      const b = buffers[k]!;
      for (let i = 0; i < s.length; i++) b[i] = s[Math.floor(rng() * s.length)]!;
    });
    values.push(statistic(buffers));
  }
  return [quantile(values, 0.05), quantile(values, 0.95)];
}
