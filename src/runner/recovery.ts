/**
 * Picking up after a controller that died (kill -9, power cut, OOM killer): its trials are still marked
 * running in the storage and its trainers may still be running, detached in their own process groups.
 * Both `sweep resume` and `sweep agent` run this before starting work, so no trial is ever lost; trials of
 * a worker that is still alive are never touched.
 */
import type { Storage, TrialRecord } from "../storage/types.js";
import { terminateGroup } from "./process-group.js";
import { isSameProcess } from "./process-identity.js";
import { knownWorkers, workerLiveness, type WorkerIdentity } from "./worker.js";

export interface RecoveryOptions {
  readonly self: WorkerIdentity;
  /** A heartbeat older than this means its worker is gone (used when pid liveness cannot be checked). */
  readonly staleAfterMs: number;
  /** SIGTERM-to-SIGKILL grace for leftover trainers. */
  readonly graceMs: number;
  /**
   * A running trial with no worker announcement and no timestamps cannot be judged. `sweep resume` (an
   * explicit request) treats it as dead; `sweep agent` leaves it alone.
   */
  readonly treatUnknownAsDead: boolean;
}

export interface RecoveredTrial {
  readonly trialId: number;
  readonly number: number;
  readonly worker: string | null;
  /** pid of a leftover trainer that was stopped, if one was still running. */
  readonly reapedPid: number | null;
}

/** Marks the running trials of dead workers interrupted, stops their leftover trainers, and requeues them. */
export async function recoverDeadTrials(storage: Storage, sweepId: string, opts: RecoveryOptions): Promise<RecoveredTrial[]> {
  const running = await storage.listTrials(sweepId, { status: ["running"] });
  if (running.length === 0) return [];
  const workers = await knownWorkers(storage, sweepId);
  const recovered: RecoveredTrial[] = [];
  for (const trial of running) {
    if (trial.worker === opts.self.name) continue;
    const liveness = workerLiveness(trial.worker, workers, trial.heartbeatAt ?? trial.startedAt, opts.staleAfterMs);
    if (liveness === "alive" || (liveness === "unknown" && !opts.treatUnknownAsDead)) continue;
    const result = await recoverTrial(storage, trial, opts);
    if (result) recovered.push(result);
  }
  return recovered;
}

async function recoverTrial(storage: Storage, trial: TrialRecord, opts: RecoveryOptions): Promise<RecoveredTrial | null> {
  // The trainer survived its controller (it led its own process group). Without the controller its metrics
  // go nowhere, so it is stopped — but only if pid *and* start time prove it is still that trainer.
  let reapedPid: number | null = null;
  if (trial.pid !== null && isSameProcess(trial.pid, trial.pidStartTime)) {
    await terminateGroup(trial.pid, opts.graceMs);
    reapedPid = trial.pid;
  }
  const finished = await storage.finishTrial(trial.id, {
    status: "interrupted",
    attempt: trial.attempt,
    error: `its controller ${trial.worker ?? "(unknown)"} stopped without finishing it`,
  });
  // null: another process recovered (or finished) it first; it is theirs now.
  if (!finished) return null;
  await storage.requeueTrial(trial.id);
  await storage.addEvent(trial.sweepId, "trial_recovered", { number: trial.number, worker: trial.worker, by: opts.self.name, reapedPid }, trial.id);
  return { trialId: trial.id, number: trial.number, worker: trial.worker, reapedPid };
}

/** `sweep resume`: put trials interrupted earlier (Ctrl-C, a stopped controller) back in the queue. */
export async function requeueInterrupted(storage: Storage, sweepId: string): Promise<number[]> {
  const requeued: number[] = [];
  for (const trial of await storage.listTrials(sweepId, { status: ["interrupted"] })) {
    try {
      await storage.requeueTrial(trial.id);
      requeued.push(trial.number);
    } catch {
      // Requeued by a concurrent resume in the meantime: nothing left to do for it.
    }
  }
  return requeued;
}
