/**
 * Our side of the pruning benchmark: one sweep per (method, seed) through the public library API — a
 * W&B-style config (with `early_terminate` or a `sweep.pruner` block), in-memory storage, `optimize` with
 * an objective that reports one loss per epoch and stops when `shouldPrune()` says so — as a user's
 * in-process sweep would run.
 */
import { parseSweepConfig } from "../../src/config/index.js";
import { createPruner } from "../../src/pruners/index.js";
import { TrialPruned, createSweep, optimize } from "../../src/study/index.js";
import { EPOCHS, parameters, reportedLoss, trueFinal, type CurveParams } from "./curves.js";

/** One trial as the metrics need it, in the order trials ran. */
export interface TrialOutcome {
  readonly epochs: number;
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

export async function runOurs(method: OurMethod, seed: number, trials: number): Promise<{ outcomes: TrialOutcome[]; params: CurveParams[] }> {
  const resolved = parseSweepConfig(
    JSON.stringify({
      method: method.method,
      metric: { name: "val_loss", goal: "minimize" },
      parameters,
      ...(method.earlyTerminate ? { early_terminate: method.earlyTerminate } : {}),
      sweep: { seed, ...(method.pruner ? { pruner: method.pruner } : {}) },
    }),
    { format: "json" },
  );
  const sweep = await createSweep({ config: resolved, storage: ":memory:", pruner: createPruner(resolved.config) });
  const outcomes: TrialOutcome[] = [];
  const params: CurveParams[] = [];
  await optimize(
    sweep,
    async (trial) => {
      const p = trial.params as unknown as CurveParams;
      params[trial.number] = p;
      for (let epoch = 1; epoch <= EPOCHS; epoch++) {
        await trial.report(epoch, { val_loss: reportedLoss(p, seed, trial.number, epoch) });
        if (epoch < EPOCHS && (await trial.shouldPrune())) {
          outcomes[trial.number] = { epochs: epoch, completed: false, trueFinal: trueFinal(p) };
          throw new TrialPruned();
        }
      }
      outcomes[trial.number] = { epochs: EPOCHS, completed: true, trueFinal: trueFinal(p) };
    },
    { trials, rethrow: true },
  );
  return { outcomes, params };
}
