/**
 * The training loop on tfjs: shuffled mini-batches, loss and gradients by tf.variableGrads, AdamW under
 * linear warmup then linear decay (sts-hash's schedule), dev evaluation after each epoch. It takes feature
 * matrices, so it does not care whether they came from hashed n-grams or an ONNX encoder; argv, signals and
 * the metric protocol are the entry point's business (train.ts), reached through TrainingHooks.
 */
import type * as tfTypes from "@tensorflow/tfjs";
import { MAX_SCORE } from "../sts-hash/data.js";
import type { LossName } from "../sts-hash/loss.js";
import { pearson, spearman } from "../sts-hash/metrics.js";
import { Rng } from "../sts-hash/rng.js";
import { warmupLinearDecay, warmupStepsFor } from "../sts-hash/schedule.js";
import type { EpochResult, TrainingHooks, TrainingOutcome } from "../sts-hash/trainer.js";
import { AdamW } from "./adamw.js";
import type { ModelName } from "./args.js";
import type { Tf } from "./backend.js";
import type { FeatureMatrix } from "./features.js";
import { TfStsModel } from "./model.js";

export type { EpochResult, TrainingHooks, TrainingOutcome };

export interface TfTrainingSettings {
  readonly lr: number;
  readonly batchSize: number;
  readonly warmupRatio: number;
  readonly weightDecay: number;
  readonly epochs: number;
  readonly loss: LossName;
  readonly modelName: ModelName;
  readonly hidden: number;
  readonly seed: number;
}

export interface LabelledFeatures {
  readonly features: FeatureMatrix;
  /** Gold scores, one per row. */
  readonly scores: Float32Array;
}

/** Huber transition point for smooth_l1: PyTorch's default beta = 1, as sts-hash's loss.ts. */
const SMOOTH_L1_BETA = 1;

/** Mean loss over the batch, as a scalar tensor. */
export function lossTensor(tf: Tf, kind: LossName, predictions: tfTypes.Tensor, targets: tfTypes.Tensor): tfTypes.Scalar {
  return tf.tidy(() => {
    const d = tf.sub(predictions, targets);
    switch (kind) {
      case "mse":
        return tf.mean(tf.square(d)) as tfTypes.Scalar;
      case "l1":
        return tf.mean(tf.abs(d)) as tfTypes.Scalar;
      case "smooth_l1": {
        // Huber with beta = 1 written with minimum (which has a gradient) rather than where(less(...)) (which
        // does not in tfjs): q = min(|d|, beta); loss = 0.5 q^2 / beta + (|d| - q).
        const a = tf.abs(d);
        const q = tf.minimum(a, SMOOTH_L1_BETA);
        return tf.mean(tf.add(tf.div(tf.mul(tf.square(q), 0.5), SMOOTH_L1_BETA), tf.sub(a, q))) as tfTypes.Scalar;
      }
    }
  });
}

export async function trainTfStsRegressor(
  tf: Tf,
  settings: TfTrainingSettings,
  train: LabelledFeatures,
  dev: LabelledFeatures,
  hooks: TrainingHooks,
): Promise<TrainingOutcome> {
  const rng = new Rng(settings.seed);
  const n = train.features.rows;
  const meanScore = train.scores.reduce((sum, s) => sum + s, 0) / n;
  const model = new TfStsModel(
    tf,
    { inputDim: train.features.cols, kind: settings.modelName, hidden: settings.hidden, maxScore: MAX_SCORE, initialPrediction: meanScore },
    rng,
  );
  const optimizer = new AdamW(tf, model.variables, model.decayed, { weightDecay: settings.weightDecay });
  const xTrain = tf.tensor2d(train.features.data, [n, train.features.cols]);
  const yTrain = tf.tensor1d(train.scores);
  const xDev = tf.tensor2d(dev.features.data, [dev.features.rows, dev.features.cols]);
  const totalSteps = Math.ceil(n / settings.batchSize) * settings.epochs;
  const warmupSteps = warmupStepsFor(settings.warmupRatio, totalSteps);
  const order = Array.from({ length: n }, (_, i) => i);
  const varList = Object.values(model.variables);

  try {
    const completed: EpochResult[] = [];
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      const started = performance.now();
      rng.shuffle(order);
      let lossSum = 0;
      for (let start = 0; start < n; start += settings.batchSize) {
        const batch = order.slice(start, start + settings.batchSize);
        const { value, grads } = tf.tidy(() => {
          const index = tf.tensor1d(batch, "int32");
          const x = tf.gather(xTrain, index) as tfTypes.Tensor2D;
          const y = tf.gather(yTrain, index);
          return tf.variableGrads(() => lossTensor(tf, settings.loss, model.predict(x), y), varList);
        });
        // Each example's loss is measured before the step that uses it, as in sts-hash.
        lossSum += value.dataSync()[0]! * batch.length;
        const lr = settings.lr * warmupLinearDecay(optimizer.stepCount + 1, totalSteps, warmupSteps);
        optimizer.step(byName(model, grads), lr);
        tf.dispose([value, ...Object.values(grads)]);
        if (await stopRequested(hooks)) return { completedEpochs: completed, stopped: true };
      }
      const evaluation = evaluate(tf, model, xDev, dev.scores, settings.loss);
      if (await stopRequested(hooks)) return { completedEpochs: completed, stopped: true };
      const result: EpochResult = {
        epoch,
        trainLoss: lossSum / n,
        valLoss: evaluation.loss,
        valPearson: evaluation.pearson,
        valSpearman: evaluation.spearman,
        seconds: (performance.now() - started) / 1000,
      };
      completed.push(result);
      hooks.onEpoch(result);
    }
    return { completedEpochs: completed, stopped: false };
  } finally {
    tf.dispose([xTrain, yTrain, xDev]);
    optimizer.dispose();
    model.dispose();
  }
}

/** variableGrads keys gradients by the variables' names; the optimizer wants the model's own keys. */
function byName(model: TfStsModel, grads: Record<string, tfTypes.Tensor>): Record<string, tfTypes.Tensor> {
  const out: Record<string, tfTypes.Tensor> = {};
  for (const [key, variable] of Object.entries(model.variables)) out[key] = grads[variable.name]!;
  return out;
}

function evaluate(tf: Tf, model: TfStsModel, x: tfTypes.Tensor2D, gold: Float32Array, loss: LossName) {
  const [predictionTensor, lossTensorValue] = tf.tidy(() => {
    const p = model.predict(x);
    return [p, lossTensor(tf, loss, p, tf.tensor1d(gold))];
  });
  const predictions = Float64Array.from(predictionTensor.dataSync());
  const lossValue = lossTensorValue.dataSync()[0]!;
  tf.dispose([predictionTensor, lossTensorValue]);
  const goldScores = Float64Array.from(gold);
  return { loss: lossValue, pearson: pearson(predictions, goldScores), spearman: spearman(predictions, goldScores) };
}

/** Let pending signal handlers run between batches (the loop is otherwise synchronous), then ask the hooks. */
async function stopRequested(hooks: TrainingHooks): Promise<boolean> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  return hooks.shouldStop();
}
