/**
 * Following and ending a sweep's Slurm jobs: `sweep slurm status` (squeue, mapped to what it means for the
 * workers) and the scancel that `sweep stop` sends once the workers stopped their trials gracefully.
 */
import type { Storage } from "../../storage/types.js";
import { currentWorker, knownWorkers } from "../worker.js";
import { formatSlurmIds } from "./env.js";
import { SLURM_CANCELLED_EVENT, slurmSubmissions, type SlurmSubmission } from "./jobs.js";
import { describeJobState, parseSqueue, runSlurmTool, SQUEUE_FORMAT, SlurmError, type SlurmTaskState } from "./tools.js";

export interface TaskStatus extends SlurmTaskState {
  readonly meaning: string;
  /** The worker that announced itself from this task (`host:pid`), if it started. */
  readonly worker: string | null;
  /** Numbers of the trials that worker runs now. */
  readonly runningTrials: readonly number[];
}

export interface JobStatus {
  readonly submission: SlurmSubmission;
  /** Null when Slurm no longer knows the job (it ended longer ago than the cluster's MinJobAge). */
  readonly tasks: readonly TaskStatus[] | null;
}

/** squeue of one job with its array tasks one per line (`-r`), finished ones included (`-t all`). */
async function queryJob(jobId: string, env?: NodeJS.ProcessEnv): Promise<SlurmTaskState[] | null> {
  try {
    const out = await runSlurmTool("squeue", ["-h", "-r", "-t", "all", "-j", jobId, "-o", SQUEUE_FORMAT], { env });
    return parseSqueue(out.stdout);
  } catch (err) {
    if (err instanceof SlurmError && /Invalid job id/i.test(err.message)) return null;
    throw err;
  }
}

/** Every job the sweep submitted, with its tasks' states and the worker (and trials) behind each task. */
export async function sweepJobStatus(storage: Storage, sweepId: string, env?: NodeJS.ProcessEnv): Promise<JobStatus[]> {
  const submissions = await slurmSubmissions(storage, sweepId);
  if (submissions.length === 0) return [];
  const workers = [...(await knownWorkers(storage, sweepId)).values()];
  const running = await storage.listTrials(sweepId, { status: ["running"] });
  const statuses: JobStatus[] = [];
  for (const submission of submissions) {
    const rows = await queryJob(submission.jobId, env);
    const tasks =
      rows?.map((row) => {
        // The latest worker started from this task (a requeued task starts a new one).
        const worker = workers.filter((w) => w.slurm !== undefined && (formatSlurmIds(w.slurm) === row.id || w.slurm.jobId === row.id)).at(-1)?.name ?? null;
        return { ...row, meaning: describeJobState(row.state), worker, runningTrials: running.filter((t) => worker !== null && t.worker === worker).map((t) => t.number) };
      }) ?? null;
    statuses.push({ submission, tasks });
  }
  return statuses;
}

export interface CancelResult {
  readonly jobIds: readonly string[];
  /** Trials still running when the wait ended (their workers are cancelled with them; recovery requeues them). */
  readonly stillRunning: readonly number[];
}

/**
 * After `sweep stop` marked the sweep stopped: waits (up to `waitMs`) until its workers have stopped their
 * trials gracefully and recorded them interrupted, then cancels every Slurm job of the sweep, so that array
 * tasks still pending never start. Null when the sweep has no Slurm jobs.
 */
export async function cancelSweepJobs(storage: Storage, sweepId: string, opts: { readonly waitMs: number; readonly env?: NodeJS.ProcessEnv; readonly pollMs?: number }): Promise<CancelResult | null> {
  const submissions = await slurmSubmissions(storage, sweepId);
  if (submissions.length === 0) return null;
  const deadline = Date.now() + opts.waitMs;
  let running = await storage.listTrials(sweepId, { status: ["running"] });
  while (running.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    running = await storage.listTrials(sweepId, { status: ["running"] });
  }
  const jobIds = [...new Set(submissions.map((s) => s.jobId))];
  await runSlurmTool("scancel", jobIds, { env: opts.env });
  await storage.addEvent(sweepId, SLURM_CANCELLED_EVENT, { jobIds, by: currentWorker().name, stillRunning: running.map((t) => t.number) });
  return { jobIds, stillRunning: running.map((t) => t.number) };
}
