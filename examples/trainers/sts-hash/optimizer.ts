/**
 * AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization") with bias correction, as PyTorch's
 * torch.optim.AdamW computes it:
 *   p <- p * (1 - lr * weight_decay)                (decay applied to the weights, not through the gradient)
 *   m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * Decoupling matters with Adam: L2 added to the gradient would be rescaled per parameter by 1/sqrt(v), so
 * rarely-seen hashed features (small v) would be decayed hardest, the opposite of what regularisation wants.
 */
export interface AdamWOptions {
  readonly weightDecay: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

export class AdamW {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  /** The parameter index space cut into [start, end) runs that either all decay or all do not. */
  private readonly segments: ReadonlyArray<{ readonly start: number; readonly end: number; readonly decay: boolean }>;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private t = 0;

  /** `decayRanges` are [start, end) index ranges of the parameters that weight decay applies to. */
  constructor(size: number, options: AdamWOptions, decayRanges: ReadonlyArray<readonly [number, number]>) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.segments = segmentsOf(size, decayRanges);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay;
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.t;
  }

  /** One update of `params` in place from `grads`, at learning rate `lr`. */
  step(params: Float64Array, grads: Float64Array, lr: number): void {
    if (params.length !== this.m.length || grads.length !== this.m.length) {
      throw new Error(`AdamW was built for ${this.m.length} parameters, got params ${params.length}, grads ${grads.length}`);
    }
    this.t += 1;
    const stepSize = lr / (1 - this.beta1 ** this.t);
    const invSqrtBias2 = 1 / Math.sqrt(1 - this.beta2 ** this.t);
    for (const { start, end, decay } of this.segments) {
      this.update(params, grads, start, end, decay ? 1 - lr * this.weightDecay : 1, stepSize, invSqrtBias2);
    }
  }

  /**
   * The update for one run of parameters. Per-run rather than a per-parameter "decays?" lookup: this loop is
   * the trainer's hot spot (every parameter, every step), and a branch-free body runs it measurably faster.
   */
  private update(
    params: Float64Array,
    grads: Float64Array,
    start: number,
    end: number,
    decayFactor: number,
    stepSize: number,
    invSqrtBias2: number,
  ): void {
    const { beta1, beta2, eps, m, v } = this;
    for (let i = start; i < end; i++) {
      const g = grads[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const vi = beta2 * v[i]! + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] = params[i]! * decayFactor - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBias2 + eps);
    }
  }
}

/** Cut [0, size) at the decay ranges' edges; ranges must lie inside [0, size) and not overlap. */
function segmentsOf(
  size: number,
  decayRanges: ReadonlyArray<readonly [number, number]>,
): Array<{ start: number; end: number; decay: boolean }> {
  const sorted = [...decayRanges].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const segments: Array<{ start: number; end: number; decay: boolean }> = [];
  let at = 0;
  for (const [start, end] of sorted) {
    if (start < at || end > size) {
      throw new Error(`decay ranges must be disjoint and within [0, ${size}), got ${JSON.stringify(decayRanges)}`);
    }
    if (start > at) segments.push({ start: at, end: start, decay: false });
    segments.push({ start, end, decay: true });
    at = end;
  }
  if (at < size) segments.push({ start: at, end: size, decay: false });
  return segments;
}
