/**
 * The three ways to drive trials of a sweep, behind `sweep run`, `sweep resume` and `sweep agent`:
 *
 *   startSweep  — store a new sweep from a resolved sweep file, then run it;
 *   resumeSweep — reopen a sweep, recover trials of dead controllers, requeue interrupted ones, run on;
 *   joinSweep   — one more worker on a sweep that others may be running (`wandb agent`).
 *
 * Each ends with the storage fully up to date, whatever the exit path.
 */
import type { ResolvedSweep, SweepSettings } from "../config/types.js";
import type { Storage } from "../storage/types.js";
import { Sweep } from "../study/index.js";
import { DEFAULT_GRACE_PERIOD_SEC, STALE_HEARTBEAT_MS, SweepController, type InterruptPolicy, type RunSummary } from "./controller.js";
import { createReporter, type ProgressMode, type ProgressReporter, type TextSink } from "./progress.js";
import { recoverDeadTrials, requeueInterrupted } from "./recovery.js";
import { createControllerLogger, runDirFor, setupSlots, type RuntimeFlags, type SlotSetup } from "./setup.js";
import { currentWorker, type WorkerIdentity } from "./worker.js";

/** Everything a CLI flag can set for a controller run (file settings are the fallback). */
export interface RunnerFlags extends RuntimeFlags {
  readonly trialTimeout?: number;
  readonly maxRetries?: number;
  readonly gracePeriod?: number;
  readonly onInterrupt?: InterruptPolicy;
  readonly count?: number;
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
async function drive(sweep: Sweep, settings: SweepSettings, flags: RunnerFlags, io: SessionIo, worker: WorkerIdentity, prepared: SlotSetup, before?: (reporter: ProgressReporter) => void): Promise<RunSummary> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const reporter = createReporter(io.progress, { stdout, stderr });
  const { logger, file } = createControllerLogger(sweep.storage.location, sweep.id, { stderr: io.logToStderr ?? false });
  try {
    const { slots, notices } = prepared;
    for (const message of notices) reporter.emit({ type: "notice", level: "warn", message });
    before?.(reporter);
    const controller = new SweepController(sweep, {
      slots,
      worker,
      runDir: runDirFor(sweep.storage.location),
      cwd: io.cwd,
      baseEnv: io.env,
      trialTimeoutSec: flags.trialTimeout ?? settings.trialTimeout,
      maxRetries: flags.maxRetries ?? settings.maxRetries,
      gracePeriodSec: flags.gracePeriod ?? DEFAULT_GRACE_PERIOD_SEC,
      onInterrupt: flags.onInterrupt,
      count: flags.count,
      reporter,
      logger,
      logFile: file,
    });
    const removeHandlers = io.handleSignals === false ? () => undefined : installSignalHandlers(controller);
    try {
      return await controller.run();
    } finally {
      removeHandlers();
    }
  } finally {
    reporter.close();
    logger.flush();
  }
}

/** First SIGINT drains, second stops; SIGTERM stops. Removing restores Node's defaults. */
function installSignalHandlers(controller: SweepController): () => void {
  const onInt = () => controller.interrupt();
  const onTerm = () => controller.terminate();
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return () => {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * `sweep run FILE`: store the sweep (settings from the file, overridden by flags) and run it. The slots are
 * planned first (or given, already planned by the caller), so a bad GPU selection stores no sweep.
 */
export async function startSweep(storage: Storage, resolved: ResolvedSweep, flags: RunnerFlags, io: SessionIo, slots?: SlotSetup): Promise<RunSummary> {
  const prepared = slots ?? (await prepareSlots(resolved.config.sweep, flags, io.env ?? process.env));
  // The sweep's pruner comes from its config (early_terminate / sweep.pruner), chosen by Sweep itself.
  const sweep = await Sweep.create(storage, resolved);
  return drive(sweep, sweep.config.sweep, flags, io, currentWorker(), prepared);
}

/**
 * `sweep resume ID`: trials whose controller died are stopped (if their trainer survived), marked
 * interrupted and requeued with the same params; trials interrupted by Ctrl-C are requeued; completed
 * trials stay. A sweep stopped as "failed" (broken trainer) or "stopped" is reopened; a finished one only
 * when it still had trials to re-run.
 */
export async function resumeSweep(storage: Storage, sweepId: string, flags: RunnerFlags, io: SessionIo): Promise<RunSummary> {
  const sweep = await Sweep.load(storage, sweepId);
  const prepared = await prepareSlots(sweep.config.sweep, flags, io.env ?? process.env); // before recovering anything
  const worker = currentWorker();
  const recovered = await recoverDeadTrials(storage, sweepId, {
    self: worker,
    staleAfterMs: STALE_HEARTBEAT_MS,
    graceMs: (flags.gracePeriod ?? DEFAULT_GRACE_PERIOD_SEC) * 1000,
    treatUnknownAsDead: true,
  });
  const requeued = await requeueInterrupted(storage, sweepId);
  const record = await storage.getSweep(sweepId);
  if (record && record.status !== "running" && (record.status !== "finished" || requeued.length > 0)) {
    await storage.setSweepStatus(sweepId, "running");
    await storage.addEvent(sweepId, "sweep_resumed", { previousStatus: record.status, by: worker.name });
  }
  return drive(sweep, sweep.config.sweep, flags, io, worker, prepared, (reporter) => {
    for (const r of recovered) {
      reporter.emit({ type: "notice", level: "info", message: `trial ${r.number} was left running by ${r.worker ?? "an unknown controller"}${r.reapedPid ? ` (stopped its trainer, pid ${r.reapedPid})` : ""}; it will run again` });
    }
    const fromCtrlC = requeued.filter((n) => !recovered.some((r) => r.number === n));
    if (fromCtrlC.length > 0) reporter.emit({ type: "notice", level: "info", message: `re-running interrupted trial(s) ${fromCtrlC.join(", ")}` });
  });
}

/**
 * `sweep agent ID`: join a sweep through the shared storage. Running trials of workers that are provably
 * dead are recovered; trials of live workers are never touched.
 */
export async function joinSweep(storage: Storage, sweepId: string, flags: RunnerFlags, io: SessionIo): Promise<RunSummary> {
  const sweep = await Sweep.load(storage, sweepId);
  const prepared = await prepareSlots(sweep.config.sweep, flags, io.env ?? process.env); // before recovering or claiming anything
  const worker = currentWorker();
  const recovered = await recoverDeadTrials(storage, sweepId, {
    self: worker,
    staleAfterMs: STALE_HEARTBEAT_MS,
    graceMs: (flags.gracePeriod ?? DEFAULT_GRACE_PERIOD_SEC) * 1000,
    treatUnknownAsDead: false,
  });
  return drive(sweep, sweep.config.sweep, flags, io, worker, prepared, (reporter) => {
    for (const r of recovered) reporter.emit({ type: "notice", level: "info", message: `recovered trial ${r.number} from dead worker ${r.worker ?? "(unknown)"}` });
  });
}
