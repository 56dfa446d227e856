/**
 * Picking up after a controller that died (kill -9, power cut, OOM killer, a closed ssh session): its trials are
 * still marked running in the storage and their trainers may still be running, under their supervisors.
 *
 * This module only finds those trials and, where nothing can be saved, puts them back in the queue. What can be
 * saved is the controller's business (controller.ts `takeOver`): a trainer still running on this host is
 * re-attached, one that finished unwatched is adopted. Trials of a worker that is still alive are never touched.
 */
import { hostname } from "node:os";
import type { Storage, TrialRecord } from "../storage/types.js";
import { knownWorkers, workerLiveness, type WorkerIdentity } from "./worker.js";

export interface RecoveryOptions {
  readonly self: WorkerIdentity;
  /** A heartbeat older than this means its worker is gone (used when pid liveness cannot be checked). */
  readonly staleAfterMs: number;
  /**
   * A running trial with no worker announcement and no timestamps cannot be judged. `sweep resume` (an
   * explicit request) treats it as dead; `sweep agent` leaves it alone.
   */
  readonly treatUnknownAsDead: boolean;
}

export interface OrphanedTrial {
  readonly trial: TrialRecord;
  /**
   * Its worker ran on this host: its processes can be found (by launch token) and its files read. Trials of
   * workers on other hosts are judged by heartbeat only and never signalled from here, however their pids look.
   */
  readonly local: boolean;
}

/** Running trials of the sweep whose worker is dead (or, with `treatUnknownAsDead`, cannot be shown alive). */
export async function findOrphanedTrials(storage: Storage, sweepId: string, opts: RecoveryOptions): Promise<OrphanedTrial[]> {
  const running = await storage.listTrials(sweepId, { status: ["running"] });
  if (running.length === 0) return [];
  const workers = await knownWorkers(storage, sweepId);
  const here = hostname();
  const now = Date.parse(storage.now());
  const orphans: OrphanedTrial[] = [];
  for (const trial of running) {
    if (trial.worker === opts.self.name) continue;
    // Heartbeats were written on the storage's clock; they are judged on it too, never on this host's.
    const liveness = workerLiveness(trial.worker, workers, trial.heartbeatAt ?? trial.startedAt, opts.staleAfterMs, now);
    if (liveness === "alive" || (liveness === "unknown" && !opts.treatUnknownAsDead)) continue;
    const host = trial.worker ? (workers.get(trial.worker)?.host ?? trial.worker.slice(0, trial.worker.lastIndexOf(":"))) : null;
    orphans.push({ trial, local: host === here });
  }
  return orphans;
}

/**
 * Marks an orphaned trial interrupted and queues it again (same number and params, attempt + 1). False when
 * another process recovered or finished it first: it is theirs now.
 */
export async function requeueOrphan(storage: Storage, orphan: OrphanedTrial, self: WorkerIdentity): Promise<boolean> {
  const { trial } = orphan;
  const finished = await storage.finishTrial(trial.id, {
    status: "interrupted",
    attempt: trial.attempt,
    error: `its controller ${trial.worker ?? "(unknown)"} stopped without finishing it`,
  });
  if (!finished) return false;
  await storage.requeueTrial(trial.id);
  await storage.addEvent(trial.sweepId, "trial_recovered", { number: trial.number, worker: trial.worker, by: self.name }, trial.id);
  return true;
}

/** `sweep resume`: put trials interrupted earlier (Ctrl-C, a stopped controller) back in the queue. */
export async function requeueInterrupted(storage: Storage, sweepId: string): Promise<number[]> {
  return requeueWithStatus(storage, sweepId, "interrupted");
}

/** `sweep resume --retry-failed`: failed trials run again, same number and params, next attempt. */
export async function requeueFailed(storage: Storage, sweepId: string): Promise<number[]> {
  return requeueWithStatus(storage, sweepId, "failed");
}

async function requeueWithStatus(storage: Storage, sweepId: string, status: "interrupted" | "failed"): Promise<number[]> {
  const requeued: number[] = [];
  for (const trial of await storage.listTrials(sweepId, { status: [status] })) {
    try {
      await storage.requeueTrial(trial.id);
      requeued.push(trial.number);
    } catch {
      // Requeued by a concurrent resume in the meantime: nothing left to do for it.
    }
  }
  return requeued;
}
