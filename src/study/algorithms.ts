/**
 * Samplers and pruners stored with the sweep. A sampler or pruner object given to `createSweep` is written
 * into the stored config as the sweep file would spell it (`method` + `sweep.sampler`, `sweep.pruner` or
 * `early_terminate`), so every process that loads the sweep builds the same one from storage alone and
 * decides the same way. An object of a class this module does not know (a user's own) cannot be rebuilt
 * from data: its name is stored, and loading the sweep without passing one is refused.
 */
import type { SweepConfig } from "../config/types.js";
import { AshaPruner, HyperbandPruner, MedianPruner, WandbHyperbandPruner } from "../pruners/index.js";
import { noPruner, type Pruner } from "../pruners/types.js";
import { GpSampler, GridSampler, RandomSampler, TPESampler } from "../samplers/index.js";
import { gpOptionsAsConfig } from "../samplers/gp/index.js";
import type { Sampler } from "../samplers/types.js";

/** Names of custom samplers/pruners a sweep was created with (they must be passed again on load). */
export interface CustomAlgorithms {
  readonly sampler?: string;
  readonly pruner?: string;
}

export interface StoredAlgorithms {
  readonly config: SweepConfig;
  readonly custom: CustomAlgorithms;
}

/** The config with the given sampler and pruner written into it, plus the names of any that cannot be. */
export function withAlgorithms(config: SweepConfig, sampler: Sampler | undefined, pruner: Pruner | undefined): StoredAlgorithms {
  let out: SweepConfig = config;
  const custom: { sampler?: string; pruner?: string } = {};
  if (sampler !== undefined) {
    const spelled = samplerAsConfig(sampler);
    if (spelled === null) custom.sampler = sampler.name;
    else out = { ...out, method: spelled.method, sweep: { ...out.sweep, sampler: spelled.options } };
  }
  if (pruner !== undefined) {
    const spelled = prunerAsConfig(pruner);
    if (spelled === null) custom.pruner = pruner.name;
    else if ("early_terminate" in spelled) {
      const { pruner: _dropped, ...settings } = out.sweep;
      void _dropped;
      out = { ...out, early_terminate: spelled.early_terminate, sweep: settings };
    } else out = { ...out, sweep: { ...out.sweep, pruner: spelled.block } };
  }
  return { config: out, custom };
}

function samplerAsConfig(sampler: Sampler): { method: SweepConfig["method"]; options: Record<string, unknown> } | null {
  if (sampler instanceof RandomSampler) return { method: "random", options: {} };
  if (sampler instanceof GridSampler) return { method: "grid", options: {} };
  if (sampler instanceof GpSampler) return { method: "bayes", options: gpOptionsAsConfig(sampler.options) };
  if (sampler instanceof TPESampler) {
    const o = sampler.options;
    if (o.gammaFraction === null) return null; // a gamma function is code, not data
    return {
      method: "bayes",
      options: {
        n_startup_trials: o.nStartupTrials,
        n_ei_candidates: o.nEiCandidates,
        multivariate: o.multivariate,
        group: o.group,
        constant_liar: o.constantLiar,
        gamma: o.gammaFraction,
        max_good_trials: o.maxGoodTrials,
        prior_weight: o.priorWeight,
        consider_endpoints: o.considerEndpoints,
        magic_clip: o.magicClip,
      },
    };
  }
  return null;
}

type PrunerSpelling =
  | { readonly block: Record<string, unknown> }
  | { readonly early_terminate: NonNullable<SweepConfig["early_terminate"]> };

function prunerAsConfig(pruner: Pruner): PrunerSpelling | null {
  if (pruner === noPruner) return { block: { type: "none" } };
  if (pruner instanceof MedianPruner) return { block: { type: "median", warmup_steps: pruner.warmupSteps, min_trials: pruner.minTrials } };
  if (pruner instanceof AshaPruner) {
    return {
      block: dropUndefined({
        type: "asha",
        min_resource: pruner.minResource,
        reduction_factor: pruner.reductionFactor,
        min_early_stopping_rate: pruner.minEarlyStoppingRate,
        max_resource: pruner.maxResource,
        min_trials: pruner.minTrials,
      }),
    };
  }
  if (pruner instanceof HyperbandPruner) {
    return {
      block: {
        type: "hyperband",
        min_resource: pruner.minResource,
        max_resource: pruner.maxResource,
        reduction_factor: pruner.reductionFactor,
        min_trials: pruner.minTrials,
      },
    };
  }
  if (pruner instanceof WandbHyperbandPruner) {
    const o = pruner.options;
    // W&B's rule exactly, or slow starters kept without forecasts, is spelled as our block (early_terminate
    // means keeping slow starters with forecasts).
    if (!pruner.keepSlowStarters || !pruner.forecast) {
      return {
        block: dropUndefined({
          type: "wandb_hyperband",
          min_iter: o.minIter,
          max_iter: o.maxIter,
          eta: pruner.eta,
          s: o.s,
          strict: pruner.strict,
          keep_slow_starters: pruner.keepSlowStarters,
          forecast: pruner.keepSlowStarters ? false : undefined,
        }),
      };
    }
    return {
      early_terminate: dropUndefined({
        type: "hyperband",
        min_iter: o.minIter,
        max_iter: o.maxIter,
        eta: pruner.eta,
        s: o.s,
        strict: pruner.strict,
      }) as unknown as NonNullable<SweepConfig["early_terminate"]>,
    };
  }
  return null;
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
