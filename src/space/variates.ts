/**
 * Non-uniform random variates built from a uniform `Rng`. Each function draws a number of uniforms that
 * depends only on the values drawn, never on hidden state, so a trial's stream stays reproducible.
 */
import type { Rng } from "./types.js";

/** A uniform draw on (0, 1]: safe to take the logarithm of. */
function openUniform(rng: Rng): number {
  return 1 - rng();
}

/**
 * Standard normal by Box–Muller. The second variate of the pair is discarded on purpose: caching it would
 * make the next draw depend on what was drawn before, across parameters.
 */
export function standardNormal(rng: Rng): number {
  const radius = Math.sqrt(-2 * Math.log(openUniform(rng)));
  return radius * Math.cos(2 * Math.PI * rng());
}

/**
 * The natural logarithm of a Gamma(shape, 1) draw (Marsaglia & Tsang, 2000). Working in log space keeps
 * small shapes usable: for shape 0.01 the draw itself is often below the smallest double, and a beta built
 * from two such zeros would be 0/0.
 */
export function logGammaVariate(shape: number, rng: Rng): number {
  if (!(shape > 0) || !Number.isFinite(shape)) {
    throw new Error(`gamma shape must be a positive finite number, got ${String(shape)}`);
  }
  if (shape < 1) {
    // Gamma(a) = Gamma(a + 1) * U^(1/a)  (Marsaglia & Tsang's boost for a < 1).
    return logGammaVariate(shape + 1, rng) + Math.log(openUniform(rng)) / shape;
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = openUniform(rng);
    // Squeeze test first (cheap, accepts ~98%), then the exact test.
    if (u < 1 - 0.0331 * x * x * x * x) return Math.log(d * v);
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return Math.log(d * v);
  }
}

/** Beta(a, b) on [0, 1] as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), computed from their logarithms. */
export function betaVariate(a: number, b: number, rng: Rng): number {
  const logX = logGammaVariate(a, rng);
  const logY = logGammaVariate(b, rng);
  // X / (X + Y) = 1 / (1 + Y / X); exp overflows to Infinity (giving 0) or underflows to 0 (giving 1) cleanly.
  return 1 / (1 + Math.exp(logY - logX));
}

/** An index drawn with the given (non-negative, not necessarily normalised) weights. */
export function weightedIndex(weights: readonly number[], rng: Rng): number {
  let total = 0;
  for (const w of weights) total += w;
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new Error(`categorical probabilities must be non-negative with a positive sum, got [${weights.join(", ")}]`);
  }
  const target = rng() * total;
  let cumulative = 0;
  let lastPositive = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (w < 0) throw new Error(`categorical probabilities must be non-negative, got ${w} at index ${i}`);
    if (w === 0) continue;
    cumulative += w;
    lastPositive = i;
    if (target < cumulative) return i;
  }
  // Only reachable through rounding when target lands at the very top of the cumulative sum.
  return lastPositive;
}
