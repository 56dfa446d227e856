/**
 * Choosing the early-termination rule of a sweep:
 *
 * - `sweep.pruner` block (ours: median, asha, hyperband, none; or wandb_hyperband, W&B's with its options
 *   spelled out, where `keep_slow_starters: false` is W&B's rule exactly) — wins when present, so a W&B file can keep
 *   its `early_terminate` for W&B while running here with another rule (`type: none` turns pruning off);
 * - else W&B's `early_terminate: {type: hyperband, …}` — W&B's bands and thresholds, keeping slow starters by default;
 * - else no pruning.
 */
import type { SweepConfig } from "../config/types.js";
import { AshaPruner } from "./asha.js";
import { HyperbandPruner } from "./hyperband.js";
import { MedianPruner } from "./median.js";
import { PrunerConfigError, checkKeys, quote } from "./options.js";
import { noPruner, type Pruner } from "./types.js";
import { WandbHyperbandPruner } from "./wandb-hyperband.js";

export type { Pruner, PrunerContext, PruneDecision } from "./types.js";
export { noPruner } from "./types.js";
export { WandbHyperbandPruner, wandbHyperbandBands, defaultS, skippedBands, type WandbHyperbandOptions } from "./wandb-hyperband.js";
export { MedianPruner, type MedianPrunerOptions } from "./median.js";
export { AshaPruner, type AshaPrunerOptions } from "./asha.js";
export { HyperbandPruner, interleave, type HyperbandPrunerOptions } from "./hyperband.js";
export { highestRungAt, type RungLadder } from "./rungs.js";
export { PrunerConfigError } from "./options.js";

/** The `type`s the `sweep.pruner` block accepts, with the option names each takes. */
export const PRUNER_BLOCK_OPTIONS = {
  median: ["warmup_steps", "min_trials"],
  asha: ["min_resource", "reduction_factor", "min_early_stopping_rate", "max_resource", "min_trials"],
  hyperband: ["min_resource", "max_resource", "reduction_factor", "min_trials"],
  /**
   * W&B's hyperband with its `early_terminate` keys, plus `keep_slow_starters` (false: W&B's rule exactly) and
   * `forecast` (false: compare values at every band, not forecasts).
   */
  wandb_hyperband: ["min_iter", "max_iter", "eta", "s", "strict", "keep_slow_starters", "forecast"],
  none: [],
} as const satisfies Record<string, readonly string[]>;

export type PrunerType = keyof typeof PRUNER_BLOCK_OPTIONS;

/**
 * The pruner a validated sweep config asks for. Throws `PrunerConfigError` (with `path`, `expected`,
 * `found`) for a `sweep.pruner` block that cannot be used.
 */
export function createPruner(config: SweepConfig): Pruner {
  const block = config.sweep.pruner;
  if (block !== undefined) {
    const pruner = prunerFromBlock(block);
    if (pruner !== noPruner && config.metric === undefined) {
      throw new PrunerConfigError("sweep.pruner", 'a "metric" to compare trials on', "no metric in the sweep config");
    }
    return pruner;
  }
  if (config.early_terminate !== undefined) return WandbHyperbandPruner.fromSpec(config.early_terminate);
  return noPruner;
}

/** A pruner from our own block, as written in the sweep file (snake_case options). */
export function prunerFromBlock(block: Readonly<Record<string, unknown>>, path = "sweep.pruner"): Pruner {
  if (typeof block !== "object" || block === null || Array.isArray(block)) {
    throw new PrunerConfigError(path, 'a mapping such as {type: median, warmup_steps: 5}', quote(block));
  }
  const { type, ...options } = block;
  const types = Object.keys(PRUNER_BLOCK_OPTIONS);
  if (typeof type !== "string" || !Object.hasOwn(PRUNER_BLOCK_OPTIONS, type)) {
    throw new PrunerConfigError(`${path}.type`, `one of ${types.map((t) => `"${t}"`).join(", ")}`, quote(type));
  }
  checkKeys(path, options, PRUNER_BLOCK_OPTIONS[type as PrunerType]);
  const o = options as Record<string, unknown>;
  const num = (key: string) => o[key] as number | undefined;
  switch (type as PrunerType) {
    case "median":
      return new MedianPruner({ warmupSteps: num("warmup_steps"), minTrials: num("min_trials") }, path);
    case "asha":
      return new AshaPruner(
        {
          minResource: num("min_resource"),
          reductionFactor: num("reduction_factor"),
          minEarlyStoppingRate: num("min_early_stopping_rate"),
          maxResource: num("max_resource"),
          minTrials: num("min_trials"),
        },
        path,
      );
    case "hyperband":
      return new HyperbandPruner(
        {
          minResource: num("min_resource"),
          maxResource: num("max_resource")!,
          reductionFactor: num("reduction_factor"),
          minTrials: num("min_trials"),
        },
        path,
      );
    case "wandb_hyperband":
      return new WandbHyperbandPruner(
        {
          minIter: num("min_iter"),
          maxIter: num("max_iter"),
          eta: num("eta"),
          s: num("s"),
          strict: o.strict as boolean | undefined,
          keepSlowStarters: o.keep_slow_starters as boolean | undefined,
          forecast: o.forecast as boolean | undefined,
        },
        path,
      );
    case "none":
      return noPruner;
  }
}
