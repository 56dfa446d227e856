/**
 * The sbatch script `sweep slurm submit` writes: one job array, one `sweep agent` per array task. A pure
 * function of its spec (no clock, no environment), so it is unit-tested line by line and a user can read,
 * keep and resubmit the file it produced.
 */

export interface SbatchSpec {
  readonly sweepId: string;
  /** Array tasks, each one `sweep agent` (one worker). */
  readonly workers: number;
  /** `--gres=gpu:G` per array task; 0 runs CPU-only workers (`--gpus none`). */
  readonly gpusPerWorker: number;
  readonly partition?: string;
  /** Slurm's `--time` (e.g. `4:00:00`, `2-00:00:00`), passed through as written. */
  readonly time?: string;
  readonly account?: string;
  /** More `#SBATCH` options, each one whole option with its value (`--qos=high`, `-Ca100`): one line each. */
  readonly extraArgs: readonly string[];
  /** argv that starts `sweep` on a compute node: the node binary and bin/sweep.js, absolute paths. */
  readonly sweepCommand: readonly string[];
  /** `--storage` for the agents; undefined when it reaches them through $SWEEP_STORAGE (a URL with a password). */
  readonly storage?: string;
  /** Working folder of the agents (trainers' relative paths resolve from it): on the shared filesystem. */
  readonly workDir: string;
  /** Folder of the array tasks' output files (`slurm-<array>_<task>.out`). */
  readonly outputDir: string;
  /** Seconds before the time limit at which Slurm sends the agent SIGTERM (`--signal=B:TERM@S`). */
  readonly signalSeconds: number;
  /** More `sweep agent` options (`--grace-period 30s`), one argv element each. */
  readonly agentArgs?: readonly string[];
}

/** Time that workers get, by default, between Slurm's warning signal and the time limit. */
export const DEFAULT_SIGNAL_SECONDS = 120;

export class SbatchSpecError extends Error {
  override readonly name = "SbatchSpecError";
}

/** Quotes a word for bash: single quotes, with each `'` written as `'\''`. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * One `#SBATCH` line. sbatch splits these lines at blanks and honours double quotes; a newline would end the
 * directive (and start a shell command), so it is refused.
 */
function directive(option: string, what: string): string {
  if (/[\n\r\0]/.test(option)) throw new SbatchSpecError(`${what} ${JSON.stringify(option)} contains a line break; expected one sbatch option`);
  if (/\s/.test(option)) {
    if (option.includes('"')) throw new SbatchSpecError(`${what} ${JSON.stringify(option)} has both blanks and double quotes; sbatch cannot read that in a script`);
    return `#SBATCH "${option}"`;
  }
  return `#SBATCH ${option}`;
}

/** Whether the user's own sbatch options already set `long` (or its one-letter `short`). */
function setByUser(extraArgs: readonly string[], long: string, short?: string): boolean {
  return extraArgs.some((a) => a === long || a.startsWith(`${long}=`) || (short !== undefined && (a === short || (a.startsWith(short) && !a.startsWith("--")))));
}

export function buildSbatchScript(spec: SbatchSpec): string {
  if (!Number.isInteger(spec.workers) || spec.workers < 1) throw new SbatchSpecError(`workers ${spec.workers}: expected a whole number of at least 1`);
  if (!Number.isInteger(spec.gpusPerWorker) || spec.gpusPerWorker < 0) throw new SbatchSpecError(`gpus per worker ${spec.gpusPerWorker}: expected a whole number of at least 0`);
  if (spec.sweepCommand.length === 0) throw new SbatchSpecError("no command to start sweep with");
  for (const extra of spec.extraArgs) {
    if (!extra.startsWith("-")) throw new SbatchSpecError(`--sbatch-arg ${JSON.stringify(extra)} is not an sbatch option; expected one whole option such as --qos=high or --constraint=a100`);
    if (/^--array(=|$)|^-a/.test(extra)) throw new SbatchSpecError(`--sbatch-arg ${JSON.stringify(extra)}: the array is --workers N (one task per worker)`);
  }
  const lines = [
    "#!/bin/bash",
    `# Workers of sweep ${spec.sweepId}: ${spec.workers} array task(s), each one \`sweep agent\`. Written by \`sweep slurm submit\`;`,
    "# submitting this file again (sbatch FILE) adds the same workers again.",
  ];
  const extra = spec.extraArgs;
  if (!setByUser(extra, "--job-name", "-J")) lines.push(directive(`--job-name=sweep-${spec.sweepId}`, "job name"));
  lines.push(directive(`--array=0-${spec.workers - 1}`, "array"));
  if (spec.gpusPerWorker > 0) lines.push(directive(`--gres=gpu:${spec.gpusPerWorker}`, "--gpus-per-worker"));
  if (spec.partition !== undefined) lines.push(directive(`--partition=${spec.partition}`, "--partition"));
  if (spec.time !== undefined) lines.push(directive(`--time=${spec.time}`, "--time"));
  if (spec.account !== undefined) lines.push(directive(`--account=${spec.account}`, "--account"));
  // B: the signal goes to the batch shell only, which `exec` below turns into the agent: the agent stops its
  // trials itself (gracefully, recorded interrupted and requeued) before Slurm kills what is left at the limit.
  if (!setByUser(extra, "--signal")) lines.push(directive(`--signal=B:TERM@${spec.signalSeconds}`, "signal"));
  if (!setByUser(extra, "--output", "-o")) lines.push(directive(`--output=${spec.outputDir}/slurm-%A_%a.out`, "output folder"));
  if (!setByUser(extra, "--chdir", "-D")) lines.push(directive(`--chdir=${spec.workDir}`, "working folder"));
  for (const option of extra) lines.push(directive(option, "--sbatch-arg"));

  const agent = [...spec.sweepCommand, "agent", spec.sweepId];
  if (spec.storage !== undefined) agent.push("--storage", spec.storage);
  // Trials this worker stops on SIGTERM (time limit, preemption, scancel) go straight back to the queue for
  // the other workers or a resubmitted array; no `sweep resume` is needed.
  agent.push("--requeue-on-term");
  if (spec.gpusPerWorker === 0) agent.push("--gpus", "none");
  agent.push(...(spec.agentArgs ?? []));
  lines.push("");
  if (spec.storage === undefined) lines.push("# The storage is in $SWEEP_STORAGE, exported by sbatch from the submitting shell (its URL holds a password).");
  lines.push("# The GPUs are the ones Slurm gave this task (CUDA_VISIBLE_DEVICES / SLURM_JOB_GPUS): the agent uses only those.");
  lines.push(`exec ${agent.map(shellQuote).join(" ")}`, "");
  return lines.join("\n");
}
