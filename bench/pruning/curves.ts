/**
 * The learning-curve problem of the pruning benchmark: 20 epochs of a validation loss whose final value
 * depends on three params, with per-epoch noise, and slow starters that end best — deeper models learn
 * more slowly (their early losses are the worst of all) but reach the lowest loss, so curves cross and a
 * pruner that judges too early throws the best configurations away.
 */
export const EPOCHS = 20;
const NOISE_SD = 0.01;

/** The search space as a sweep file writes it. */
export const parameters = {
  lr: { distribution: "log_uniform_values", min: 1e-4, max: 1e-1 },
  depth: { distribution: "uniform", min: 0, max: 1 },
  dropout: { distribution: "uniform", min: 0, max: 0.5 },
} as const;

export interface CurveParams {
  readonly lr: number;
  readonly depth: number;
  readonly dropout: number;
}

/** The loss the curve tends to: lowest for lr near 10^-2.3, depth near 0.75 and dropout near 0.2. */
function asymptote(p: CurveParams): number {
  const u = (Math.log10(p.lr) + 2.3) / 1.5;
  return 0.08 + 0.1 * u * u + 0.2 * (p.depth - 0.75) ** 2 + 0.15 * (p.dropout - 0.2) ** 2;
}

/**
 * Epochs to shrink the gap by e, from 1 to 6: deeper models and smaller learning rates learn more slowly,
 * so a shallow model with a large lr leads for the first epochs and is overtaken later.
 */
function timeConstant(p: CurveParams): number {
  return 1 + 3 * p.depth + (2 * (-1 - Math.log10(p.lr))) / 3;
}

/** The noiseless loss after `epoch` epochs (starting from 1). */
export function trueLoss(p: CurveParams, epoch: number): number {
  const a = asymptote(p);
  return a + (1 - a) * Math.exp(-epoch / timeConstant(p));
}

/** What a trial is worth: its noiseless loss after the full 20 epochs. */
export function trueFinal(p: CurveParams): number {
  return trueLoss(p, EPOCHS);
}

/** The reported loss: the true one plus noise fixed by (seed, trial number, epoch), whatever the method. */
export function reportedLoss(p: CurveParams, seed: number, trialNumber: number, epoch: number): number {
  return trueLoss(p, epoch) + NOISE_SD * gaussian(seed, trialNumber, epoch);
}

/**
 * The lowest final loss anywhere in the space. Dropout enters only the asymptote (optimum 0.2); lr and
 * depth trade asymptote against speed and are scanned on a fine grid.
 */
export function bestAchievable(): number {
  let best = Infinity;
  for (let i = 0; i <= 1000; i++) {
    for (let j = 0; j <= 1000; j++) {
      best = Math.min(best, trueFinal({ lr: 10 ** (-4 + (3 * i) / 1000), depth: j / 1000, dropout: 0.2 }));
    }
  }
  return best;
}

/** A standard normal variate from a hash of its coordinates (Box-Muller on two hashed uniforms). */
function gaussian(seed: number, trial: number, epoch: number): number {
  const u1 = (hash(seed, trial, epoch, 0) + 1) / 4294967297;
  const u2 = hash(seed, trial, epoch, 1) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** murmur3's 32-bit finaliser over the mixed coordinates. */
function hash(a: number, b: number, c: number, d: number): number {
  let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 1, 0x85ebca77) ^ Math.imul(c + 1, 0xc2b2ae3d) ^ Math.imul(d + 1, 0x27d4eb2f)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
