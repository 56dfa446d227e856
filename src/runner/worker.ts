/**
 * Who runs a trial. Each controller (`sweep run`, `sweep resume`, `sweep agent`) is a worker named
 * `host:pid`, and announces itself with a `worker_started` event carrying its process start time, so
 * another process can later tell a live worker from a dead one whose pid was recycled.
 */
import { hostname } from "node:os";
import type { Storage } from "../storage/types.js";
import { isSameProcess, readProcessStartTime } from "./process-identity.js";
import { slurmIdsFromEnv, slurmIdsFromJson, type SlurmIds } from "./slurm/env.js";

export interface WorkerIdentity {
  /** `host:pid`, as stored in the trial's `worker` column. */
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly startTime: string | null;
  /** As announced (absent in announcements written before roles were recorded). */
  readonly role?: WorkerRole;
  /** The Slurm job (and array task) it runs in, when it runs under Slurm. */
  readonly slurm?: SlurmIds;
}

export const WORKER_STARTED_EVENT = "worker_started";

/** "controller": `sweep run` or `sweep resume` (one per sweep at a time); "agent": `sweep agent`, any number. */
export type WorkerRole = "controller" | "agent";

export function currentWorker(): WorkerIdentity {
  const host = hostname();
  const slurm = slurmIdsFromEnv(process.env);
  return { name: `${host}:${process.pid}`, host, pid: process.pid, startTime: readProcessStartTime(process.pid), ...(slurm ? { slurm } : {}) };
}

export async function announceWorker(storage: Storage, sweepId: string, worker: WorkerIdentity, role: WorkerRole): Promise<void> {
  await storage.addEvent(sweepId, WORKER_STARTED_EVENT, { worker: worker.name, host: worker.host, pid: worker.pid, startTime: worker.startTime, role, ...(worker.slurm ? { slurm: worker.slurm } : {}) });
}

/** Every worker that announced itself on the sweep, by name (the latest announcement wins). */
export async function knownWorkers(storage: Storage, sweepId: string): Promise<Map<string, WorkerIdentity>> {
  const workers = new Map<string, WorkerIdentity>();
  for (const event of await storage.listEvents(sweepId)) {
    if (event.kind !== WORKER_STARTED_EVENT) continue;
    const d = event.data as Partial<WorkerIdentity> & { worker?: string };
    if (typeof d?.worker !== "string" || typeof d.pid !== "number" || typeof d.host !== "string") continue;
    const role = (d as { role?: unknown }).role;
    const slurm = slurmIdsFromJson((d as { slurm?: unknown }).slurm);
    workers.set(d.worker, { name: d.worker, host: d.host, pid: d.pid, startTime: d.startTime ?? null, ...(role === "controller" || role === "agent" ? { role } : {}), ...(slurm ? { slurm } : {}) });
  }
  return workers;
}

export type Liveness = "alive" | "dead" | "unknown";

/**
 * Whether a worker is still running. On this host the answer is exact (pid + start time). For a worker on
 * another host, or one that never announced itself, only the trial's heartbeat can tell: fresh means alive.
 */
export function workerLiveness(
  workerName: string | null,
  known: ReadonlyMap<string, WorkerIdentity>,
  heartbeatAt: string | null,
  staleAfterMs: number,
  now = Date.now(),
): Liveness {
  const worker = workerName ? known.get(workerName) : undefined;
  if (worker && worker.host === hostname() && worker.startTime) {
    return isSameProcess(worker.pid, worker.startTime) ? "alive" : "dead";
  }
  if (heartbeatAt) {
    const age = now - Date.parse(heartbeatAt);
    if (Number.isFinite(age)) return age > staleAfterMs ? "dead" : "alive";
  }
  return "unknown";
}

/**
 * Every worker announced on the sweep with its liveness: on this host exact (pid and start time), on another
 * host from the freshest heartbeat of its running trials, judged on the storage's clock.
 */
export async function workersWithLiveness(storage: Storage, sweepId: string, staleAfterMs: number): Promise<{ worker: WorkerIdentity; liveness: Liveness }[]> {
  const workers = await knownWorkers(storage, sweepId);
  if (workers.size === 0) return [];
  const running = await storage.listTrials(sweepId, { status: ["running"] });
  const now = Date.parse(storage.now());
  return [...workers.values()].map((worker) => {
    const beat = running.filter((t) => t.worker === worker.name).map((t) => t.heartbeatAt ?? t.startedAt).sort().at(-1) ?? null;
    return { worker, liveness: workerLiveness(worker.name, workers, beat, staleAfterMs, now) };
  });
}

/**
 * Whether anything still runs a sweep marked `running`: "alive" when one of its announced workers provably
 * is, "dead" when every worker is provably gone (a controller killed with -9 leaves its sweep `running`),
 * "unknown" otherwise.
 */
export async function sweepLiveness(storage: Storage, sweepId: string, staleAfterMs: number): Promise<Liveness> {
  const workers = await workersWithLiveness(storage, sweepId, staleAfterMs);
  if (workers.length === 0) return "unknown";
  if (workers.some((w) => w.liveness === "alive")) return "alive";
  return workers.some((w) => w.liveness === "unknown") ? "unknown" : "dead";
}
