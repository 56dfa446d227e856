/**
 * The regressor, as tfjs variables: wide and deep over the pair features. A linear ("wide") term over
 * every feature, plus for `wide_deep` a ReLU hidden layer, summed and squashed by 5 * sigmoid so
 * predictions stay on the KorSTS scale [0, 5]. Weights are drawn from the trainer's seeded PRNG, so a seed
 * gives the same run on every backend.
 */
import type * as tfTypes from "@tensorflow/tfjs";
import type { Rng } from "../sts-hash/rng.js";
import type { ModelName } from "./args.js";
import type { Tf } from "./backend.js";

export interface ModelShape {
  readonly inputDim: number;
  readonly kind: ModelName;
  readonly hidden: number;
  readonly maxScore: number;
  /** Starting prediction for every input (the training mean), set through the output bias. */
  readonly initialPrediction: number;
}

/**
 * Hidden-layer init scale. Pair features are sparse with entries of about 0.1, so 1/sqrt(fan_in) would
 * start the hidden units near zero for thousands of inputs; sts-hash found 0.1 best on the same features.
 */
const HIDDEN_INIT_STD = 0.1;

export class TfStsModel {
  /** Every trainable variable by name (the optimizer's keys). */
  readonly variables: Readonly<Record<string, tfTypes.Variable>>;
  /** Names of the variables weight decay applies to: the kernels, not the biases (as AdamW is used in practice). */
  readonly decayed: ReadonlySet<string>;

  constructor(
    private readonly tf: Tf,
    readonly shape: ModelShape,
    rng: Rng,
  ) {
    const { inputDim, hidden, maxScore, initialPrediction } = shape;
    const p = Math.min(Math.max(initialPrediction / maxScore, 1e-3), 1 - 1e-3);
    const vars: Record<string, tfTypes.Variable> = {
      wide_kernel: tf.variable(tf.zeros([inputDim, 1]), true),
      output_bias: tf.variable(tf.scalar(Math.log(p / (1 - p))), true),
    };
    if (shape.kind === "wide_deep") {
      vars.hidden_kernel = tf.variable(tf.tensor2d(normals(rng, inputDim * hidden, HIDDEN_INIT_STD), [inputDim, hidden]), true);
      vars.hidden_bias = tf.variable(tf.zeros([hidden]), true);
      vars.deep_kernel = tf.variable(tf.tensor2d(normals(rng, hidden, 1 / Math.sqrt(hidden)), [hidden, 1]), true);
    }
    this.variables = vars;
    this.decayed = new Set(Object.keys(vars).filter((name) => name.endsWith("_kernel")));
  }

  /** Predictions in [0, maxScore], shape [batch]. */
  predict(x: tfTypes.Tensor2D): tfTypes.Tensor1D {
    const tf = this.tf;
    const v = this.variables;
    return tf.tidy(() => {
      let z = tf.add(tf.matMul(x, v.wide_kernel as tfTypes.Tensor2D), v.output_bias!);
      if (v.hidden_kernel) {
        const h = tf.relu(tf.add(tf.matMul(x, v.hidden_kernel as tfTypes.Tensor2D), v.hidden_bias!));
        z = tf.add(z, tf.matMul(h as tfTypes.Tensor2D, v.deep_kernel as tfTypes.Tensor2D));
      }
      return tf.mul(tf.sigmoid(z), this.shape.maxScore).reshape([-1]) as tfTypes.Tensor1D;
    });
  }

  dispose(): void {
    for (const variable of Object.values(this.variables)) variable.dispose();
  }
}

function normals(rng: Rng, count: number, std: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.normal() * std;
  return out;
}
