/**
 * `sweep slurm submit`: checks that Slurm workers can share the sweep's storage, writes the sbatch script,
 * submits it and records the job id with the sweep.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseStorageLocation } from "../../storage/index.js";
import type { Storage } from "../../storage/types.js";
import type { ResolvedSweep } from "../../config/types.js";
import { Sweep, SweepNotFoundError } from "../../study/index.js";
import { packageRoot } from "../package-paths.js";
import { requeueInterrupted } from "../recovery.js";
import { storageHome } from "../setup.js";
import { currentWorker } from "../worker.js";
import { recordSubmission, slurmSubmissions, type SlurmSubmission } from "./jobs.js";
import { checkSlurmStorage, expandHostlist, pinnedNodes, type StorageVerdict } from "./placement.js";
import { buildSbatchScript, DEFAULT_SIGNAL_SECONDS, type SbatchSpec } from "./script.js";
import { parseSbatchParsable, parseSinfoNodes, runSlurmTool, SlurmError } from "./tools.js";

/** The job's shape as the user asked for it (flags of `sweep slurm submit`), as the sbatch script takes it. */
export interface SubmitOptions extends Pick<SbatchSpec, "workers" | "gpusPerWorker" | "partition" | "time" | "account" | "extraArgs"> {
  /** Seconds of warning before the time limit (`--signal=B:TERM@S`). */
  readonly signalSeconds?: number;
  readonly agentArgs?: readonly string[];
  /** Working folder of the workers (default: this process's). */
  readonly workDir?: string;
  /** Environment of sbatch (the job inherits it: PATH, modules, SWEEP_STORAGE). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Refused before anything is stored or submitted: SQLite on several nodes, an in-memory storage. */
export class SlurmStorageError extends Error {
  override readonly name = "SlurmStorageError";
}

/**
 * The storage as workers on compute nodes must name it: a SQLite path made absolute (their working folder is
 * the same, but the script should not depend on it). Throws SlurmStorageError when workers cannot share it;
 * lists the partition's nodes with sinfo only when that decides (SQLite with no --nodelist).
 */
export async function checkStorageForSlurm(location: string, opts: Pick<SubmitOptions, "extraArgs" | "partition" | "env">): Promise<{ location: string; verdict: StorageVerdict & { ok: true } }> {
  const parsed = parseStorageLocation(location);
  let partitionNodes: string[] | null = null;
  if (parsed.kind === "sqlite" && pinnedNodes(opts.extraArgs) === null) {
    const sinfo = await runSlurmTool("sinfo", ["-h", "-o", "%P|%N"], { env: opts.env });
    partitionNodes = parseSinfoNodes(sinfo.stdout, opts.partition, expandHostlist);
  }
  const verdict = checkSlurmStorage(location, { extraArgs: opts.extraArgs, partitionNodes, ...(opts.partition !== undefined ? { partition: opts.partition } : {}) });
  if (!verdict.ok) throw new SlurmStorageError(verdict.reason);
  return { location: parsed.kind === "sqlite" ? resolve(parsed.path) : location, verdict };
}

/** Fails early, with the reason, when sbatch cannot be run here. */
export async function checkSbatch(env?: NodeJS.ProcessEnv): Promise<void> {
  await runSlurmTool("sbatch", ["--version"], { env });
}

/** True when a PostgreSQL URL carries a password: it is then kept out of the script file. */
function hasPassword(location: string): boolean {
  try {
    return parseStorageLocation(location).kind === "postgresql" && new URL(location).password !== "";
  } catch {
    return false;
  }
}

export interface Submitted extends SlurmSubmission {
  readonly storageNote: string;
}

/**
 * Writes `<storage dir>/slurm/sweep-<id>-<n>.sbatch` (mode 0600), submits it and records the job. The sweep
 * must exist; `location` is what checkStorageForSlurm returned.
 */
export async function submitWorkers(storage: Storage, sweepId: string, location: string, storageNote: string, opts: SubmitOptions): Promise<Submitted> {
  const env = opts.env ?? process.env;
  const dir = join(storageHome(location), "slurm");
  mkdirSync(dir, { recursive: true });
  const previous = (await slurmSubmissions(storage, sweepId)).length;
  const script = join(dir, `sweep-${sweepId}-${previous + 1}.sbatch`);
  const secret = hasPassword(location);
  const spec: SbatchSpec = {
    sweepId,
    workers: opts.workers,
    gpusPerWorker: opts.gpusPerWorker,
    ...(opts.partition !== undefined ? { partition: opts.partition } : {}),
    ...(opts.time !== undefined ? { time: opts.time } : {}),
    ...(opts.account !== undefined ? { account: opts.account } : {}),
    extraArgs: opts.extraArgs,
    sweepCommand: [process.execPath, join(packageRoot, "bin", "sweep.js")],
    ...(secret ? {} : { storage: location }),
    workDir: resolve(opts.workDir ?? process.cwd()),
    outputDir: dir,
    signalSeconds: opts.signalSeconds ?? DEFAULT_SIGNAL_SECONDS,
    agentArgs: opts.agentArgs ?? [],
  };
  writeFileSync(script, buildSbatchScript(spec), { mode: 0o600 });
  chmodSync(script, 0o600);
  // A password stays out of the file: the job gets the URL from the environment sbatch exports to it.
  const sbatchEnv = secret ? { ...env, SWEEP_STORAGE: location } : env;
  const out = await runSlurmTool("sbatch", ["--parsable", script], { env: sbatchEnv });
  const job = parseSbatchParsable(out.stdout);
  const submission: Omit<SlurmSubmission, "submittedAt"> = {
    jobId: job.jobId,
    ...(job.cluster !== undefined ? { cluster: job.cluster } : {}),
    workers: opts.workers,
    gpusPerWorker: opts.gpusPerWorker,
    ...(opts.partition !== undefined ? { partition: opts.partition } : {}),
    ...(opts.time !== undefined ? { time: opts.time } : {}),
    ...(opts.account !== undefined ? { account: opts.account } : {}),
    script,
    outputDir: dir,
  };
  try {
    await recordSubmission(storage, sweepId, submission, currentWorker().name);
  } catch (err) {
    throw new SlurmError(`job ${job.jobId} was submitted, but recording it with sweep ${sweepId} failed (${(err as Error).message}); \`sweep stop\` will not know it: cancel it with \`scancel ${job.jobId}\` if needed`);
  }
  return { ...submission, submittedAt: new Date().toISOString(), storageNote };
}

/** Stores a new sweep from a resolved sweep file, for workers to join; its id. */
export async function createSweepForSlurm(storage: Storage, resolved: ResolvedSweep): Promise<string> {
  return (await Sweep.create(storage, resolved)).id;
}

export type SweepReadiness =
  | { readonly ok: true; /** Set when a stopped sweep was reopened: the interrupted trials requeued. */ readonly reopened?: readonly number[] }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether workers submitted now have something to do. A running sweep: yes. A sweep stopped by `sweep stop`
 * is reopened as `sweep resume` would (its interrupted trials requeued), since submitting workers for it is
 * asking for it to go on. A finished sweep has nothing left; a failed one (broken trainer) needs a fix first.
 */
export async function readySweepForWorkers(storage: Storage, sweepId: string): Promise<SweepReadiness> {
  const record = await storage.getSweep(sweepId);
  if (!record) throw new SweepNotFoundError(sweepId, storage.location);
  if (record.status === "running") return { ok: true };
  if (record.status === "finished") return { ok: false, reason: `sweep ${sweepId} is finished: nothing is left for workers to run` };
  if (record.status === "failed") {
    return { ok: false, reason: `sweep ${sweepId} stopped because its trainer looks broken; fix it, then \`sweep resume ${sweepId} --retry-failed\` (or run a few trials locally first)` };
  }
  const requeued = await requeueInterrupted(storage, sweepId);
  await storage.setSweepStatus(sweepId, "running");
  await storage.addEvent(sweepId, "sweep_resumed", { previousStatus: record.status, by: currentWorker().name, retried: [], via: "slurm submit" });
  return { ok: true, reopened: requeued };
}
