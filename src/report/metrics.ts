/**
 * A trial's value for any metric it reported, not only the sweep's objective, and which direction is
 * better for it.
 */
import type { Goal } from "../config/types.js";
import { objectiveFromReports, type ObjectiveMode } from "../study/objective.js";
import type { SweepData, TrialData } from "./data.js";

/** `last`: the value at the highest step (W&B summary semantics); `best`: the best value by the goal. */
export type Aggregation = ObjectiveMode;

/**
 * Name endings that mean "lower is better" or "higher is better", so `--metric val_loss` needs no `--goal`.
 * Matched against the last `/`- or `.`-separated part, case-insensitively, on a word boundary (`eval_loss`,
 * `train/loss`, `val_f1`). Deliberately short: a name not listed must be given a `--goal` rather than guessed.
 */
const MINIMIZE_ENDINGS = ["loss", "error", "err", "mse", "mae", "rmse", "perplexity", "ppl", "wer", "cer"];
const MAXIMIZE_ENDINGS = ["accuracy", "acc", "f1", "pearson", "spearman", "auc", "auroc", "bleu", "rouge", "precision", "recall", "r2", "mcc"];

export type GoalResolution = { readonly goal: Goal; readonly source: string } | { readonly error: string };

/**
 * The goal for `metric` over some sweeps: the explicit one; else the sweeps' own goal when the metric is their
 * objective (they must agree); else one inferred from the name's ending; else an error asking for `--goal`.
 */
export function resolveGoal(metric: string, sweeps: readonly SweepData[], explicit?: Goal): GoalResolution {
  if (explicit) return { goal: explicit, source: "given" };
  const objectiveGoals = new Set(sweeps.filter((s) => s.config.metric?.name === metric).map((s) => s.config.metric!.goal));
  if (objectiveGoals.size === 1) return { goal: [...objectiveGoals][0]!, source: "the sweep's metric" };
  if (objectiveGoals.size > 1) {
    return { error: `the sweeps disagree on the goal of '${metric}' (some maximize, some minimize); give --goal max or --goal min` };
  }
  const inferred = goalFromName(metric);
  if (inferred) return { goal: inferred, source: "inferred from the name" };
  return {
    error: `'${metric}' is not the sweep's metric and its name does not say whether higher or lower is better; give --goal max or --goal min`,
  };
}

export function goalFromName(metric: string): Goal | null {
  const last = metric.split(/[/.]/).pop()!.toLowerCase();
  const endsWith = (ending: string) => last === ending || last.endsWith(`_${ending}`) || last.endsWith(`-${ending}`);
  if (MINIMIZE_ENDINGS.some(endsWith)) return "minimize";
  if (MAXIMIZE_ENDINGS.some(endsWith)) return "maximize";
  return null;
}

/**
 * The trial's value of `metric`. For the sweep's objective under the sweep's own aggregation this is the
 * stored objective (what the sampler and `sweep ls` saw, also when the value was told without reports);
 * otherwise it is computed from the reported values. Null when the trial never reported the metric.
 */
export function trialMetric(sweep: SweepData, trial: TrialData, metric: string, agg: Aggregation | undefined, goal: Goal): number | null {
  const isObjective = sweep.config.metric?.name === metric;
  const objectiveMode: Aggregation = sweep.config.sweep.objective ?? "last";
  const stored = trial.record.value;
  if (isObjective && (agg === undefined || agg === objectiveMode) && stored !== null && Number.isFinite(stored)) return stored;
  const curve = trial.curves.get(metric);
  if (curve && curve.length > 0) return objectiveFromReports(curve, agg ?? "last", goal);
  // A value told directly (no reports) is both the last and the best value there is.
  return isObjective && stored !== null && Number.isFinite(stored) ? stored : null;
}
