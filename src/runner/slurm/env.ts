/**
 * What Slurm tells a process about the job it runs in, read from the variables Slurm sets in every job
 * (sbatch(1), "OUTPUT ENVIRONMENT VARIABLES"). A worker announces these with itself (worker.ts), so that
 * `sweep ls/show` can name the Slurm job and array task behind each worker and trial.
 */

export interface SlurmIds {
  /** SLURM_JOB_ID: this job's own id (each array task has one of its own). */
  readonly jobId: string;
  /** SLURM_ARRAY_JOB_ID: the id `sbatch` printed for the whole array (absent outside an array). */
  readonly arrayJobId?: string;
  /** SLURM_ARRAY_TASK_ID: this task's index in the array. */
  readonly arrayTaskId?: string;
  /** SLURMD_NODENAME: the node it runs on. */
  readonly node?: string;
}

const ID = /^\d+$/;

/** The Slurm ids of the job this process runs in, or null outside Slurm (or when the variables look wrong). */
export function slurmIdsFromEnv(env: NodeJS.ProcessEnv): SlurmIds | null {
  const jobId = env.SLURM_JOB_ID?.trim();
  if (jobId === undefined || !ID.test(jobId)) return null;
  const arrayJobId = env.SLURM_ARRAY_JOB_ID?.trim();
  const arrayTaskId = env.SLURM_ARRAY_TASK_ID?.trim();
  const node = env.SLURMD_NODENAME?.trim();
  return {
    jobId,
    ...(arrayJobId !== undefined && ID.test(arrayJobId) && arrayTaskId !== undefined && ID.test(arrayTaskId) ? { arrayJobId, arrayTaskId } : {}),
    ...(node ? { node } : {}),
  };
}

/** Reads back ids stored in an event (unknown JSON); null when they are not there. */
export function slurmIdsFromJson(value: unknown): SlurmIds | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.jobId !== "string" || !ID.test(v.jobId)) return null;
  const str = (x: unknown) => (typeof x === "string" && x !== "" ? x : undefined);
  const arrayJobId = str(v.arrayJobId);
  const arrayTaskId = str(v.arrayTaskId);
  const node = str(v.node);
  return { jobId: v.jobId, ...(arrayJobId && arrayTaskId ? { arrayJobId, arrayTaskId } : {}), ...(node ? { node } : {}) };
}

/** As squeue writes it: `123_4` for task 4 of array 123, else the job id. */
export function formatSlurmIds(ids: SlurmIds): string {
  return ids.arrayJobId !== undefined && ids.arrayTaskId !== undefined ? `${ids.arrayJobId}_${ids.arrayTaskId}` : ids.jobId;
}

/**
 * The GPUs Slurm gave this job, as CUDA would see them: CUDA_VISIBLE_DEVICES when set (Slurm's gres/gpu plugin
 * sets it), else SLURM_STEP_GPUS, else SLURM_JOB_GPUS (set by Slurm for the batch step even where a site's
 * prolog clears CUDA_VISIBLE_DEVICES). Undefined outside Slurm: then every GPU nvidia-smi lists may be used.
 */
export function visibleDevicesFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  if (env.CUDA_VISIBLE_DEVICES !== undefined) return env.CUDA_VISIBLE_DEVICES;
  if (env.SLURM_JOB_ID === undefined) return undefined;
  return env.SLURM_STEP_GPUS ?? env.SLURM_JOB_GPUS;
}
