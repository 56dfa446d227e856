/**
 * The three ways to drive trials of a sweep, behind `sweep run`, `sweep resume` and `sweep agent`:
 *
 *   startSweep  — store a new sweep from a resolved sweep file, then run it;
 *   resumeSweep — reopen a sweep, recover trials of dead controllers, requeue interrupted ones, run on;
 *   joinSweep   — one more worker on a sweep that others may be running (`wandb agent`).
 *
 * Each ends with the storage fully up to date, whatever the exit path.
 */
import { resolve as resolvePath } from "node:path";
import { sweepFileDir } from "../config/program.js";
import { commandSecretValues } from "../config/secrets.js";
import type { ResolvedSweep, SweepSettings } from "../config/types.js";
import type { Storage } from "../storage/types.js";
import type { FlatParams } from "../space/types.js";
import { Sweep, SweepNotFoundError } from "../study/index.js";
import { extendedRunCap, extendSweep, type ExtendResult, type RunCapChange } from "../study/extend.js";
import { STALE_HEARTBEAT_MS, STOP_REQUESTED_EVENT, SweepController, DEFAULT_GRACE_PERIOD_SEC, type InterruptPolicy, type RunSummary } from "./controller.js";
import { createReporter, type ProgressMode, type ProgressReporter, type TextSink } from "./progress.js";
import { requeueFailed, requeueInterrupted } from "./recovery.js";
import { createControllerLogger, runDirFor, setupSlots, type RuntimeFlags, type SlotSetup } from "./setup.js";
import { currentWorker, workersWithLiveness, type WorkerIdentity, type WorkerRole } from "./worker.js";

/** Everything a CLI flag can set for a controller run (file settings are the fallback). */
export interface RunnerFlags extends RuntimeFlags {
  readonly trialTimeout?: number;
  readonly maxRetries?: number;
  readonly gracePeriod?: number;
  readonly onInterrupt?: InterruptPolicy;
  readonly count?: number;
  /** `sweep resume --retry-failed`: failed trials run again (same number and params, next attempt). */
  readonly retryFailed?: boolean;
  /** `sweep resume --run-cap N` / `--add N`: a new run_cap, set before the sweep goes on. */
  readonly extend?: RunCapChange;
  /** `sweep agent --requeue-on-term`: trials stopped by SIGTERM go back to the queue at once (Slurm workers). */
  readonly requeueOnTerm?: boolean;
}

/** `sweep resume` of a sweep whose controller is still running: doubling it would double its trials. */
export class SweepBusyError extends Error {
  override readonly name = "SweepBusyError";
  constructor(
    readonly sweepId: string,
    readonly worker: string,
    /** Why it is refused, when it is not a plain resume. */
    message?: string,
  ) {
    super(
      message ??
        `sweep ${sweepId} is still being run by ${worker}; resuming it now would run its trials twice. ` +
          `Add workers with \`sweep agent ${sweepId}\`, or stop that controller (Ctrl-C) and then resume.`,
    );
  }
}

export interface SessionIo {
  readonly progress: ProgressMode;
  readonly stdout?: TextSink;
  readonly stderr?: TextSink;
  /** Install SIGINT/SIGTERM handlers (CLI: yes; tests driving the controller directly: no). */
  readonly handleSignals?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Also write the structured log lines to stderr (`--log-format json`). */
  readonly logToStderr?: boolean;
  /** Called with the controller before it runs, for callers that route signals themselves (`sweep wandb`). */
  readonly onController?: (controller: SweepController) => void;
}


interface DriveRole {
  readonly role: WorkerRole;
  readonly treatUnknownAsDead: boolean;
}

/**
 * The slots a run of a sweep with these settings and flags gets. Finds the GPUs and stores nothing, so a
 * selection that cannot work (`--gpus 5` on a 4-GPU host: GpuSelectionError, SlotPlanError) is refused before
 * a sweep is created or a trial claimed.
 */
export function prepareSlots(settings: SweepSettings, flags: RunnerFlags, env: NodeJS.ProcessEnv = process.env): Promise<SlotSetup> {
  return setupSlots({ ...settings, ...definedOnly(flags) }, env);
}

/** Runs the controller over `sweep` on the prepared slots, with logs and signal handling set up; returns its summary. */
async function drive(sweep: Sweep, settings: SweepSettings, flags: RunnerFlags, io: SessionIo, worker: WorkerIdentity, as: DriveRole, prepared: SlotSetup, before?: (reporter: ProgressReporter) => void): Promise<RunSummary> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const reporter = createReporter(io.progress, { stdout, stderr }, env);
  // Values of the command's ${envvar:NAME} macros are secrets whatever their names: hidden in every log line.
  const { logger, file } = createControllerLogger(sweep.storage.location, sweep.id, {
    stderr: io.logToStderr ?? false,
    secrets: commandSecretValues(sweep.config.command, env),
    env,
  });
  // A terminal that went away (a dropped ssh session, `| head -1`) must not take the sweep with it: output
  // errors are logged once and ignored; the log file keeps everything.
  const stopGuard = guardOutput([stdout, stderr], (err) => logger.warn({ err }, "terminal output failed; the sweep goes on, see this log"));
  try {
    const { slots, notices, resources } = prepared;
    for (const message of notices) reporter.emit({ type: "notice", level: "warn", message });
    before?.(reporter);
    const controller = new SweepController(sweep, {
      slots,
      worker,
      runDir: runDirFor(sweep.storage.location),
      cwd: io.cwd,
      sweepFileDir: await sweepFileFolder(sweep),
      ...(resources ? { resources } : {}),
      baseEnv: io.env,
      trialTimeoutSec: flags.trialTimeout ?? settings.trialTimeout,
      maxRetries: flags.maxRetries ?? settings.maxRetries,
      gracePeriodSec: flags.gracePeriod ?? DEFAULT_GRACE_PERIOD_SEC,
      onInterrupt: flags.onInterrupt,
      count: flags.count,
      requeueOnTerminate: flags.requeueOnTerm ?? false,
      role: as.role,
      treatUnknownAsDead: as.treatUnknownAsDead,
      reporter,
      logger,
      logFile: file,
    });
    io.onController?.(controller);
    const removeHandlers = io.handleSignals === false ? () => undefined : installSignalHandlers(controller, logger);
    try {
      return await controller.run();
    } finally {
      removeHandlers();
    }
  } finally {
    reporter.close();
    logger.flush();
    stopGuard();
  }
}

/** Streams that already swallow their write errors (for good: a closed pipe stays closed after the sweep). */
const guarded = new WeakSet<object>();
let onOutputError: ((err: Error) => void) | null = null;

/** Write errors on these streams (EPIPE, EIO) are ignored from now on, and reported once to `report`. */
function guardOutput(sinks: readonly TextSink[], report: (err: Error) => void): () => void {
  let reported = false;
  onOutputError = (err) => {
    if (!reported) report(err);
    reported = true;
  };
  for (const sink of sinks) {
    const stream = sink as Partial<NodeJS.WriteStream>;
    if (typeof stream.on !== "function" || guarded.has(stream)) continue;
    guarded.add(stream);
    stream.on("error", (err: Error) => onOutputError?.(err));
  }
  return () => {
    onOutputError = null;
  };
}

/**
 * First SIGINT drains, second stops; SIGTERM stops. SIGHUP (the terminal or ssh session went away) is logged
 * and otherwise ignored: the sweep keeps running, its trainers keep training, and output that can no longer
 * reach the terminal goes to the log file only. Removing restores Node's defaults.
 */
function installSignalHandlers(controller: SweepController, logger: { warn: (msg: string) => void }): () => void {
  const onInt = () => controller.interrupt();
  const onTerm = () => controller.terminate();
  const onHup = () => logger.warn("SIGHUP: the terminal went away; the sweep goes on (stop it with `sweep stop` or SIGTERM)");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  process.on("SIGHUP", onHup);
  return () => {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    process.off("SIGHUP", onHup);
  };
}

/** Where a sweep created from a file came from, so `resume` and `agent` find a relative `program:` as `run` did. */
export const SWEEP_FILE_EVENT = "sweep_file";

async function sweepFileFolder(sweep: Sweep): Promise<string | undefined> {
  const events = await sweep.storage.listEvents(sweep.id);
  const data = events.find((e) => e.kind === SWEEP_FILE_EVENT)?.data as { dir?: unknown } | undefined;
  return typeof data?.dir === "string" ? data.dir : undefined;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * `sweep run FILE`: store the sweep (settings from the file, overridden by flags) and run it. The slots are
 * planned first (or given, already planned by the caller), so a bad GPU selection stores no sweep.
 */
export async function startSweep(
  storage: Storage,
  resolved: ResolvedSweep,
  flags: RunnerFlags,
  io: SessionIo,
  slots?: SlotSetup,
  enqueue: readonly FlatParams[] = [],
): Promise<RunSummary> {
  const prepared = slots ?? (await prepareSlots(resolved.config.sweep, flags, io.env ?? process.env));
  // The sweep's pruner comes from its config (early_terminate / sweep.pruner), chosen by Sweep itself.
  const sweep = await Sweep.create(storage, resolved);
  if (resolved.file !== undefined) await storage.addEvent(sweep.id, SWEEP_FILE_EVENT, { path: resolvePath(resolved.file), dir: sweepFileDir(resolved.file) });
  // `run --enqueue`: checked by the command before anything was stored; run first, missing params sampled.
  for (const params of enqueue) await sweep.enqueue(params);
  return drive(sweep, sweep.config.sweep, flags, io, currentWorker(), { role: "controller", treatUnknownAsDead: false }, prepared);
}

/**
 * `sweep resume ID`: refused while the sweep's controller is alive. Otherwise trials whose controller died are
 * taken over by the controller (followed if still training, adopted if they finished unwatched, requeued
 * otherwise), trials interrupted by Ctrl-C are requeued (and failed ones with `retryFailed`), completed trials
 * stay. A sweep stopped as "failed" (broken trainer) or "stopped" is reopened; a finished one only when it
 * has trials to run again.
 */
export async function resumeSweep(storage: Storage, sweepId: string, flags: RunnerFlags, io: SessionIo): Promise<RunSummary> {
  let sweep = await Sweep.load(storage, sweepId);
  // A run_cap that cannot work is refused first; the storage checks it again, atomically, when it writes it.
  if (flags.extend) extendedRunCap(sweepId, sweep.config, sweep.space, (await storage.listTrials(sweepId)).length, flags.extend);
  const prepared = await prepareSlots(sweep.config.sweep, flags, io.env ?? process.env); // before recovering anything
  const worker = currentWorker();
  await refuseIfControlled(storage, sweepId, worker);
  let extended: ExtendResult | undefined;
  if (flags.extend) {
    await refuseIfAnyWorkerAlive(storage, sweepId, worker);
    extended = await extendSweep(storage, sweepId, flags.extend, worker.name);
    sweep = await Sweep.load(storage, sweepId); // with its new run_cap
  }
  const requeued = await requeueInterrupted(storage, sweepId);
  const retried = flags.retryFailed ? await requeueFailed(storage, sweepId) : [];
  const record = await storage.getSweep(sweepId);
  const reopen = requeued.length > 0 || retried.length > 0 || (await storage.listTrials(sweepId, { status: ["running"] })).length > 0;
  if (record && record.status !== "running" && (record.status !== "finished" || reopen)) {
    await storage.setSweepStatus(sweepId, "running");
    await storage.addEvent(sweepId, "sweep_resumed", { previousStatus: record.status, by: worker.name, retried });
  }
  return drive(sweep, sweep.config.sweep, flags, io, worker, { role: "controller", treatUnknownAsDead: true }, prepared, (reporter) => {
    if (!extended && record?.status === "finished" && !reopen) {
      reporter.emit({ type: "notice", level: "info", message: `sweep ${sweepId} is finished; to run more trials, extend it: \`sweep resume ${sweepId} --add N\` (or --run-cap N)` });
    }
    if (extended) {
      const more = extended.runCap - extended.trialCount;
      reporter.emit({ type: "notice", level: "info", message: `run_cap ${extended.previousRunCap ?? "none"} -> ${extended.runCap}: up to ${more} more trial(s) after the ${extended.trialCount} made` });
    }
    if (requeued.length > 0) reporter.emit({ type: "notice", level: "info", message: `re-running interrupted trial(s) ${requeued.join(", ")}` });
    if (retried.length > 0) reporter.emit({ type: "notice", level: "info", message: `re-running failed trial(s) ${retried.join(", ")} (--retry-failed)` });
  });
}

/**
 * A sweep has one controller (`run` or `resume`) at a time; agents may join it. A controller is alive when its
 * process is (same host), or when its running trials' heartbeats are fresh (another host).
 */
async function refuseIfControlled(storage: Storage, sweepId: string, self: WorkerIdentity): Promise<void> {
  for (const { worker, liveness } of await workersWithLiveness(storage, sweepId, STALE_HEARTBEAT_MS)) {
    if (worker.name !== self.name && worker.role !== "agent" && liveness === "alive") throw new SweepBusyError(sweepId, worker.name);
  }
}

/**
 * Changing the run_cap: every worker of the sweep holds its config, run_cap included, in memory, so none may be
 * alive, agents included (an agent with the old, larger cap could go past a lowered one).
 */
async function refuseIfAnyWorkerAlive(storage: Storage, sweepId: string, self: WorkerIdentity): Promise<void> {
  for (const { worker, liveness } of await workersWithLiveness(storage, sweepId, STALE_HEARTBEAT_MS)) {
    if (worker.name !== self.name && liveness === "alive") {
      throw new SweepBusyError(
        sweepId,
        worker.name,
        `sweep ${sweepId} is still being run by ${worker.name} (${worker.role ?? "worker"}), which holds the old run_cap; ` +
          `stop it (\`sweep stop ${sweepId} --wait\`), then change the run_cap with \`sweep resume ${sweepId} --run-cap N\``,
      );
    }
  }
}

/**
 * `sweep agent ID`: join a sweep through the shared storage. Running trials of workers that are provably
 * dead are taken over; trials of live workers are never touched.
 */
export async function joinSweep(storage: Storage, sweepId: string, flags: RunnerFlags, io: SessionIo): Promise<RunSummary> {
  const sweep = await Sweep.load(storage, sweepId);
  const prepared = await prepareSlots(sweep.config.sweep, flags, io.env ?? process.env); // before recovering or claiming anything
  const finished = (await storage.getSweep(sweepId))?.status === "finished";
  return drive(sweep, sweep.config.sweep, flags, io, currentWorker(), { role: "agent", treatUnknownAsDead: false }, prepared, (reporter) => {
    if (finished) reporter.emit({ type: "notice", level: "info", message: `sweep ${sweepId} is finished; to run more trials, extend it: \`sweep resume ${sweepId} --add N\` (or --run-cap N)` });
  });
}

export interface StopRequest {
  /** The sweep's status before the request. */
  readonly previousStatus: string;
  /** Trials running when the request was made, with the workers that run them. */
  readonly running: readonly { readonly number: number; readonly worker: string | null }[];
}

/**
 * `sweep stop ID`: marks the sweep stopped in the storage. Every controller and agent running it (on any host)
 * notices within a second, starts nothing new and stops its running trials gracefully; they are recorded
 * interrupted and `sweep resume ID` continues the sweep. A sweep that is not running is left as it is.
 */
export async function requestStop(storage: Storage, sweepId: string): Promise<StopRequest> {
  const record = await storage.getSweep(sweepId);
  if (!record) throw new SweepNotFoundError(sweepId, storage.location);
  const running = (await storage.listTrials(sweepId, { status: ["running"] })).map((t) => ({ number: t.number, worker: t.worker }));
  if (record.status === "running") {
    const by = currentWorker().name;
    await storage.addEvent(sweepId, STOP_REQUESTED_EVENT, { by });
    await storage.setSweepStatus(sweepId, "stopped");
  }
  return { previousStatus: record.status, running };
}
