/**
 * The regressor: "wide and deep" over sparse pair features. A linear term over all features (the wide
 * part) plus a one-hidden-layer ReLU MLP (the deep part; absent with hidden = 0), summed and put through a
 * scaled sigmoid so predictions always lie in [0, 5].
 *
 * Why both: on a few hundred pairs the linear term learns the strong, nearly linear signals (the n-gram
 * cosines) within one epoch, while an MLP alone has to rediscover them through random ReLUs and lags behind;
 * the hidden layer then adds interactions (e.g. shared n-grams that matter more than others) on top.
 *
 * All parameters live in one flat Float64Array so the optimiser is a single loop, and the first layer is
 * stored input-major (row k = the `hidden` weights fed by input k): a sparse input then touches a few
 * contiguous rows, which is what makes a forward/backward pass cost O(nonzeros * hidden), not O(inputDim).
 */
import type { SparseVector } from "./features.js";
import type { Rng } from "./rng.js";

export interface ModelOptions {
  readonly inputDim: number;
  /** Hidden units; 0 = linear regression on the features. */
  readonly hidden: number;
  /** Largest score; predictions are maxScore * sigmoid(z). */
  readonly maxScore: number;
  /** Starting prediction (e.g. the mean training score), so the first steps are not spent finding the offset. */
  readonly initialPrediction: number;
  /**
   * Std-dev of the first-layer weights. Pair vectors have norm around 1-2 whatever inputDim is (they are
   * built from unit vectors), so the usual 1/sqrt(fan_in) would make hidden units start almost silent;
   * a fixed scale keeps them alive however large hash_dim is.
   */
  readonly inputInitStd: number;
}

/** Where each tensor sits in the flat parameter array, as [start, end). */
interface Layout {
  readonly wide: number; // inputDim
  readonly w1: number; // inputDim * hidden
  readonly b1: number; // hidden
  readonly w2: number; // hidden
  readonly b2: number; // 1
  readonly size: number;
}

export class StsRegressor {
  readonly params: Float64Array;
  readonly grads: Float64Array;
  private readonly layout: Layout;
  /** Scratch buffers for one example's pass, reused to avoid allocation per example. */
  private readonly preActivation: Float64Array;
  private readonly activation: Float64Array;
  private readonly hiddenGrad: Float64Array;

  constructor(readonly options: ModelOptions, rng: Rng) {
    const { inputDim, hidden, maxScore, initialPrediction, inputInitStd } = options;
    if (!Number.isInteger(inputDim) || inputDim < 1) throw new Error(`inputDim must be a positive integer, got ${inputDim}`);
    if (!Number.isInteger(hidden) || hidden < 0) throw new Error(`hidden must be a non-negative integer, got ${hidden}`);
    const wide = 0;
    const w1 = inputDim;
    const b1 = w1 + inputDim * hidden;
    const w2 = b1 + hidden;
    const b2 = w2 + hidden;
    this.layout = { wide, w1, b1, w2, b2, size: b2 + 1 };
    this.params = new Float64Array(this.layout.size);
    this.grads = new Float64Array(this.layout.size);
    this.preActivation = new Float64Array(hidden);
    this.activation = new Float64Array(hidden);
    this.hiddenGrad = new Float64Array(hidden);

    // The wide weights, the biases and the output weights start at zero; only the first layer is random
    // (to break symmetry). A zero output layer means the random hidden units add no noise to the first
    // predictions: measured on KorSTS, a random output layer cost 0.01-0.02 dev Pearson after 5 epochs.
    // It still learns: the output weights' gradient is (loss gradient) * activation, nonzero from step 1.
    for (let i = w1; i < b1; i++) this.params[i] = inputInitStd * rng.normal();
    const p = Math.min(Math.max(initialPrediction / maxScore, 1e-3), 1 - 1e-3);
    this.params[b2] = Math.log(p / (1 - p));
  }

  /** Parameter ranges that weight decay applies to: the weight matrices, not the biases. */
  get decayRanges(): ReadonlyArray<readonly [number, number]> {
    // [wide, b1) covers the wide weights and the first-layer matrix, which sit side by side.
    const { wide, b1, w2, b2 } = this.layout;
    return [[wide, b1], [w2, b2]];
  }

  /** Predicted score in [0, maxScore]. */
  predict(x: SparseVector): number {
    return this.options.maxScore * sigmoid(this.logit(x));
  }

  /**
   * Forward and backward for one example. `lossGrad` maps the prediction to dLoss/dPrediction; the gradient,
   * times `scale` (1/batch size for a mean), is added to `grads`. Returns the prediction.
   */
  accumulateGradient(x: SparseVector, lossGrad: (prediction: number) => number, scale: number): number {
    const { hidden, maxScore } = this.options;
    const { wide, w1, b1, w2, b2 } = this.layout;
    const params = this.params;
    const grads = this.grads;
    const s = sigmoid(this.logit(x));
    const prediction = maxScore * s;
    // d prediction / d z for prediction = maxScore * sigmoid(z).
    const g = scale * lossGrad(prediction) * maxScore * s * (1 - s);
    grads[b2]! += g;
    for (let k = 0; k < x.indices.length; k++) grads[wide + x.indices[k]!]! += g * x.values[k]!;
    if (hidden === 0) return prediction;
    const act = this.activation;
    const pre = this.preActivation;
    const hiddenGrad = this.hiddenGrad;
    for (let h = 0; h < hidden; h++) {
      grads[w2 + h]! += g * act[h]!;
      hiddenGrad[h] = pre[h]! > 0 ? g * params[w2 + h]! : 0;
      grads[b1 + h]! += hiddenGrad[h]!;
    }
    for (let k = 0; k < x.indices.length; k++) {
      const row = w1 + x.indices[k]! * hidden;
      const xk = x.values[k]!;
      for (let h = 0; h < hidden; h++) grads[row + h]! += xk * hiddenGrad[h]!;
    }
    return prediction;
  }

  /** The pre-sigmoid output; also leaves the hidden layer in the scratch buffers for the backward pass. */
  private logit(x: SparseVector): number {
    const { hidden } = this.options;
    const { wide, w1, b1, w2, b2 } = this.layout;
    const params = this.params;
    let z = params[b2]!;
    for (let k = 0; k < x.indices.length; k++) z += params[wide + x.indices[k]!]! * x.values[k]!;
    if (hidden === 0) return z;
    const pre = this.preActivation;
    for (let h = 0; h < hidden; h++) pre[h] = params[b1 + h]!;
    for (let k = 0; k < x.indices.length; k++) {
      const row = w1 + x.indices[k]! * hidden;
      const xk = x.values[k]!;
      for (let h = 0; h < hidden; h++) pre[h]! += params[row + h]! * xk;
    }
    const act = this.activation;
    for (let h = 0; h < hidden; h++) {
      const a = pre[h]! > 0 ? pre[h]! : 0;
      act[h] = a;
      z += params[w2 + h]! * a;
    }
    return z;
  }
}

function sigmoid(z: number): number {
  // Split by sign so exp never overflows.
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
