/**
 * `sweep slurm submit ID|FILE`: workers of a sweep as a Slurm job array (one `sweep agent` per array task);
 * `sweep slurm status ID`: the sweep's Slurm jobs and what their states mean for its workers (docs/slurm.md).
 */
import { existsSync } from "node:fs";
import { extname } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { loadSweepFile } from "../../config/index.js";
import type { ResolvedSweep } from "../../config/types.js";
import { describeCounts, summarizeSweep } from "../../report/summary.js";
import { renderTable } from "../../report/table.js";
import { openStorage, redactPostgresUrl } from "../../storage/index.js";
import type { Storage } from "../../storage/types.js";
import { SweepNotFoundError } from "../../study/index.js";
import {
  checkSbatch,
  checkStorageForSlurm,
  createSweepForSlurm,
  readySweepForWorkers,
  submitWorkers,
  sweepJobStatus,
} from "../../runner/slurm/index.js";
import { ExitCode } from "../../exit-codes.js";
import { openExistingStorage, printJson, storageLocation, type GlobalArgs } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { argument, choice, text, wholeNumber } from "../flags.js";

interface SlurmArgs extends GlobalArgs {
  readonly action?: string;
  readonly target?: string;
  readonly workers?: string;
  readonly gpusPerWorker?: string;
  readonly partition?: string;
  readonly time?: string;
  readonly account?: string;
  readonly sbatchArg?: unknown;
  readonly format?: string;
}

const ACTIONS = ["submit", "status"] as const;
/** More array tasks than this in one submission is a typo (clusters cap arrays near here: MaxArraySize). */
const MAX_WORKERS = 10_000;
const MAX_GPUS_PER_WORKER = 64;

/** Slurm's --time forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, or no limit. */
const SLURM_TIME = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2}|infinite|unlimited)$/i;

interface SubmitFlags {
  readonly workers: number;
  readonly gpusPerWorker?: number;
  readonly partition?: string;
  readonly time?: string;
  readonly account?: string;
  readonly sbatchArgs: string[];
}

function sbatchArgs(value: unknown): string[] {
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => {
    const t = text(v, "--sbatch-arg");
    if (t === undefined || typeof v === "boolean") throw new UsageError("--sbatch-arg needs a value; write options that start with - as --sbatch-arg=--qos=high");
    if (!t.startsWith("-")) throw new UsageError(`--sbatch-arg ${JSON.stringify(t)} is not an sbatch option; expected one such as --sbatch-arg=--qos=high`);
    if (/[\n\r\0]/.test(t)) throw new UsageError(`--sbatch-arg ${JSON.stringify(t)} contains a line break; expected one sbatch option`);
    if (/^(--array(=|$)|-a)/.test(t)) throw new UsageError(`--sbatch-arg ${JSON.stringify(t)}: the array is made from --workers N (one task per worker)`);
    return t;
  });
}

/** Every flag, checked, before anything is opened or run. */
function submitFlags(args: SlurmArgs): SubmitFlags {
  const time = text(args.time, "--time");
  if (time !== undefined && !SLURM_TIME.test(time.trim())) {
    throw new UsageError(`--time ${JSON.stringify(time)} is not a Slurm time limit; expected minutes, HH:MM:SS or D-HH:MM:SS (e.g. 4:00:00, 2-00:00:00)`);
  }
  const partition = text(args.partition, "--partition");
  const account = text(args.account, "--account");
  for (const [flag, v] of [["--partition", partition], ["--account", account]] as const) {
    if (v !== undefined && !/^[A-Za-z0-9_.,+-]+$/.test(v)) throw new UsageError(`${flag} ${JSON.stringify(v)} is not a Slurm name; expected letters, digits, _ . , + -`);
  }
  const gpusPerWorker = wholeNumber(args.gpusPerWorker, "--gpus-per-worker", { min: 0, max: MAX_GPUS_PER_WORKER });
  return {
    workers: wholeNumber(args.workers, "--workers", { min: 1, max: MAX_WORKERS }) ?? 1,
    ...(gpusPerWorker !== undefined ? { gpusPerWorker } : {}),
    ...(partition !== undefined ? { partition } : {}),
    ...(time !== undefined ? { time: time.trim() } : {}),
    ...(account !== undefined ? { account } : {}),
    sbatchArgs: sbatchArgs(args.sbatchArg),
  };
}

const SUBMIT_ONLY = ["workers", "gpusPerWorker", "partition", "time", "account", "sbatchArg"] as const;
const FLAG_NAMES: Record<(typeof SUBMIT_ONLY)[number], string> = {
  workers: "--workers",
  gpusPerWorker: "--gpus-per-worker",
  partition: "--partition",
  time: "--time",
  account: "--account",
  sbatchArg: "--sbatch-arg",
};

/** A sweep file, not an id: it exists on disk or is named like one. */
function isSweepFile(target: string): boolean {
  return existsSync(target) || [".yaml", ".yml", ".json"].includes(extname(target).toLowerCase());
}

/** GPUs per worker when not given: what one trial needs (the sweep's gpus_per_trial), none for a CPU sweep. */
function defaultGpusPerWorker(settings: { gpus?: string; gpusPerTrial?: number }): number {
  return settings.gpus?.trim().toLowerCase() === "none" ? 0 : (settings.gpusPerTrial ?? 1);
}

export const slurmCommand: CommandModule<GlobalArgs, SlurmArgs> = {
  command: "slurm <action> <target>",
  describe: "Run a sweep's workers as a Slurm job array (submit ID|FILE), or show its jobs (status ID)",
  builder: (y) =>
    y
      .positional("action", { type: "string", choices: ACTIONS, describe: "submit: sbatch workers for the sweep; status: its Slurm jobs" })
      .positional("target", { type: "string", describe: "submit: sweep id or sweep file; status: sweep id" })
      .option("workers", { requiresArg: true, describe: `submit: array tasks, one \`sweep agent\` each: 1 (default) to ${MAX_WORKERS}` })
      .option("gpus-per-worker", { requiresArg: true, describe: "submit: GPUs each task asks for (--gres=gpu:G); default the sweep's gpus_per_trial, 0 for CPU" })
      .option("partition", { type: "string", requiresArg: true, describe: "submit: Slurm partition" })
      .option("time", { type: "string", requiresArg: true, describe: "submit: time limit per task (4:00:00, 2-00:00:00); trials are requeued 2 minutes before it" })
      .option("account", { type: "string", requiresArg: true, describe: "submit: Slurm account to charge" })
      .option("sbatch-arg", { type: "string", requiresArg: true, describe: "submit: one more sbatch option, repeatable (--sbatch-arg=--qos=high)" })
      .option("format", { choices: ["table", "json"] as const, requiresArg: true, describe: "status: table (default) or json" }) as unknown as Argv<SlurmArgs>,
  handler: async (args) => {
    const action = choice(args.action, "<action>", ACTIONS);
    const target = argument(args.target, "target");
    const flags = submitFlags(args);
    const format = choice(args.format, "--format", ["table", "json"] as const);
    if (action === "status") {
      const given = SUBMIT_ONLY.filter((k) => args[k] !== undefined);
      if (given.length > 0) throw new UsageError(`${given.map((k) => FLAG_NAMES[k]).join(", ")}: only for \`sweep slurm submit\``);
      return status(target, args, format ?? "table");
    }
    if (format !== undefined) throw new UsageError("--format: only for `sweep slurm status`");
    return submit(target, args, flags);
  },
};

async function submit(target: string, args: SlurmArgs, flags: SubmitFlags): Promise<void> {
  // Everything is checked before anything is stored or submitted: the file, the storage, sbatch itself.
  let resolved: ResolvedSweep | null = null;
  if (isSweepFile(target)) resolved = loadSweepFile(target);
  const location = storageLocation(args, resolved?.config.sweep.storage);
  const storageCheck = await checkStorageForSlurm(location, { extraArgs: flags.sbatchArgs, ...(flags.partition !== undefined ? { partition: flags.partition } : {}) });
  await checkSbatch();
  if (resolved) {
    for (const w of resolved.warnings) process.stderr.write(`warning: ${w.message}\n`);
    checkGpus(flags, resolved.config.sweep);
  }
  const storage: Storage = resolved ? await openStorage(storageCheck.location) : await openExistingStorage(storageCheck.location);
  try {
    let sweepId: string;
    let settings: { gpus?: string; gpusPerTrial?: number };
    if (resolved) {
      sweepId = await createSweepForSlurm(storage, resolved);
      settings = resolved.config.sweep;
      process.stdout.write(`created sweep ${sweepId} from ${target}\n`);
    } else {
      sweepId = target;
      const record = await storage.getSweep(sweepId);
      if (!record) throw new SweepNotFoundError(sweepId, storage.location);
      settings = ((record.config as { config?: { sweep?: typeof settings } }).config?.sweep ?? {}) as typeof settings;
      checkGpus(flags, settings);
      const ready = await readySweepForWorkers(storage, sweepId);
      if (!ready.ok) throw new CliError(ready.reason, ExitCode.usage);
      if (ready.reopened !== undefined) process.stdout.write(`sweep ${sweepId} was stopped; reopened${ready.reopened.length > 0 ? `, interrupted trial(s) ${ready.reopened.join(", ")} requeued` : ""}\n`);
    }
    const gpusPerWorker = flags.gpusPerWorker ?? defaultGpusPerWorker(settings);
    const job = await submitWorkers(storage, sweepId, storageCheck.location, storageCheck.verdict.note, {
      workers: flags.workers,
      gpusPerWorker,
      ...(flags.partition !== undefined ? { partition: flags.partition } : {}),
      ...(flags.time !== undefined ? { time: flags.time } : {}),
      ...(flags.account !== undefined ? { account: flags.account } : {}),
      extraArgs: flags.sbatchArgs,
    });
    const storageFlag = args.storage !== undefined ? ` --storage ${redactPostgresUrl(String(args.storage))}` : "";
    process.stdout.write(
      [
        `sweep ${sweepId}: submitted Slurm job ${job.jobId}: ${job.workers} worker(s) (array 0-${job.workers - 1}), ${gpusPerWorker === 0 ? "CPU only" : `${gpusPerWorker} GPU(s) each`}`,
        `  storage  ${redactPostgresUrl(storageCheck.location)} (${job.storageNote})`,
        `  script   ${job.script}`,
        `  output   ${job.outputDir}/slurm-${job.jobId}_<task>.out`,
        `follow:    sweep slurm status ${sweepId}${storageFlag}   (or squeue -j ${job.jobId}; sweep show ${sweepId}${storageFlag})`,
        `stop:      sweep stop ${sweepId}${storageFlag}   (stops the trials gracefully, then scancel ${job.jobId})`,
        "",
      ].join("\n"),
    );
  } finally {
    await storage.close();
  }
}

/** A worker must have room for one trial: --gpus-per-worker at least the sweep's gpus_per_trial. */
function checkGpus(flags: SubmitFlags, settings: { gpus?: string; gpusPerTrial?: number }): void {
  const perTrial = settings.gpusPerTrial ?? 1;
  if (flags.gpusPerWorker !== undefined && flags.gpusPerWorker > 0 && flags.gpusPerWorker < perTrial) {
    throw new UsageError(`--gpus-per-worker ${flags.gpusPerWorker} is less than the ${perTrial} GPUs each trial of this sweep needs (gpus_per_trial); expected at least ${perTrial}`);
  }
}

async function status(id: string, args: SlurmArgs, format: "table" | "json"): Promise<void> {
  const storage = await openExistingStorage(storageLocation(args), { readOnly: true });
  try {
    const record = await storage.getSweep(id);
    if (!record) throw new SweepNotFoundError(id, storage.location);
    const summary = summarizeSweep(record, await storage.listTrials(id));
    const jobs = await sweepJobStatus(storage, id);
    if (format === "json") return printJson({ sweepId: id, status: record.status, counts: summary.counts, jobs });
    process.stdout.write(`sweep ${id}: ${record.status}; trials ${summary.trials}: ${describeCounts(summary.counts)}\n`);
    if (jobs.length === 0) {
      process.stdout.write(`no Slurm jobs recorded for sweep ${id} (submit some with \`sweep slurm submit ${id}\`)\n`);
      return;
    }
    for (const { submission: s, tasks } of jobs) {
      const what = [`${s.workers} worker(s)`, s.gpusPerWorker === 0 ? "CPU only" : `${s.gpusPerWorker} GPU(s) each`, s.partition && `partition ${s.partition}`, s.time && `time ${s.time}`]
        .filter(Boolean)
        .join(", ");
      process.stdout.write(`\njob ${s.jobId} (${what}; submitted ${s.submittedAt.replace("T", " ").slice(0, 19)}; script ${s.script})\n`);
      if (tasks === null) {
        process.stdout.write("  no longer known to Slurm (ended before the cluster's MinJobAge); sacct -j " + s.jobId + " has its history where accounting is on\n");
        continue;
      }
      process.stdout.write(
        renderTable(tasks, [
          { header: "  TASK", value: (t) => `  ${t.id}` },
          { header: "STATE", value: (t) => t.state },
          { header: "NODE", value: (t) => t.nodes },
          { header: "WORKER", value: (t) => t.worker ?? "" },
          { header: "RUNNING TRIALS", value: (t) => t.runningTrials.join(",") },
          { header: "MEANING", value: (t) => t.meaning, maxWidth: 90 },
        ]) + "\n",
      );
    }
  } finally {
    await storage.close();
  }
}
