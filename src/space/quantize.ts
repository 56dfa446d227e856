/**
 * Rounding to a step `q` (W&B's `round(x / q) * q`) without binary floating-point noise: with q = 0.1,
 * 3 * 0.1 is 0.30000000000000004, which would be ugly in a trainer's config and would make equal points
 * compare unequal. The product is therefore rounded to as many decimals as q itself has.
 */

/**
 * Decimals by step. A sweep has a handful of q values but quantizes on every draw (TPE: hundreds of
 * candidates per trial), and formatting plus a regex per call would dominate the cost of a draw.
 */
const decimalsCache = new Map<number, number>();
const DECIMALS_CACHE_LIMIT = 1024;

/** Digits after the decimal point in the shortest decimal form of `step` (0.05 -> 2, 1e-7 -> 7, 20 -> 0). */
export function decimalsOf(step: number): number {
  const cached = decimalsCache.get(step);
  if (cached !== undefined) return cached;
  const decimals = computeDecimals(step);
  if (decimalsCache.size >= DECIMALS_CACHE_LIMIT) decimalsCache.clear();
  decimalsCache.set(step, decimals);
  return decimals;
}

function computeDecimals(step: number): number {
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(Math.abs(step)));
  if (!match) throw new Error(`step must be a finite number, got ${String(step)}`);
  const fractionDigits = match[2]?.length ?? 0;
  const exponent = match[3] === undefined ? 0 : Number(match[3]);
  return Math.max(0, fractionDigits - exponent);
}

/** Index of the step-multiple nearest to `x`: round(x / q). */
export function stepIndex(x: number, q: number): number {
  return Math.round(x / q);
}

/** `k * q`, rounded to q's decimal precision. Never returns -0. */
export function stepValue(k: number, q: number): number {
  const raw = k * q;
  const decimals = decimalsOf(q);
  // toFixed accepts at most 100 digits; q's shortest form never needs more than ~340, but those are
  // subnormal steps nobody uses, and capping only means the value keeps its binary noise.
  const rounded = decimals === 0 ? raw : Number(raw.toFixed(Math.min(decimals, 100)));
  return rounded + 0; // -0 + 0 === +0
}

/** W&B's quantisation: round(x / q) * q, without float noise. */
export function quantize(x: number, q: number): number {
  return stepValue(stepIndex(x, q), q);
}

/** Whether `x` is a multiple of `q`, allowing for the float error of values that went through JSON or arithmetic. */
export function isMultipleOf(x: number, q: number, tolerance = 1e-9): boolean {
  const ratio = x / q;
  return Math.abs(ratio - Math.round(ratio)) <= tolerance;
}
