/**
 * Typed sweep configs (src/config/input.ts): what the compiler accepts and rejects is checked by compiling
 * this file with the suite. Each `@ts-expect-error` line must fail to type-check (tsc reports an unused
 * directive otherwise), and each `Expect<Equal<…>>` must hold. The functions holding them are never called:
 * those lines are for the compiler only. The tests at the bottom run the typed API for real.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ConfigError,
  createSweep,
  defineSweepConfig,
  optimize,
  type DistributionInput,
  type Sweep,
  type SweepConfigInput,
  type TrialConfigOf,
} from "sweep-hp";

import type { DistributionKind } from "../../src/space/types.js";
import type {
  EARLY_TERMINATE_KEYS,
  METRIC_KEYS,
  SWEEP_SETTING_KEYS,
  TOP_LEVEL_KEYS,
  WANDB_ONLY_METRIC_KEYS,
  WANDB_ONLY_TOP_LEVEL_KEYS,
} from "../../src/config/keys.js";
import type { EarlyTerminateInput, MetricInput, SweepBlockInput } from "sweep-hp";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
/** The `trial.config` type of a sweep. */
type ConfigOfSweep<S> = S extends Sweep<infer C> ? C : never;

const readme = defineSweepConfig({
  method: "random",
  metric: { name: "val_pearson", goal: "maximize" },
  parameters: {
    lr: { distribution: "log_uniform_values", min: 1e-6, max: 1e-4 },
    batch_size: { values: [16, 32] },
    warmup: { min: 0, max: 100 },
    model: { value: "klue/roberta-base" },
    optimizer: { parameters: { beta1: { distribution: "uniform", min: 0.8, max: 0.99 }, name: { values: ["adamw", "sgd"] } } },
  },
});

export type Inferred = [
  Expect<Equal<TrialConfigOf<typeof readme>["lr"], number>>,
  Expect<Equal<TrialConfigOf<typeof readme>["batch_size"], 16 | 32>>,
  Expect<Equal<TrialConfigOf<typeof readme>["warmup"], number>>,
  Expect<Equal<TrialConfigOf<typeof readme>["model"], "klue/roberta-base">>,
  Expect<Equal<TrialConfigOf<typeof readme>["optimizer"]["beta1"], number>>,
  Expect<Equal<TrialConfigOf<typeof readme>["optimizer"]["name"], "adamw" | "sgd">>,
  // A config the compiler cannot read keeps the plain record of before.
  Expect<Equal<TrialConfigOf<Record<string, unknown>>, Record<string, unknown>>>,
  Expect<Equal<TrialConfigOf<SweepConfigInput>, Record<string, unknown>>>,
];

/**
 * The types name exactly the keys the validator reads (src/config/keys.ts): a key added there without its
 * type in src/config/input.ts fails to compile here.
 */
export type SameKeysAsTheValidator = [
  Expect<Equal<keyof SweepConfigInput, keyof typeof TOP_LEVEL_KEYS | keyof typeof WANDB_ONLY_TOP_LEVEL_KEYS>>,
  Expect<Equal<keyof MetricInput, keyof typeof METRIC_KEYS | keyof typeof WANDB_ONLY_METRIC_KEYS>>,
  Expect<Equal<keyof EarlyTerminateInput, keyof typeof EARLY_TERMINATE_KEYS>>,
  Expect<Equal<keyof SweepBlockInput, keyof typeof SWEEP_SETTING_KEYS>>,
  Expect<Equal<NonNullable<DistributionInput["distribution"]>, DistributionKind | "categorical_w_probabilities">>,
];

/** Compiled, never run. */
export async function accepted(): Promise<void> {
  // Written in place, as in the README: trial.config is typed from the literal.
  const inPlace = await createSweep({
    config: { method: "bayes", metric: { name: "loss" }, parameters: { lr: { min: 0.001, max: 0.1 }, bs: { values: [16, 32] } } },
  });
  await optimize(inPlace, async (trial) => {
    const lr: number = trial.config.lr;
    const bs: 16 | 32 = trial.config.bs;
    await trial.report(1, { loss: lr * bs });
  });
  type InPlace = ConfigOfSweep<typeof inPlace>;
  const inPlaceChecks: [Expect<Equal<InPlace["lr"], number>>, Expect<Equal<InPlace["bs"], 16 | 32>>] = [true, true];
  void inPlaceChecks;

  // Through defineSweepConfig.
  const defined = await createSweep({ config: readme, storage: ":memory:" });
  await optimize(defined, (trial) => trial.config.lr * trial.config.batch_size);

  // Every distribution we support, each with the keys it reads.
  const all = {
    a: { value: 1 },
    b: { values: ["x", "y"], probabilities: [0.3, 0.7] },
    c: { distribution: "categorical_w_probabilities", values: [1, 2], probabilities: [0.5, 0.5] },
    d: { distribution: "int_uniform", min: 1, max: 8 },
    e: { distribution: "uniform", min: 0, max: 1 },
    f: { distribution: "q_uniform", min: 0, max: 10, q: 2 },
    g: { distribution: "log_uniform", min: -9, max: -2 },
    h: { distribution: "log_uniform_values", min: 1e-5, max: 1e-2 },
    i: { distribution: "q_log_uniform", min: 0, max: 5, q: 1 },
    j: { distribution: "q_log_uniform_values", min: 1, max: 1024, q: 8 },
    k: { distribution: "inv_log_uniform", min: 0, max: 5 },
    l: { distribution: "inv_log_uniform_values", min: 1, max: 100 },
    m: { distribution: "normal", mu: 0, sigma: 2 },
    n: { distribution: "q_normal", q: 0.5 },
    o: { distribution: "log_normal", mu: 1 },
    p: { distribution: "q_log_normal", sigma: 1, q: 1 },
    r: { distribution: "beta", a: 2, b: 5 },
    s: { distribution: "constant", value: [1, 2] },
  } as const satisfies Record<string, DistributionInput>;
  defineSweepConfig({
    method: "grid",
    parameters: all,
    early_terminate: { type: "hyperband", min_iter: 3, eta: 2, strict: false },
    run_cap: 20,
    command: ["${env}", "python", "${program}", "${args}"],
    sweep: {
      seed: 1,
      gpus: [0, 2],
      trials_per_gpu: 2,
      trial_timeout: "2h",
      objective: "best",
      pruner: { type: "median" },
      resources: [{ when: { d: [1, 2] }, trials_per_gpu: 1 }, { when: { b: "y" }, gpus_per_trial: 2 }],
    },
  });

  // Backward compatible: configs the compiler cannot read are accepted as before, validated at run time.
  const record: Record<string, unknown> = { method: "random", parameters: {} };
  const fromRecord = await createSweep({ config: record });
  await optimize(fromRecord, (trial) => {
    const untyped: Record<string, unknown> = trial.config;
    return Number(untyped.x);
  });
  const widened = { method: "random", metric: { name: "loss", goal: "minimize" }, parameters: { x: { min: 0, max: 1 } } };
  await createSweep({ config: widened });
  const parsed: unknown = JSON.parse("{}");
  await createSweep({ config: parsed as Record<string, unknown> });
  await createSweep({ config: "method: random\nparameters: {x: {values: [1, 2]}}\n" });
  await createSweep({ file: "sweeps/demo.yaml" });
  const names = ["a", "b"];
  await createSweep({ config: { method: "random", parameters: Object.fromEntries(names.map((n) => [n, { values: [1, 2] }])) } });
}

/** Compiled, never run: each marked line must be a compile error. */
export async function rejected(): Promise<void> {
  // @ts-expect-error: misspelt method
  defineSweepConfig({ method: "randm", parameters: { x: { values: [1] } } });
  // @ts-expect-error: misspelt method, written in place
  await createSweep({ config: { method: "randm", parameters: { x: { values: [1] } } } });
  // @ts-expect-error: goal is minimize or maximize
  defineSweepConfig({ method: "random", metric: { name: "loss", goal: "maximise" }, parameters: {} });
  // @ts-expect-error: goal, written in place
  await createSweep({ config: { method: "random", metric: { name: "loss", goal: "max" }, parameters: {} } });
  // @ts-expect-error: unknown distribution
  defineSweepConfig({ method: "random", parameters: { lr: { distribution: "log_uniformm", min: 1e-5, max: 1e-3 } } });
  // @ts-expect-error: normal reads mu and sigma, not min
  defineSweepConfig({ method: "random", parameters: { lr: { distribution: "normal", min: 0 } } });
  // @ts-expect-error: a range needs both bounds
  defineSweepConfig({ method: "random", parameters: { lr: { distribution: "uniform", min: 0 } } });
  // @ts-expect-error: bounds are numbers
  defineSweepConfig({ method: "random", parameters: { lr: { min: "0", max: 1 } } });
  // @ts-expect-error: only hyperband
  defineSweepConfig({ method: "random", parameters: {}, early_terminate: { type: "median" } });
  // @ts-expect-error: trials_per_gpu is a number
  defineSweepConfig({ method: "random", parameters: {}, sweep: { trials_per_gpu: "2" } });
  // @ts-expect-error: misspelt key of the sweep: block
  defineSweepConfig({ method: "random", parameters: {}, sweep: { trial_per_gpu: 2 } });
  // @ts-expect-error: method is required
  defineSweepConfig({ parameters: {} });
  const typed = await createSweep({ config: { method: "random", parameters: { bs: { values: [16, 32] } } } });
  await optimize(typed, (trial) => {
    // @ts-expect-error: no such parameter
    return trial.config.lr;
  });
  await optimize(typed, (trial) => {
    // @ts-expect-error: bs is 16 | 32, not a string
    const bs: string = trial.config.bs;
    return bs.length;
  });
}

test("a typed config runs, and trial.config holds the values its type promises", async () => {
  const sweep = await createSweep({
    config: {
      method: "random",
      metric: { name: "score", goal: "maximize" },
      parameters: {
        lr: { distribution: "log_uniform_values", min: 1e-6, max: 1e-4 },
        batch_size: { values: [16, 32] },
        optimizer: { parameters: { name: { value: "adamw" } } },
      },
      sweep: { seed: 7 },
    },
  });
  const seen: Array<{ lr: number; batchSize: 16 | 32; optimizer: "adamw" }> = [];
  await optimize(
    sweep,
    async (trial) => {
      seen.push({ lr: trial.config.lr, batchSize: trial.config.batch_size, optimizer: trial.config.optimizer.name });
      await trial.report(1, { score: trial.config.lr * trial.config.batch_size });
    },
    { trials: 6 },
  );
  assert.equal(seen.length, 6);
  for (const { lr, batchSize, optimizer } of seen) {
    assert.ok(lr >= 1e-6 && lr <= 1e-4, `lr ${lr}`);
    assert.ok(batchSize === 16 || batchSize === 32, `batch_size ${batchSize}`);
    assert.equal(optimizer, "adamw");
  }
});

test("run-time validation is unchanged: a config that bypasses the types is still refused", async () => {
  const config = { method: "randm", parameters: { x: { values: [1] } } } as unknown as SweepConfigInput;
  await assert.rejects(createSweep({ config }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /randm/);
    return true;
  });
  const widened = { method: "random", parameters: { x: { distribution: "normal", min: 0 } } };
  await assert.rejects(createSweep({ config: widened }), ConfigError);
});

test("defineSweepConfig returns its argument", () => {
  const config = { method: "grid", parameters: { x: { values: [1, 2] } } } as const;
  assert.equal(defineSweepConfig(config), config);
});
