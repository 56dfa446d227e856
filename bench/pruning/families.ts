/**
 * The learning-curve families of the pruning benchmark, fixed before any pruner was run on them (see
 * bench/README.md, "How the families were fixed"). Each is 20 epochs of a validation loss (lower is better)
 * over three hyperparameters, with noise fixed by (seed, trial number, epoch) so that every method sees the
 * same report for the same trial. Each stresses one way early stopping goes wrong:
 *
 * - `crossing`: the best configurations start late, and how late varies (a bigger model waits longer
 *   before its loss falls, warmup adds to the wait): curves cross from epoch 2 to about epoch 12;
 * - `noisy`: well-ordered curves, but every report carries noise larger than the gap between near-best and
 *   merely good (sd 0.02 plus 10% spikes of +0.05..0.25), so one report ranks a trial poorly;
 * - `divergence`: the highest stable learning rate is best, and just past it runs lead every epoch until
 *   they blow up, later the closer they are to the edge (epochs 3 to 20).
 *
 * `trueFinal` (the noiseless loss after epoch 20) is what a completed trial is worth; `near` is how close to
 * the best achievable final counts as "near-best" (set so that a few percent of the space is near-best).
 */
export const FAMILY_EPOCHS = 20;

export interface ParamSpec {
  readonly distribution: "uniform" | "log_uniform_values";
  readonly min: number;
  readonly max: number;
}

export type Params = Readonly<Record<string, number>>;

export interface CurveFamily {
  readonly name: string;
  /** One line for the README. */
  readonly summary: string;
  /** The search space as a sweep file writes it (three parameters). */
  readonly parameters: Readonly<Record<string, ParamSpec>>;
  /** Within this much of the best achievable final loss counts as near-best. */
  readonly near: number;
  /** Noiseless loss after `epoch` epochs (1..20). */
  trueLoss(p: Params, epoch: number): number;
  /** What a report says: the true loss plus noise fixed by (seed, trial number, epoch). */
  reportedLoss(p: Params, seed: number, trialNumber: number, epoch: number): number;
}

export function trueFinalOf(family: CurveFamily, p: Params): number {
  return family.trueLoss(p, FAMILY_EPOCHS);
}

const log10 = Math.log10;

/** Crossing: a bigger model (capacity) reaches a lower loss but starts late; lr sets speed and the asymptote. */
export const crossing: CurveFamily = {
  name: "crossing",
  summary:
    "capacity (0..1), lr (log 1e-4..1e-1), warmup_ratio (0..0.3). The loss starts falling after a delay of " +
    "1 + 12·capacity² + 10·warmup epochs; a bigger model ends lower (0.03·(1-capacity)² above the floor), lr " +
    "sets the speed and ends best near 10^-2.5, warmup under 0.1 costs up to 0.02. The best runs start last: " +
    "curves cross from epoch 2 to about 12. Noise sd 0.003 + 2% of the loss.",
  parameters: {
    capacity: { distribution: "uniform", min: 0, max: 1 },
    lr: { distribution: "log_uniform_values", min: 1e-4, max: 1e-1 },
    warmup_ratio: { distribution: "uniform", min: 0, max: 0.3 },
  },
  near: 0.005,
  trueLoss(p, epoch) {
    const delay = 1 + 12 * p.capacity! ** 2 + 10 * p.warmup_ratio!;
    const rate = 0.5 * (p.lr! / 1e-3) ** 0.6;
    const progress = (rate * epoch * epoch) / (epoch + delay);
    const floor = 0.1 + 0.03 * (1 - p.capacity!) ** 2 + 0.05 * (log10(p.lr!) + 2.5) ** 2 + 0.2 * Math.max(0, 0.1 - p.warmup_ratio!);
    return floor + (1 - floor) * Math.exp(-progress);
  },
  reportedLoss(p, seed, trialNumber, epoch) {
    const loss = this.trueLoss(p, epoch);
    return loss + (0.003 + 0.02 * loss) * gaussian(seed, trialNumber, epoch, 11);
  },
};

/** Noisy: well-behaved curves under report noise larger than the near-best gap, with occasional spikes. */
export const noisy: CurveFamily = {
  name: "noisy",
  summary:
    "lr (log 1e-5..1e-2), weight_decay (log 1e-4..1e-1), dropout (0..0.5). Exponential curves that mostly keep " +
    "their order (rate grows with lr, falls with dropout; the floor is best at lr 10^-3, weight decay 10^-2, " +
    "dropout 0.2), but every report carries Gaussian noise of sd 0.02 and one report in ten a spike of " +
    "+0.05..0.25 (a bad batch): one report cannot tell near-best (within 0.01) from merely good.",
  parameters: {
    lr: { distribution: "log_uniform_values", min: 1e-5, max: 1e-2 },
    weight_decay: { distribution: "log_uniform_values", min: 1e-4, max: 1e-1 },
    dropout: { distribution: "uniform", min: 0, max: 0.5 },
  },
  near: 0.01,
  trueLoss(p, epoch) {
    const rate = 0.4 * (p.lr! / 1e-3) ** 0.7 * (1 - p.dropout!);
    const floor = 0.2 + 0.06 * (log10(p.lr!) + 3) ** 2 + 0.04 * (log10(p.weight_decay!) + 2) ** 2 + 0.4 * (p.dropout! - 0.2) ** 2;
    return floor + (1 - floor) * Math.exp(-rate * epoch);
  },
  reportedLoss(p, seed, trialNumber, epoch) {
    const spike = uniform(seed, trialNumber, epoch, 22) < 0.1 ? 0.05 + 0.2 * uniform(seed, trialNumber, epoch, 23) : 0;
    return this.trueLoss(p, epoch) + 0.02 * gaussian(seed, trialNumber, epoch, 21) + spike;
  },
};

/** Divergence: the highest stable lr is best; past the edge, runs lead until they blow up. */
export const divergence: CurveFamily = {
  name: "divergence",
  summary:
    "lr (log 1e-5..1e-1), grad_clip (log 0.1..10), warmup_ratio (0..0.2). A higher lr learns faster and ends " +
    "lower (best at 10^-2 and up), but the effective rate lr·grad_clip^0.5/(1 + 5·warmup) above 10^-2.3 blows " +
    "up: the loss climbs to 4 from epoch 20·(edge/rate)³, so runs just past the edge lead until epoch 15–20. " +
    "Clipping harder than 1 costs a little. Noise sd 0.003 + 2% of the loss.",
  parameters: {
    lr: { distribution: "log_uniform_values", min: 1e-5, max: 1e-1 },
    grad_clip: { distribution: "log_uniform_values", min: 0.1, max: 10 },
    warmup_ratio: { distribution: "uniform", min: 0, max: 0.2 },
  },
  near: 0.005,
  trueLoss(p, epoch) {
    const lr = p.lr!;
    const rate = 0.3 * (lr / 1e-3) ** 0.8;
    const floor = 0.1 + 0.05 * Math.max(0, -2 - log10(lr)) ** 2 + 0.03 * Math.min(0, log10(p.grad_clip!)) ** 2;
    const stable = (e: number) => floor + (1 - floor) * Math.exp(-rate * e);
    const effective = (lr * Math.sqrt(p.grad_clip!)) / (1 + 5 * p.warmup_ratio!);
    const edge = 10 ** -2.3;
    if (effective <= edge) return stable(epoch);
    const blowUp = FAMILY_EPOCHS * (edge / effective) ** 3;
    if (epoch <= blowUp) return stable(epoch);
    const before = stable(blowUp);
    return 4 + (before - 4) * Math.exp(-(epoch - blowUp));
  },
  reportedLoss(p, seed, trialNumber, epoch) {
    const loss = this.trueLoss(p, epoch);
    return loss + (0.003 + 0.02 * loss) * gaussian(seed, trialNumber, epoch, 31);
  },
};

export const FAMILIES: readonly CurveFamily[] = [crossing, noisy, divergence];

/** A family's parameter in [0, 1] "sampling" coordinates (log scale for log-uniform), and back. */
function toUnit(spec: ParamSpec, value: number): number {
  return spec.distribution === "uniform" ? (value - spec.min) / (spec.max - spec.min) : (log10(value) - log10(spec.min)) / (log10(spec.max) - log10(spec.min));
}
function fromUnit(spec: ParamSpec, u: number): number {
  return spec.distribution === "uniform" ? spec.min + u * (spec.max - spec.min) : 10 ** (log10(spec.min) + u * (log10(spec.max) - log10(spec.min)));
}

/** An even grid of n points per parameter, in the sampling measure (cell centres). */
export function* familyGrid(family: CurveFamily, n: number): Generator<Params> {
  const names = Object.keys(family.parameters);
  const total = n ** names.length;
  for (let index = 0; index < total; index++) {
    const p: Record<string, number> = {};
    let rest = index;
    for (const name of names) {
      p[name] = fromUnit(family.parameters[name]!, ((rest % n) + 0.5) / n);
      rest = Math.floor(rest / n);
    }
    yield p;
  }
}

/** The lowest noiseless final loss: a grid scan, then coordinate steps halving down to 1e-6 of each range. */
export function familyBest(family: CurveFamily): number {
  const names = Object.keys(family.parameters);
  let best: Params | undefined;
  for (const p of familyGrid(family, 50)) if (best === undefined || trueFinalOf(family, p) < trueFinalOf(family, best)) best = p;
  let point = names.map((name) => toUnit(family.parameters[name]!, best![name]!));
  const at = (u: number[]): number => trueFinalOf(family, Object.fromEntries(names.map((name, d) => [name, fromUnit(family.parameters[name]!, u[d]!)])));
  for (let scale = 0.02; scale > 1e-6; scale /= 2) {
    for (let improved = true; improved; ) {
      improved = false;
      for (let d = 0; d < names.length; d++) {
        for (const sign of [-1, 1]) {
          const candidate = [...point];
          candidate[d] = Math.min(1, Math.max(0, candidate[d]! + sign * scale));
          if (at(candidate) < at(point)) {
            point = candidate;
            improved = true;
          }
        }
      }
    }
  }
  return at(point);
}

/** A standard normal variate from a hash of its coordinates (Box-Muller on two hashed uniforms). */
function gaussian(seed: number, trial: number, epoch: number, stream: number): number {
  const u1 = (hash(seed, trial, epoch, 2 * stream) + 1) / 4294967297;
  const u2 = hash(seed, trial, epoch, 2 * stream + 1) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function uniform(seed: number, trial: number, epoch: number, stream: number): number {
  return hash(seed, trial, epoch, 100 + stream) / 4294967296;
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
