/**
 * The seeds' situation as a real storage: one sweep per model, named after the model (as the W&B sweeps
 * were), plus one sweep over several models with a `model_name` parameter. Trials run through the library
 * (ask / report / tell) with deterministic fake metrics, so each model's best trial is known exactly.
 *
 * The single-model sweeps call their parameters `lr`, `batch_size`, `warmup_ratio`, `weight_decay`; the
 * multi-model sweep uses Hugging Face's names (`learning_rate`, `per_device_train_batch_size`,
 * `warmup_steps`), so `best` has to recognise both.
 */
import { createSweep } from "../../src/study/index.js";
import { openStorage } from "../../src/storage/index.js";
import type { Sweep } from "../../src/study/index.js";

export interface ExpectedBest {
  readonly model: string;
  readonly value: number;
  readonly lr: number;
  readonly batchSize: number;
  readonly warmup: number;
  readonly weightDecay: number;
}

export interface SeedStorage {
  readonly db: string;
  /** Sweep id by sweep name ("multi" for the multi-model sweep). */
  readonly ids: Readonly<Record<string, string>>;
  /** Best row per model over every sweep, best model first. */
  readonly expected: readonly ExpectedBest[];
}

/** Per model: the score at its optimum, and which batch size it prefers. */
const SINGLE_MODELS = [
  { name: "monologg/koelectra-base-v3-discriminator", peak: 0.86, batch: 32 },
  { name: "klue/roberta-base", peak: 0.88, batch: 16 },
  { name: "klue/roberta-large", peak: 0.91, batch: 16 },
  { name: "xlm-roberta-large", peak: 0.84, batch: 32 },
];
const MULTI_MODELS = [
  { name: "klue/roberta-base", peak: 0.895, batch: 32 },
  { name: "snunlp/KR-ELECTRA-discriminator", peak: 0.87, batch: 16 },
];

/** A made-up but smooth response surface with its optimum at lr 3e-5, warmup 0.1 / 100 steps, wd 0.01. */
function score(peak: number, preferredBatch: number, lr: number, batch: number, warmup: number, weightDecay: number): number {
  const lrPenalty = Math.abs(Math.log10(lr / 3e-5)) * 0.05;
  const batchPenalty = batch === preferredBatch ? 0 : 0.015;
  const warmupPenalty = warmup === 0 ? 0.01 : 0;
  const wdPenalty = weightDecay === 0.01 ? 0 : 0.005;
  return Number((peak - lrPenalty - batchPenalty - warmupPenalty - wdPenalty).toFixed(6));
}

/** Three epochs of metrics ending at `final`; val_loss dips at epoch 2 and rises again (overfitting). */
async function reportEpochs(sweep: Sweep, trial: { id: number }, final: number, epochs = 3): Promise<void> {
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const pearson = Number((final - 0.04 * (3 - epoch)).toFixed(6));
    await sweep.report(trial.id, epoch, {
      val_pearson: pearson,
      val_spearman: Number((pearson - 0.01).toFixed(6)),
      val_loss: Number((1 - final + (epoch === 2 ? -0.05 : 0.02 * (3 - epoch))).toFixed(6)),
      train_loss: Number((0.9 / epoch).toFixed(6)),
    });
  }
}

export async function buildSeedStorage(db: string): Promise<SeedStorage> {
  const storage = await openStorage(db);
  const ids: Record<string, string> = {};
  const best = new Map<string, ExpectedBest>();
  const consider = (candidate: ExpectedBest) => {
    const current = best.get(candidate.model);
    if (!current || candidate.value > current.value) best.set(candidate.model, candidate);
  };

  for (const model of SINGLE_MODELS) {
    const sweep = await createSweep({
      storage,
      config: {
        name: model.name,
        method: "grid",
        metric: { name: "val_pearson", goal: "maximize" },
        parameters: {
          lr: { values: [1e-5, 3e-5, 5e-5] },
          batch_size: { values: [16, 32] },
          warmup_ratio: { values: [0, 0.1] },
          weight_decay: { values: [0, 0.01] },
          optimizer: { value: "adamw" },
        },
      },
    });
    ids[model.name] = sweep.id;
    for (let trial = await sweep.ask({ worker: "seed" }); trial; trial = await sweep.ask({ worker: "seed" })) {
      const p = trial.params as { lr: number; batch_size: number; warmup_ratio: number; weight_decay: number };
      const value = score(model.peak, model.batch, p.lr, p.batch_size, p.warmup_ratio, p.weight_decay);
      if (p.lr === 1e-5) {
        // The slowest learners are stopped after one epoch, as hyperband would.
        await reportEpochs(sweep, trial, value, 1);
        await sweep.tell(trial, { state: "pruned", pruneStep: 1, pruneReason: "below the band threshold" });
        continue;
      }
      await reportEpochs(sweep, trial, value);
      await sweep.tell(trial, { state: "completed" });
      consider({ model: model.name, value, lr: p.lr, batchSize: p.batch_size, warmup: p.warmup_ratio, weightDecay: p.weight_decay });
    }
  }

  const multi = await createSweep({
    storage,
    config: {
      name: "korsts-models",
      method: "grid",
      metric: { name: "val_pearson", goal: "maximize" },
      parameters: {
        model_name: { values: MULTI_MODELS.map((m) => m.name) },
        learning_rate: { values: [3e-5, 5e-5] },
        per_device_train_batch_size: { values: [16, 32] },
        warmup_steps: { values: [0, 100] },
        weight_decay: { values: [0, 0.01] },
      },
    },
  });
  ids.multi = multi.id;
  for (let trial = await multi.ask({ worker: "seed" }); trial; trial = await multi.ask({ worker: "seed" })) {
    const p = trial.params as { model_name: string; learning_rate: number; per_device_train_batch_size: number; warmup_steps: number; weight_decay: number };
    const model = MULTI_MODELS.find((m) => m.name === p.model_name)!;
    const value = score(model.peak, model.batch, p.learning_rate, p.per_device_train_batch_size, p.warmup_steps, p.weight_decay);
    await reportEpochs(multi, trial, value);
    await multi.tell(trial, { state: "completed" });
    consider({ model: model.name, value, lr: p.learning_rate, batchSize: p.per_device_train_batch_size, warmup: p.warmup_steps, weightDecay: p.weight_decay });
  }
  await storage.close();
  return { db, ids, expected: [...best.values()].sort((a, b) => b.value - a.value) };
}
