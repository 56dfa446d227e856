/**
 * A sweep that tests the report's and the dashboard's layout: a Korean name, Hugging Face model names that
 * differ only at their ends, a categorical parameter with Korean values, a log-scaled learning rate, and
 * trials in every state (completed, pruned, failed, running), with whole-number epochs and GPUs.
 */
import { createSweep, type Sweep } from "../../src/study/index.js";
import type { Storage } from "../../src/storage/types.js";

export const CJK_NAME = "한국어 문장 유사도 — KorSTS 미세조정 실험 (学習率 探索)";
export const LONG_MODELS = ["monologg/koelectra-base-v3-discriminator", "monologg/koelectra-small-v3-discriminator", "klue/roberta-base"];

/** A small deterministic generator (a linear congruential one): the same trials on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export async function createLayoutSweep(storage: Storage, options: { trials?: number; running?: number } = {}): Promise<Sweep> {
  const sweep = await createSweep({
    storage,
    config: {
      name: CJK_NAME,
      method: "random",
      metric: { name: "val_pearson", goal: "maximize" },
      parameters: {
        model_name: { values: LONG_MODELS },
        learning_rate: { distribution: "log_uniform_values", min: 1e-6, max: 1e-3 },
        per_device_train_batch_size: { values: [16, 32, 64] },
        optimizer: { values: ["adamw", "아담 (가중치 감쇠)", "sgd"] },
        warmup_ratio: { distribution: "uniform", min: 0, max: 0.2 },
      },
      run_cap: 40,
      sweep: { seed: 7 },
    },
  });
  const random = lcg(11);
  const total = options.trials ?? 24;
  for (let i = 0; i < total; i++) {
    const trial = (await sweep.ask({ worker: "layout" }))!;
    const p = trial.params as { model_name: string; learning_rate: number; per_device_train_batch_size: number; optimizer: string; warmup_ratio: number };
    await storage.updateTrial(trial.id, { gpus: String(i % 4) });
    const peak = 0.9 - LONG_MODELS.indexOf(p.model_name) * 0.03 - Math.abs(Math.log10(p.learning_rate / 3e-5)) * 0.06 - (p.optimizer === "sgd" ? 0.05 : 0);
    const epochs = i % 7 === 3 ? 2 : 5;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const value = Number((peak - 0.25 / epoch + random() * 0.01).toFixed(5));
      await sweep.report(trial, epoch, { val_pearson: value, train_loss: Number((1.2 / epoch + random() * 0.02).toFixed(5)) });
    }
    if (i % 11 === 5) await sweep.tell(trial, { state: "failed", error: "RuntimeError: CUDA out of memory. 메모리가 부족합니다" });
    else if (epochs === 2) await sweep.tell(trial, { state: "pruned", pruneStep: 2, pruneReason: "below the band threshold at step 2" });
    else await sweep.tell(trial, { state: "completed" });
  }
  for (let i = 0; i < (options.running ?? 1); i++) {
    const trial = (await sweep.ask({ worker: "layout" }))!;
    await storage.updateTrial(trial.id, { gpus: String(i % 4) });
    await sweep.report(trial, 1, { val_pearson: 0.5, train_loss: 1.1 });
  }
  return sweep;
}
