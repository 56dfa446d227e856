/**
 * The Slurm jobs of a sweep, kept in the sweep's event log (no schema change: every backend has events).
 * `sweep slurm submit` records one `slurm_submitted` event per sbatch; `sweep stop` records `slurm_cancelled`
 * after it cancelled them; each worker's `worker_started` event carries its job and array-task ids (env.ts).
 */
import type { EventRecord, Storage } from "../../storage/types.js";

export const SLURM_SUBMITTED_EVENT = "slurm_submitted";
export const SLURM_CANCELLED_EVENT = "slurm_cancelled";

export interface SlurmSubmission {
  /** The id sbatch printed: the array's job id. */
  readonly jobId: string;
  readonly cluster?: string;
  readonly workers: number;
  readonly gpusPerWorker: number;
  readonly partition?: string;
  readonly time?: string;
  readonly account?: string;
  /** The sbatch script that was submitted. */
  readonly script: string;
  /** Folder of the array tasks' output files. */
  readonly outputDir: string;
  readonly submittedAt: string;
}

function parseSubmission(event: EventRecord): SlurmSubmission | null {
  const d = event.data as Partial<SlurmSubmission> | null;
  if (d === null || typeof d !== "object" || typeof d.jobId !== "string" || !/^\d+$/.test(d.jobId)) return null;
  return {
    jobId: d.jobId,
    ...(typeof d.cluster === "string" ? { cluster: d.cluster } : {}),
    workers: typeof d.workers === "number" ? d.workers : 0,
    gpusPerWorker: typeof d.gpusPerWorker === "number" ? d.gpusPerWorker : 0,
    ...(typeof d.partition === "string" ? { partition: d.partition } : {}),
    ...(typeof d.time === "string" ? { time: d.time } : {}),
    ...(typeof d.account === "string" ? { account: d.account } : {}),
    script: typeof d.script === "string" ? d.script : "",
    outputDir: typeof d.outputDir === "string" ? d.outputDir : "",
    submittedAt: event.createdAt,
  };
}

/** Every sbatch submission recorded for the sweep, oldest first. */
export function slurmSubmissionsOf(events: readonly EventRecord[]): SlurmSubmission[] {
  return events.filter((e) => e.kind === SLURM_SUBMITTED_EVENT).map(parseSubmission).filter((s): s is SlurmSubmission => s !== null);
}

export async function slurmSubmissions(storage: Storage, sweepId: string): Promise<SlurmSubmission[]> {
  return slurmSubmissionsOf(await storage.listEvents(sweepId));
}

export async function recordSubmission(storage: Storage, sweepId: string, submission: Omit<SlurmSubmission, "submittedAt">, by: string): Promise<void> {
  await storage.addEvent(sweepId, SLURM_SUBMITTED_EVENT, { ...submission, by });
}
