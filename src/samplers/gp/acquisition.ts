/**
 * Expected improvement in log space (log-EI, Ament et al., "Unexpected Improvements to Expected
 * Improvement", 2023). Plain EI underflows to exactly 0 far from the incumbent, which leaves a local search
 * with a flat, gradient-free landscape; its logarithm stays finite and informative there.
 *
 * For maximisation of a posterior N(μ, σ²) against the incumbent f*:
 *   EI = σ h(z),  z = (μ - f*)/σ,  h(z) = φ(z) + z Φ(z)
 */
import { erfcxNonNegative, LOG_SQRT_2PI } from "../tpe/normal.js";


const SQRT_PI_OVER_2 = Math.sqrt(Math.PI / 2);

/** log Φ(z) for the standard normal CDF, accurate for very negative z. */
export function logNormalCdf(z: number): number {
  if (z >= 0) {
    // Φ(z) = 1 - ½ erfc(z/√2), close to 1: log1p of a small number.
    const u = z * Math.SQRT1_2;
    return Math.log1p(-0.5 * erfcxNonNegative(u) * Math.exp(-u * u));
  }
  const u = -z * Math.SQRT1_2;
  return Math.log(0.5 * erfcxNonNegative(u)) - u * u;
}

/**
 * Beyond this |z| (z < 0) the asymptotic series is used: the direct form subtracts two nearly equal
 * numbers (their difference is about 1/z²), so erfcx's 1e-7 relative error grows to about 1e-7 z² there,
 * while the series' error (its next term, 10395/z¹⁰) is below 2e-7 from here on. Either way log-EI is
 * exact to about 1e-5, far below anything that changes which candidate wins.
 */
const ASYMPTOTIC_Z = 12;

/** log h(z) = log(φ(z) + z Φ(z)), finite for every finite z. */
export function logH(z: number): number {
  if (z > -1) {
    const phi = Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
    const cdf = Math.exp(logNormalCdf(z));
    return Math.log(phi + z * cdf);
  }
  const a = -z;
  if (a < ASYMPTOTIC_Z) {
    // h = φ(z) [1 - |z| √(π/2) erfcx(|z|/√2)]
    return -0.5 * z * z - LOG_SQRT_2PI + Math.log1p(-a * SQRT_PI_OVER_2 * erfcxNonNegative(a * Math.SQRT1_2));
  }
  // h(z) ~ φ(z)/z² (1 - 3/z² + 15/z⁴ - 105/z⁶ + 945/z⁸)
  const u = 1 / (z * z);
  return -0.5 * z * z - LOG_SQRT_2PI - 2 * Math.log(a) + Math.log1p(u * (-3 + u * (15 + u * (-105 + u * 945))));
}

/** d log h / dz = Φ(z)/h(z) (since h'(z) = Φ(z)). */
export function dLogH(z: number): number {
  return Math.exp(logNormalCdf(z) - logH(z));
}

/** Below this posterior variance a point counts as known: no improvement can be expected there. */
export const MIN_VARIANCE = 1e-12;

/** log EI for a maximised objective; -Infinity where the variance vanishes (an observed, noiseless point). */
export function logExpectedImprovement(mean: number, variance: number, best: number): number {
  if (!(variance > MIN_VARIANCE)) return -Infinity;
  const sigma = Math.sqrt(variance);
  return Math.log(sigma) + logH((mean - best) / sigma);
}

/** Plain EI, for tests and reports: σ h(z), or max(μ - f*, 0) with zero variance. */
export function expectedImprovement(mean: number, variance: number, best: number): number {
  if (!(variance > MIN_VARIANCE)) return Math.max(mean - best, 0);
  return Math.exp(logExpectedImprovement(mean, variance, best));
}

/**
 * ∂ log EI / ∂μ and ∂ log EI / ∂σ², for the chain rule through the posterior's gradients:
 * log EI = log σ + log h(z), z = (μ - f*)/σ.
 */
export function logEiPartials(mean: number, variance: number, best: number): { dMean: number; dVariance: number } {
  const sigma = Math.sqrt(variance);
  const z = (mean - best) / sigma;
  const g = dLogH(z);
  // ∂/∂σ = 1/σ - g z/σ;  ∂σ/∂σ² = 1/(2σ)
  return { dMean: g / sigma, dVariance: (1 - g * z) / (2 * variance) };
}
