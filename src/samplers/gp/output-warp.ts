/**
 * What the GP is fitted to: the observed values (already turned into a maximisation), standardised, passed
 * through the Yeo-Johnson power transform whose exponent makes them most Gaussian (maximum likelihood over
 * a grid), and standardised again — the output warping of HEBO (Cowen-Rivers et al., 2022).
 *
 * Why: a stationary GP assumes values of one scale everywhere. Losses such as Rosenbrock's span orders of
 * magnitude, so the few huge values far from the optimum set the signal variance and the model cannot
 * resolve the small differences that matter near the optimum; a Hartmann-like objective is flat with a
 * few deep basins. On the tuning seeds (docs/samplers.md) the warp lowered median regret on every
 * benchmark function against plain standardisation. Order is preserved, so the incumbent stays the best.
 */

/** (v - mean)/sd; a constant history (sd 0) is only centred. */
export function standardise(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]! / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (values[i]! - mean) ** 2 / n;
  const sd = variance > 0 ? Math.sqrt(variance) : 1;
  return Float64Array.from(values, (v) => (v - mean) / sd);
}

/** The Yeo-Johnson transform of one value. */
export function yeoJohnson(x: number, lambda: number): number {
  if (x >= 0) return Math.abs(lambda) < 1e-12 ? Math.log1p(x) : ((x + 1) ** lambda - 1) / lambda;
  return Math.abs(lambda - 2) < 1e-12 ? -Math.log1p(-x) : -((1 - x) ** (2 - lambda) - 1) / (2 - lambda);
}

/** Exponents tried; λ = 1 is the identity. */
const LAMBDAS = Array.from({ length: 41 }, (_, i) => -2 + i * 0.125);

/**
 * The Yeo-Johnson exponent maximising the profile log-likelihood of a Gaussian fit,
 * -n/2 log σ̂²(λ) + (λ - 1) Σ sign(x) log(1 + |x|).
 */
export function fitYeoJohnson(values: ArrayLike<number>): number {
  const n = values.length;
  let logJacobian = 0;
  for (let i = 0; i < n; i++) logJacobian += Math.sign(values[i]!) * Math.log1p(Math.abs(values[i]!));
  let best = 1;
  let bestLikelihood = -Infinity;
  const t = new Float64Array(n);
  for (const lambda of LAMBDAS) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += (t[i] = yeoJohnson(values[i]!, lambda)) / n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (t[i]! - mean) ** 2 / n;
    if (!(variance > 0) || !Number.isFinite(variance)) continue;
    const likelihood = -0.5 * n * Math.log(variance) + (lambda - 1) * logJacobian;
    if (likelihood > bestLikelihood) {
      bestLikelihood = likelihood;
      best = lambda;
    }
  }
  return best;
}

/**
 * Maximised values → the GP's targets. The transform is fitted to the losses (the values negated), where
 * the long tail of bad values usually is, as HEBO fits it to the minimised objective.
 */
export function warpOutputs(values: readonly number[]): Float64Array {
  const losses = standardise(values.map((v) => -v));
  const lambda = fitYeoJohnson(losses);
  return standardise(Array.from(losses, (v) => -yeoJohnson(v, lambda)));
}
