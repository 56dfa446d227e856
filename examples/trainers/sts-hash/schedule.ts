/**
 * Learning-rate multiplier: linear warmup from lr/warmup up to lr, then linear decay towards 0.
 * `step` is 1-based (the step about to be taken). Unlike schedules that start at exactly 0, the first step
 * already moves the weights, so a short run with warmup does not waste its first update.
 */
export function warmupLinearDecay(step: number, totalSteps: number, warmupSteps: number): number {
  if (!Number.isInteger(step) || step < 1) throw new Error(`step must be a positive integer, got ${step}`);
  if (step <= warmupSteps) return step / warmupSteps;
  const decaySteps = totalSteps - warmupSteps;
  if (decaySteps <= 0) return 1;
  // At the last step (step = totalSteps) this is 1/decaySteps: small but not zero, so every step counts.
  return Math.max(0, (totalSteps - step + 1) / decaySteps);
}

/** Warmup length in steps for a ratio of the whole run (rounded, as transformers' trainer does). */
export function warmupStepsFor(ratio: number, totalSteps: number): number {
  return Math.round(ratio * totalSteps);
}
