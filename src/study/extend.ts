/**
 * Extending a sweep: a new run_cap for a sweep that reached its old one (`sweep resume ID --run-cap N` or
 * `--add N`). The rule is a pure function of the stored config and the number of trials; the storage applies
 * it under its write lock (Storage.updateSweepConfig), so no trial is created between the check and the write.
 */
import type { SweepConfig } from "../config/types.js";
import { gridSize } from "../space/index.js";
import type { SearchSpace } from "../space/types.js";
import type { Storage, SweepRecord } from "../storage/types.js";
import { SweepNotFoundError, type StoredSweepConfig } from "./sweep.js";

/** `{runCap: N}`: the cap becomes N. `{add: N}`: N more than the cap (or, for a sweep with none, than its trials). */
export type RunCapChange = { readonly runCap: number } | { readonly add: number };

/** The change cannot be made (a cap not above the trials made, a grid with no point left): a usage error. */
export class SweepExtendError extends Error {
  override readonly name = "SweepExtendError";
}

export const SWEEP_EXTENDED_EVENT = "sweep_extended";

/**
 * The run_cap after `change`, for a sweep with `trialCount` trials (any status: run_cap counts them all). Throws a
 * SweepExtendError, naming the numbers, when the new cap would not let one more trial start.
 */
export function extendedRunCap(sweepId: string, config: SweepConfig, space: SearchSpace, trialCount: number, change: RunCapChange): number {
  const runCap = "runCap" in change ? change.runCap : (config.run_cap ?? trialCount) + change.add;
  if (!Number.isSafeInteger(runCap) || runCap < 1) throw new SweepExtendError(`run_cap ${runCap} is not valid: expected a whole number of at least 1`);
  if (runCap <= trialCount) {
    const flag = "runCap" in change ? `--run-cap ${change.runCap}` : `--add ${change.add} (run_cap ${config.run_cap ?? "none"} + ${change.add} = ${runCap})`;
    throw new SweepExtendError(
      `${flag} is not more than the ${trialCount} trial(s) sweep ${sweepId} already has: no trial could start; give a run_cap of at least ${trialCount + 1}`,
    );
  }
  if (config.method === "grid") {
    const points = gridSize(space);
    if (trialCount >= points) {
      throw new SweepExtendError(
        `sweep ${sweepId} is a grid of ${points} point(s) and has ${trialCount} trial(s): every point has been run, so a larger run_cap adds nothing (\`sweep resume ${sweepId} --retry-failed\` re-runs failed ones)`,
      );
    }
  }
  return runCap;
}

export interface ExtendResult {
  readonly previousRunCap: number | null;
  readonly runCap: number;
  readonly trialCount: number;
  readonly previousStatus: SweepRecord["status"];
  readonly record: SweepRecord;
}

/**
 * Set a sweep's run_cap (atomically, under the storage's write lock) and reopen it if it was finished: its
 * status becomes `paused` (trials left to run, nothing running them), so `resume` or an agent goes on.
 * Callers make sure no controller runs the sweep (its in-memory config would keep the old cap).
 */
export async function extendSweep(storage: Storage, sweepId: string, change: RunCapChange, by: string): Promise<ExtendResult> {
  if (!(await storage.getSweep(sweepId))) throw new SweepNotFoundError(sweepId, storage.location);
  let seen: Omit<ExtendResult, "record"> | undefined;
  const record = await storage.updateSweepConfig(sweepId, ({ sweep, trialCount }) => {
    const stored = sweep.config as StoredSweepConfig;
    if (stored?.format !== 1) throw new SweepExtendError(`sweep '${sweepId}' in ${storage.location} has a config format this version cannot read`);
    const runCap = extendedRunCap(sweepId, stored.config, stored.space, trialCount, change);
    seen = { previousRunCap: stored.config.run_cap ?? null, runCap, trialCount, previousStatus: sweep.status };
    return { config: { ...stored, config: { ...stored.config, run_cap: runCap } }, status: sweep.status === "finished" ? "paused" : undefined };
  });
  await storage.addEvent(sweepId, SWEEP_EXTENDED_EVENT, { from: seen!.previousRunCap, to: seen!.runCap, trials: seen!.trialCount, by });
  return { ...seen!, record };
}
