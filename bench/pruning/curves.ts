/**
 * The learning-curve problem of the pruning benchmark: 20 epochs of validation loss of a fine-tuning run,
 * as a function of its learning rate, warmup and dropout, with noise on every epoch.
 *
 * The run follows the usual fine-tuning schedule — linear warmup to the peak lr over `warmup_ratio` of the
 * 20 epochs, then linear decay to 0 — and its loss falls with the optimisation progress made so far
 * (the integral of that schedule times the peak lr). What comes out, as in real sweeps:
 *
 * - too high an lr diverges: the loss climbs to ~1.2 once the warmup ramp passes a critical lr. Without
 *   warmup that shows at epoch 1; a longer warmup both raises the critical lr and delays the blow-up;
 * - too low an lr learns slowly and plateaus high: visibly behind from the first epochs;
 * - a high (non-diverging) lr learns fastest and leads early, but ends worse: its minimum generalises
 *   less well and, with little dropout, it overfits once converged (the validation loss creeps back up);
 * - the best final losses need a moderate lr, enough warmup and some dropout: slow starters, behind the
 *   fast configs for the first few epochs, ahead of them by the end — curves cross.
 *
 * The numbers are fixed here once, from that shape, not tuned to any pruner; `describeProblem` reports
 * how the space splits between these kinds and how well early epochs rank the final loss.
 */
export const EPOCHS = 20;

/** The search space as a sweep file writes it. */
export const parameters = {
  lr: { distribution: "log_uniform_values", min: 1e-5, max: 1e-2 },
  warmup_ratio: { distribution: "uniform", min: 0, max: 0.2 },
  dropout: { distribution: "uniform", min: 0, max: 0.4 },
} as const;

export interface CurveParams {
  readonly lr: number;
  readonly warmup_ratio: number;
  readonly dropout: number;
}

/** Loss before training and the level a diverged run settles at. */
const INITIAL_LOSS = 1;
const DIVERGED_LOSS = 1.2;
/** The peak lr at which one epoch at full rate shrinks the gap to the asymptote by e (so 1e-4 reaches e^-5 by epoch 20). */
const LR_SCALE = 1e-4 / 0.5;
/** log10 of the critical lr with no warmup, and how much a full warmup (ratio 1) would raise it. */
const CRITICAL_LOG_LR = -2.9;
const CRITICAL_PER_WARMUP = 2.5;
/** Overfitting: at most this much extra validation loss, for a run without dropout, far past convergence. */
const OVERFIT = 0.03;
/** Progress (in units of e-folds) after which a converged run starts to overfit, and how slowly it does. */
const OVERFIT_ONSET = 15;
const OVERFIT_SCALE = 10;
const MAX_DROPOUT = 0.4;

/** Noise on each reported loss: an absolute floor plus a share of the loss (early, high losses vary more). */
const NOISE_FLOOR = 0.003;
const NOISE_SHARE = 0.02;

/** Peak-lr epochs done by the end of `epoch` (fractional allowed): ∫ of the warmup-then-decay schedule. */
function scheduleIntegral(p: CurveParams, epoch: number): number {
  const warmup = p.warmup_ratio * EPOCHS;
  if (epoch <= 0) return 0;
  if (epoch <= warmup) return (epoch * epoch) / (2 * warmup);
  const after = epoch - warmup;
  return warmup / 2 + after - (after * after) / (2 * (EPOCHS - warmup));
}

/**
 * The loss the run tends to (with this lr, warmup and dropout, ignoring overfitting): best for lr near
 * 10^-3.5, warmup of at least 10% and dropout near 0.15. Higher lrs find sharper minima; short warmup
 * destabilises the start of fine-tuning.
 */
function asymptote(p: CurveParams): number {
  const x = Math.log10(p.lr);
  return 0.1 + 0.08 * (x + 3.5) ** 2 + 0.05 * Math.max(0, 0.1 - p.warmup_ratio) + 0.5 * (p.dropout - 0.15) ** 2;
}

/** When (in epochs) the warmup ramp first reaches the critical lr; Infinity if it never does. */
function divergenceEpoch(p: CurveParams): number {
  const critical = 10 ** (CRITICAL_LOG_LR + CRITICAL_PER_WARMUP * p.warmup_ratio);
  if (p.lr <= critical) return Infinity;
  return p.warmup_ratio * EPOCHS * (critical / p.lr);
}

/** The loss of a run that does not diverge, after `epoch` epochs (fractional allowed). */
function trainedLoss(p: CurveParams, epoch: number): number {
  const progress = (p.lr / LR_SCALE) * scheduleIntegral(p, epoch);
  const a = asymptote(p);
  const overfit = OVERFIT * (1 - p.dropout / MAX_DROPOUT) * (1 - Math.exp(-Math.max(0, progress - OVERFIT_ONSET) / OVERFIT_SCALE));
  return a + (INITIAL_LOSS - a) * Math.exp(-progress) + overfit;
}

/** The noiseless validation loss after `epoch` epochs (1..EPOCHS). */
export function trueLoss(p: CurveParams, epoch: number): number {
  const diverges = divergenceEpoch(p);
  if (epoch <= diverges) return trainedLoss(p, epoch);
  // The loss climbs from where it was to DIVERGED_LOSS within about half an epoch.
  const before = trainedLoss(p, diverges);
  return DIVERGED_LOSS + (before - DIVERGED_LOSS) * Math.exp(-(epoch - diverges) / 0.5);
}

/** What a trial is worth: its noiseless loss after the full 20 epochs. */
export function trueFinal(p: CurveParams): number {
  return trueLoss(p, EPOCHS);
}

/** The reported loss: the true one plus noise fixed by (seed, trial number, epoch), whatever the method. */
export function reportedLoss(p: CurveParams, seed: number, trialNumber: number, epoch: number): number {
  const loss = trueLoss(p, epoch);
  return loss + (NOISE_FLOOR + NOISE_SHARE * loss) * gaussian(seed, trialNumber, epoch);
}

/** The three params on a grid of n points each (lr log-spaced), for scans of the whole space. */
export function* gridOfParams(n: number): Generator<CurveParams> {
  const { lr, warmup_ratio, dropout } = parameters;
  for (let i = 0; i < n; i++) {
    const lrValue = 10 ** (Math.log10(lr.min) + ((Math.log10(lr.max) - Math.log10(lr.min)) * (i + 0.5)) / n);
    for (let j = 0; j < n; j++) {
      const warmupValue = warmup_ratio.min + ((warmup_ratio.max - warmup_ratio.min) * (j + 0.5)) / n;
      for (let k = 0; k < n; k++) {
        yield { lr: lrValue, warmup_ratio: warmupValue, dropout: dropout.min + ((dropout.max - dropout.min) * (k + 0.5)) / n };
      }
    }
  }
}

/**
 * The lowest noiseless final loss anywhere in the space: a coarse grid scan, then a local refinement
 * (coordinate steps halving down to 1e-6 of each range) from the best grid point, clamped to the space.
 */
export function bestAchievable(): number {
  let best: CurveParams = { lr: 1e-3, warmup_ratio: 0, dropout: 0 };
  for (const p of gridOfParams(60)) if (trueFinal(p) < trueFinal(best)) best = p;
  const { lr, warmup_ratio, dropout } = parameters;
  const logLr = { min: Math.log10(lr.min), max: Math.log10(lr.max) };
  let point = [Math.log10(best.lr), best.warmup_ratio, best.dropout];
  const ranges = [logLr, warmup_ratio, dropout];
  const toParams = (v: number[]): CurveParams => ({ lr: 10 ** v[0]!, warmup_ratio: v[1]!, dropout: v[2]! });
  for (let scale = 0.05; scale > 1e-6; scale /= 2) {
    for (let improved = true; improved; ) {
      improved = false;
      for (let d = 0; d < 3; d++) {
        for (const sign of [-1, 1]) {
          const range = ranges[d]!;
          const candidate = [...point];
          candidate[d] = Math.min(range.max, Math.max(range.min, candidate[d]! + sign * scale * (range.max - range.min)));
          if (trueFinal(toParams(candidate)) < trueFinal(toParams(point))) {
            point = candidate;
            improved = true;
          }
        }
      }
    }
  }
  return trueFinal(toParams(point));
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
