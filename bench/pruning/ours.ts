/**
 * Our side of the pruning benchmark: one sweep per (method, seed) through the public library API — a
 * W&B-style config (with `early_terminate` or a `sweep.pruner` block) read by `parseSweepConfig`, the
 * pruner `createPruner` makes of it, an in-memory sweep that asks (`next`), records every epoch's loss
 * (`report`) and finishes trials (`tell`) — until the epoch budget is spent.
 *
 * One shortcut: the pruner is asked directly, on a copy of the history the bench keeps in memory (the
 * same `TrialView`s `sweep.shouldPrune` builds, with the same statuses and reports), instead of through
 * `sweep.shouldPrune`, which re-reads the whole history from storage on every call. That re-read made a
 * 20-seed run take over an hour and measures storage, not pruning; the decisions are the same.
 */
import { parseSweepConfig } from "../../src/config/index.js";
import { createPruner } from "../../src/pruners/index.js";
import type { TrialView } from "../../src/samplers/types.js";
import { createSweep } from "../../src/study/index.js";
import { FAMILY_EPOCHS as EPOCHS, trueFinalOf, type CurveFamily, type Params } from "./families.js";

/** One trial as the metrics need it, in the order trials ran. */
export interface TrialOutcome {
  readonly epochs: number;
  /** Ran all EPOCHS epochs (not pruned, not cut off by the end of the budget). */
  readonly completed: boolean;
  /** Noiseless final loss of the trial's params (what it would have reached). */
  readonly trueFinal: number;
}

export interface OurMethod {
  readonly label: string;
  readonly method: "random" | "bayes";
  readonly earlyTerminate?: Record<string, unknown>;
  readonly pruner?: Record<string, unknown>;
}

export interface OurRun {
  readonly outcomes: TrialOutcome[];
  readonly params: Params[];
}

const METRIC = "val_loss";

function sweepConfig(family: CurveFamily, method: OurMethod, seed: number) {
  return parseSweepConfig(
    JSON.stringify({
      method: method.method,
      metric: { name: METRIC, goal: "minimize" },
      parameters: family.parameters,
      ...(method.earlyTerminate ? { early_terminate: method.earlyTerminate } : {}),
      sweep: { seed, ...(method.pruner ? { pruner: method.pruner } : {}) },
    }),
    { format: "json" },
  );
}

/** Run one sweep until `budget` epochs are spent; a trial still running then is cut off (not completed). */
export async function runOurs(family: CurveFamily, method: OurMethod, seed: number, budget: number): Promise<OurRun> {
  const resolved = sweepConfig(family, method, seed);
  const pruner = createPruner(resolved.config);
  const sweep = await createSweep({ config: resolved, storage: ":memory:", pruner });
  const outcomes: TrialOutcome[] = [];
  const params: Params[] = [];
  const views: TrialView[] = [];
  let spent = 0;
  try {
    while (spent < budget) {
      const next = await sweep.next();
      if ("stop" in next) throw new Error(`sweep stopped before the budget was spent: ${next.stop}`);
      const trial = next.trial;
      const p = trial.params as unknown as Params;
      params[trial.number] = p;
      const intermediate: { step: number; value: number }[] = [];
      const view = { number: trial.number, status: "running", params: trial.params, meta: {}, value: null, intermediate };
      views[trial.number] = view as TrialView;
      let epoch = 0;
      let ending: "completed" | "pruned" | "budget" = "completed";
      while (epoch < EPOCHS) {
        if (spent === budget) {
          ending = "budget";
          break;
        }
        epoch++;
        spent++;
        const loss = family.reportedLoss(p, seed, trial.number, epoch);
        await sweep.report(trial, epoch, { [METRIC]: loss });
        intermediate.push({ step: epoch, value: loss });
        if (epoch < EPOCHS && pruner.decide({ goal: "minimize", trial: view as TrialView, trials: views }).prune) {
          ending = "pruned";
          break;
        }
      }
      if (ending === "completed") {
        await sweep.tell(trial, { state: "completed" });
        views[trial.number] = { ...view, status: "completed", value: intermediate[intermediate.length - 1]!.value } as TrialView;
      } else {
        await sweep.tell(trial, { state: "pruned", pruneStep: epoch, pruneReason: ending === "budget" ? "epoch budget spent" : "pruned" });
        views[trial.number] = { ...view, status: "pruned" } as TrialView;
      }
      outcomes[trial.number] = { epochs: epoch, completed: ending === "completed", trueFinal: trueFinalOf(family, p) };
    }
  } finally {
    await sweep.storage.close();
  }
  return { outcomes, params };
}
