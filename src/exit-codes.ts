/**
 * Documented exit codes of the `sweep` command (docs/cli.md). Scripts branch on these, so they never change
 * meaning; new causes get new numbers.
 */
export const ExitCode = {
  /** Success; for `run`/`resume`/`agent`: the sweep ended normally (finished, run_cap, grid exhausted). */
  ok: 0,
  /** An unexpected internal error (a bug: please report it with the log file). */
  internal: 1,
  /** Bad command-line usage: unknown flag, missing argument, bad flag value. */
  usage: 2,
  /** The sweep file is invalid (every problem is listed with file, line and key path). */
  invalidConfig: 3,
  /** The named sweep, trial or storage file does not exist. */
  notFound: 4,
  /** The sweep stopped because its trainer looks broken (the first trials all failed the same way). */
  trainerBroken: 5,
  /** Some trials failed, though the sweep ran to its end. */
  trialsFailed: 6,
  /** A `best`/`show` query found nothing to report (no completed trial, metric never reported). */
  noResult: 7,
  /** The storage cannot be used: a malformed location, a server that refuses the connection, a database
   *  written by a newer version of sweep, or a file that is not a sweep storage. */
  storageUnavailable: 8,
  /** `sweep resume` of a sweep whose controller is still alive (resuming would run its trials twice). */
  sweepBusy: 9,
  /** Slurm could not be used: sbatch, squeue, scancel or sinfo missing, failing, or refusing the job. */
  slurmFailed: 10,
  /** Stopped by Ctrl-C / SIGINT (128 + 2), after saving everything. */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15), after saving everything. */
  terminated: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
