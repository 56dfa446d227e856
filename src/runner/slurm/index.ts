/** Slurm as an executor: sbatch scripts of `sweep agent` workers, their jobs, and the storage they may share. */
export { buildSbatchScript, shellQuote, DEFAULT_SIGNAL_SECONDS, SbatchSpecError, type SbatchSpec } from "./script.js";
export { slurmIdsFromEnv, slurmIdsFromJson, formatSlurmIds, visibleDevicesFromEnv, type SlurmIds } from "./env.js";
export { checkSlurmStorage, pinnedNodes, expandHostlist, type Placement, type StorageVerdict } from "./placement.js";
export { SlurmError, runSlurmTool, parseSbatchParsable, parseSinfoNodes, parseSqueue, describeJobState, type SlurmTaskState } from "./tools.js";
export { SLURM_SUBMITTED_EVENT, SLURM_CANCELLED_EVENT, slurmSubmissions, slurmSubmissionsOf, type SlurmSubmission } from "./jobs.js";
export { checkStorageForSlurm, checkSbatch, submitWorkers, createSweepForSlurm, readySweepForWorkers, SlurmStorageError, type SubmitOptions, type Submitted, type SweepReadiness } from "./submit.js";
export { sweepJobStatus, cancelSweepJobs, type JobStatus, type TaskStatus, type CancelResult } from "./control.js";
