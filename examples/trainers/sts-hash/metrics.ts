/** Correlation metrics for STS evaluation (the standard ones: Pearson on scores, Spearman on ranks). */

/**
 * Pearson correlation. Returns 0 when either side has zero variance (e.g. a model that predicts one
 * constant): the correlation is undefined there, and 0 ("no linear relation") keeps it a number a sweep
 * can compare, where NaN would not survive JSON.
 */
export function pearson(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = checkSameLength(xs, ys);
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += xs[i]!;
    meanY += ys[i]!;
  }
  meanX /= n;
  meanY /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - meanX;
    const dy = ys[i]! - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return 0;
  // Clamp: rounding can push a perfect correlation a hair past 1.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Spearman rank correlation: Pearson on ranks, tied values sharing their average rank. */
export function spearman(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  checkSameLength(xs, ys);
  return pearson(averageRanks(xs), averageRanks(ys));
}

/** 1-based ranks, ties given the mean of the ranks they span. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + end + 1) / 2; // mean of 1-based ranks start+1 .. end
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

function checkSameLength(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  if (xs.length !== ys.length) throw new Error(`correlation needs equal lengths, got ${xs.length} and ${ys.length}`);
  if (xs.length < 2) throw new Error(`correlation needs at least 2 values, got ${xs.length}`);
  return xs.length;
}
