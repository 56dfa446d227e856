/**
 * The controller: keeps every slot busy with a trial of the sweep until the sweep says stop.
 *
 * Event-driven, never polling: a slot that frees up wakes the loop, which claims the next trial at once.
 * Everything goes through the storage as it happens (claim, pid, metrics, outcome), so a controller
 * killed at any moment leaves a state that `sweep resume` can complete without losing or repeating a trial.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import type { Sweep, Trial } from "../study/index.js";
import { buildCommand, CommandError, formatArgsJson } from "./command.js";
import type { MetricReport } from "./metric-protocol.js";
import { BrokenTrainerDetector, classifyOutcome, type ClassifiedOutcome, type StopCause } from "./outcome.js";
import { pythonClientDir, wandbShimDir } from "./package-paths.js";
import type { ProgressReporter, SweepTally, TrialCounts } from "./progress.js";
import type { Slot } from "./slots.js";
import { LaunchError, TrainerProcess, type MetricSource, type TrainerExit } from "./trainer-process.js";
import { recoverDeadTrials } from "./recovery.js";
import { buildTrialEnv } from "./trial-env.js";
import { trainerHasExited } from "./trainer-exited.js";
import { announceWorker, type WorkerIdentity } from "./worker.js";

export type InterruptPolicy = "wait" | "kill";

export interface ControllerOptions {
  readonly slots: readonly Slot[];
  readonly worker: WorkerIdentity;
  /** Trial folders go to `<runDir>/<sweepId>/trial-<number>/` (logs, params.json, checkpoints). */
  readonly runDir: string;
  /** Working directory of trainers (relative `program:` paths resolve from here). Default: process.cwd(). */
  readonly cwd?: string;
  /** Environment trainers inherit (before the SWEEP_* variables). Default: process.env. */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** Seconds before a trial is stopped and failed; undefined = no limit. */
  readonly trialTimeoutSec?: number;
  /** Re-runs of a trial that crashed (non-zero exit, signal, no metric). Default 0. */
  readonly maxRetries?: number;
  /** Seconds between SIGTERM and SIGKILL when a trial is stopped. */
  readonly gracePeriodSec?: number;
  /** First Ctrl-C: let running trials finish ("wait", default) or stop them ("kill"). */
  readonly onInterrupt?: InterruptPolicy;
  /** Start at most this many trials (`sweep agent --count`). */
  readonly count?: number;
  /** Stop the sweep when this many first runs all fail the same way (0 disables). */
  readonly brokenTrainerThreshold?: number;
  readonly logCapBytes?: number;
  /** How often running trials' heartbeat is written. */
  readonly heartbeatMs?: number;
  /** How long a pruned trial may take to end on its own before it is stopped (default PRUNE_SETTLE_MS). */
  readonly pruneSettleMs?: number;
  readonly interpreter?: string;
  readonly reporter?: ProgressReporter;
  readonly logger?: Logger;
  /** Path of the controller log, for the progress header. */
  readonly logFile?: string | null;
}

export const DEFAULT_GRACE_PERIOD_SEC = 10;
export const DEFAULT_BROKEN_TRAINER_THRESHOLD = 3;
export const DEFAULT_HEARTBEAT_MS = 10_000;
/** A run judged at its final report gets this long to end (summary line or exit) before a prune stops it. */
export const PRUNE_SETTLE_MS = 150;
/** A heartbeat older than this marks a worker on another host (or an unannounced one) as dead. */
export const STALE_HEARTBEAT_MS = 60_000;

export interface RunSummary {
  readonly sweepId: string;
  /** Why the controller stopped, in words ("run_cap reached", "interrupted", …). */
  readonly reason: string;
  readonly exitCode: ExitCodeValue;
  /** Trials this controller ran (attempts included). */
  readonly launched: number;
  readonly tally: SweepTally;
}

/** A one-shot-at-a-time wake-up: `notify` before `wait` is remembered, so no event is ever missed. */
class Wakeup {
  private resolve: (() => void) | null = null;
  private pending = false;
  notify(): void {
    if (this.resolve) {
      const r = this.resolve;
      this.resolve = null;
      r();
    } else this.pending = true;
  }
  wait(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((r) => (this.resolve = r));
  }
}

interface ActiveTrial {
  readonly trial: Trial;
  readonly slot: Slot;
  process: TrainerProcess | null;
  stopCause: StopCause | null;
  /** The run's summary line (docs/protocol.md): its history is over, so no prune decision stops it any more. */
  summary: Record<string, number> | null;
  /** A prune decision waiting PRUNE_SETTLE_MS to see whether the run ends on its own. */
  pruneTimer: NodeJS.Timeout | null;
}

export class SweepController {
  private readonly active = new Map<number, ActiveTrial>();
  private readonly wake = new Wakeup();
  private readonly detector: BrokenTrainerDetector;
  private readonly logger: Logger;
  private interrupts = 0;
  private terminated = false;
  private brokenMessage: string | null = null;
  private lastStop: string | null = null;
  private launched = 0;
  private failedFinal = 0;

  constructor(
    readonly sweep: Sweep,
    private readonly opts: ControllerOptions,
  ) {
    if (opts.slots.length === 0) throw new Error("the controller needs at least one slot");
    this.detector = new BrokenTrainerDetector(opts.brokenTrainerThreshold ?? DEFAULT_BROKEN_TRAINER_THRESHOLD);
    this.logger = opts.logger ?? pino({ enabled: false });
  }

  /** True once no new trial may start (Ctrl-C, SIGTERM, broken trainer). */
  get draining(): boolean {
    return this.interrupts > 0 || this.terminated || this.brokenMessage !== null;
  }

  /** Ctrl-C. First: start nothing new (and stop running trials with `onInterrupt: "kill"`); second: stop them now. */
  interrupt(): void {
    this.interrupts++;
    this.logger.warn({ interrupts: this.interrupts }, "interrupt");
    if (this.interrupts === 1 && (this.opts.onInterrupt ?? "wait") === "wait" && this.active.size > 0) {
      this.notice("warn", `interrupted: starting no new trials; waiting for ${this.active.size} running trial(s) to finish. Press Ctrl-C again to stop them now.`);
    } else if (this.active.size > 0) {
      this.notice("warn", `interrupted: stopping ${this.active.size} running trial(s) (they will be re-run by \`sweep resume ${this.sweep.id}\`)`);
      this.stopAll({ kind: "interrupt", reason: "interrupted by the user (Ctrl-C)" });
    }
    this.wake.notify();
  }

  /** SIGTERM (or a library caller): stop every running trial now and return. */
  terminate(): void {
    this.terminated = true;
    this.logger.warn("terminate");
    this.stopAll({ kind: "interrupt", reason: "the controller was terminated (SIGTERM)" });
    this.wake.notify();
  }

  async run(): Promise<RunSummary> {
    const { sweep } = this;
    await announceWorker(sweep.storage, sweep.id, this.opts.worker, "controller");
    this.logger.info({ sweepId: sweep.id, worker: this.opts.worker, slots: this.opts.slots.map((s) => s.label) }, "controller started");
    this.opts.reporter?.emit({
      type: "sweep_started",
      sweepId: sweep.id,
      name: sweep.config.name ?? null,
      worker: this.opts.worker.name,
      storage: sweep.storage.location,
      slots: this.opts.slots,
      logFile: this.opts.logFile ?? null,
      tally: await this.tally(),
    });

    const heartbeat = setInterval(() => void this.beat(), this.opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    heartbeat.unref();
    try {
      for (;;) {
        if (!this.draining) await this.fillSlots();
        if (this.active.size === 0) break;
        await this.wake.wait();
      }
    } finally {
      clearInterval(heartbeat);
    }

    await this.markFinishedIfDone();
    const tally = await this.tally();
    const reason = this.finalReason();
    const exitCode = this.brokenMessage
      ? ExitCode.trainerBroken
      : this.terminated
        ? ExitCode.terminated
        : this.interrupts > 0
          ? ExitCode.interrupted
          : this.failedFinal > 0
            ? ExitCode.trialsFailed
            : ExitCode.ok;
    this.logger.info({ reason, exitCode, launched: this.launched, counts: tally.counts }, "controller finished");
    this.opts.reporter?.emit({ type: "sweep_finished", sweepId: sweep.id, reason, tally });
    return { sweepId: sweep.id, reason, exitCode, launched: this.launched, tally };
  }

  /**
   * The sweep itself said stop (run_cap, grid exhausted) and nothing is queued, running or waiting for a resume, so the
   * sweep is finished. Not after a Ctrl-C or `--count`: the sweep is merely paused then.
   */
  private async markFinishedIfDone(): Promise<void> {
    if (this.draining || this.lastStop === null || (this.opts.count !== undefined && this.launched >= this.opts.count)) return;
    const open = await this.sweep.storage.listTrials(this.sweep.id, { status: ["queued", "running", "interrupted"] });
    if (open.length > 0) return;
    const record = await this.sweep.storage.getSweep(this.sweep.id);
    if (record?.status !== "running") return;
    await this.sweep.storage.setSweepStatus(this.sweep.id, "finished");
    await this.sweep.storage.addEvent(this.sweep.id, "sweep_finished", { reason: this.lastStop });
  }

  private finalReason(): string {
    if (this.brokenMessage) return this.brokenMessage;
    if (this.terminated) return "terminated (SIGTERM)";
    if (this.interrupts > 0) return "interrupted (Ctrl-C)";
    if (this.opts.count !== undefined && this.launched >= this.opts.count) return `--count ${this.opts.count} reached`;
    return this.lastStop ?? "done";
  }

  /** Claims a trial for every free slot, until the sweep says stop. */
  private async fillSlots(): Promise<void> {
    for (const slot of this.opts.slots) {
      if (this.draining) return;
      if (this.active.has(slot.index)) continue;
      if (this.opts.count !== undefined && this.launched >= this.opts.count) return;
      const next = await this.sweep.next({ worker: this.opts.worker.name });
      if ("stop" in next) {
        this.lastStop = next.stop;
        return;
      }
      if (this.draining) {
        // Interrupted while the claim was in flight: hand the trial straight back to the queue.
        await this.releaseUnstarted(next.trial);
        return;
      }
      this.launched++;
      const entry: ActiveTrial = { trial: next.trial, slot, process: null, stopCause: null, summary: null, pruneTimer: null };
      this.active.set(slot.index, entry);
      void this.runTrial(entry)
        .catch((err: unknown) => {
          this.logger.error({ err, trial: entry.trial.number }, "trial bookkeeping failed");
          this.notice("error", `internal error while running the trial: ${(err as Error).message}`, entry.trial.number);
        })
        .finally(() => {
          this.active.delete(slot.index);
          this.wake.notify();
        });
    }
  }

  private async releaseUnstarted(trial: Trial): Promise<void> {
    await this.sweep.tell(trial, { state: "interrupted", error: "claimed while the controller was stopping; not started" });
    await this.sweep.storage.requeueTrial(trial.id);
  }

  private stopAll(cause: StopCause): void {
    for (const entry of this.active.values()) this.stopTrial(entry, cause);
  }

  private stopTrial(entry: ActiveTrial, cause: StopCause): void {
    // The first reason wins: a trial pruned a moment before Ctrl-C stays pruned.
    if (entry.stopCause === null) entry.stopCause = cause;
    this.logger.info({ trial: entry.trial.number, cause }, "stopping trial");
    void entry.process?.stop((this.opts.gracePeriodSec ?? DEFAULT_GRACE_PERIOD_SEC) * 1000);
  }

  /**
   * Every heartbeat tick: refresh our running trials' heartbeat, notice any that another agent reclaimed
   * from us (we looked dead to it: a frozen host, a long network outage) and stop them here, and reclaim the
   * trials of agents that died while this one runs, so a dead host's trials are not lost until a resume.
   */
  private async beat(): Promise<void> {
    const now = new Date().toISOString();
    for (const entry of this.active.values()) {
      try {
        const record = await this.sweep.storage.updateTrial(entry.trial.id, { heartbeatAt: now });
        if (record.attempt !== entry.trial.attempt || record.worker !== this.opts.worker.name) {
          this.notice("warn", `trial ${entry.trial.number} was taken over by ${record.worker ?? "the queue"} (this agent looked dead to it); stopping it here`, entry.trial.number);
          this.stopTrial(entry, { kind: "interrupt", reason: "reclaimed by another agent" });
        }
      } catch (err) {
        this.logger.warn({ err, trial: entry.trial.number }, "heartbeat failed");
      }
    }
    if (this.draining) return;
    try {
      const recovered = await recoverDeadTrials(this.sweep.storage, this.sweep.id, {
        self: this.opts.worker,
        staleAfterMs: STALE_HEARTBEAT_MS,
        graceMs: (this.opts.gracePeriodSec ?? DEFAULT_GRACE_PERIOD_SEC) * 1000,
        treatUnknownAsDead: false,
      });
      for (const r of recovered) this.notice("info", `trial ${r.number} of dead worker ${r.worker ?? "(unknown)"} goes back to the queue`, r.number);
      if (recovered.length > 0) this.wake.notify();
    } catch (err) {
      this.logger.warn({ err }, "recovering dead workers' trials failed");
    }
  }

  private trialDir(trial: Trial): string {
    return join(this.opts.runDir, this.sweep.id, `trial-${String(trial.number).padStart(4, "0")}`);
  }

  /** Runs one trial attempt from launch to the recorded outcome. */
  private async runTrial(entry: ActiveTrial): Promise<void> {
    const { trial, slot } = entry;
    const { sweep } = this;
    const startedAt = Date.now();
    const dir = this.trialDir(trial);
    mkdirSync(dir, { recursive: true });
    const paramsFile = join(dir, "params.json");
    // Python's json.dumps, so a float written `1.0` in the sweep stays a float for the trainer.
    const paramsJson = formatArgsJson(trial.config, trial.params, sweep.space);
    writeFileSync(paramsFile, `${paramsJson}\n`);
    const log = this.logger.child({ trial: trial.number, attempt: trial.attempt });

    const graceSec = this.opts.gracePeriodSec ?? DEFAULT_GRACE_PERIOD_SEC;
    const env = buildTrialEnv({
      base: this.opts.baseEnv ?? process.env,
      sweepId: sweep.id,
      trialId: trial.id,
      trialNumber: trial.number,
      attempt: trial.attempt,
      config: trial.config,
      paramsJson,
      storage: sweep.storage.location,
      slot,
      trialDir: dir,
      paramsFile,
      pythonClientDir,
      wandbShimDir: sweep.config.sweep.wandbShim ? wandbShimDir : undefined,
      gracePeriodSec: graceSec,
    });

    const reported = new Set<string>();
    const warnedNonFinite = new Set<string>();
    let metricChain: Promise<void> = Promise.resolve();
    const metricName = sweep.metric?.name;

    const onReport = (report: MetricReport, source: MetricSource) => {
      // Recorded at once, not in the chain: a prune decision for the report just before it must see it.
      if (report.summary) entry.summary = { ...entry.summary, ...report.summary };
      // Serialised per trial: reports are stored in order and each prune check sees the report before it.
      metricChain = metricChain.then(() => this.handleReport(entry, report, source, reported, warnedNonFinite)).catch((err: unknown) => {
        log.error({ err }, "storing a metric failed");
        this.notice("error", `could not store metrics of step ${report.step}: ${(err as Error).message}`, trial.number);
      });
    };
    const onBadLine = (error: string, line: string, source: MetricSource) => {
      log.warn({ source, error, line: line.slice(0, 500) }, "malformed metric line skipped");
      this.notice("warn", `skipped a malformed metric line on ${source === "pipe" ? `fd ${env.SWEEP_METRICS_FD}` : "stdout"} (${error}): ${line.slice(0, 120)}`, trial.number);
    };

    let exit: TrainerExit | null = null;
    let launchError: string | undefined;
    const logDir = dir;
    this.opts.reporter?.emit({ type: "trial_started", trial, slot, logDir });
    try {
      const argv = buildCommand({
        template: sweep.config.command,
        program: sweep.config.program,
        params: trial.params,
        config: trial.config,
        space: sweep.space,
        argsJsonFile: paramsFile,
        env,
        interpreter: this.opts.interpreter,
      });
      log.info({ argv, gpus: slot.cudaVisibleDevices }, "launching trainer");
      const proc = await TrainerProcess.launch({
        argv,
        env,
        cwd: this.opts.cwd ?? process.cwd(),
        stdoutLog: join(dir, `attempt-${trial.attempt}.stdout.log`),
        stderrLog: join(dir, `attempt-${trial.attempt}.stderr.log`),
        logCapBytes: this.opts.logCapBytes,
        onReport,
        onBadLine,
      });
      entry.process = proc;
      // A stop requested while the process was starting (Ctrl-C, a broken-trainer stop) applies now.
      if (entry.stopCause) void proc.stop(graceSec * 1000);
      await sweep.storage.updateTrial(trial.id, {
        pid: proc.pid,
        pidStartTime: proc.startTime,
        gpus: slot.cudaVisibleDevices,
        logPath: dir,
        heartbeatAt: new Date().toISOString(),
      });
      const timeoutSec = this.opts.trialTimeoutSec;
      const timer = timeoutSec !== undefined && timeoutSec > 0 ? setTimeout(() => this.stopTrial(entry, { kind: "timeout", seconds: timeoutSec }), timeoutSec * 1000) : null;
      try {
        exit = await proc.exited;
      } finally {
        if (timer) clearTimeout(timer);
      }
    } catch (err) {
      if (!(err instanceof LaunchError || err instanceof CommandError)) throw err;
      launchError = err.message;
    }
    await metricChain;

    const outcome = classifyOutcome({ exit, launchError, stopCause: entry.stopCause, metricName, reportedMetrics: reported, summary: entry.summary });
    await this.record(entry, outcome, startedAt, log);
  }

  private async handleReport(entry: ActiveTrial, report: MetricReport, source: MetricSource, reported: Set<string>, warned: Set<string>): Promise<void> {
    const { trial } = entry;
    const metricName = this.sweep.metric?.name;
    const finite: Record<string, number> = {};
    for (const [name, value] of Object.entries(report.metrics)) {
      if (Number.isFinite(value)) {
        finite[name] = value;
        continue;
      }
      if (name === metricName) {
        // A diverged objective ends the trial: nothing after it is worth the GPU time.
        this.stopTrial(entry, { kind: "nan", metric: name, value: String(value), step: report.step });
        return;
      }
      if (!warned.has(name)) {
        warned.add(name);
        this.notice("warn", `metric '${name}' was ${value} at step ${report.step}; non-finite values of metrics other than the sweep metric are not stored`, trial.number);
      }
    }
    if (Object.keys(finite).length === 0 || entry.stopCause?.kind === "nan") return;
    for (const name of Object.keys(finite)) reported.add(name);
    await this.sweep.report(trial, report.step, finite);
    this.logger.debug({ trial: trial.number, step: report.step, source, metrics: finite }, "metrics");
    this.opts.reporter?.emit({ type: "trial_metrics", trial, slot: entry.slot, step: report.step, metrics: finite });
    if (entry.stopCause) return;
    const decision = await this.sweep.shouldPrune(trial);
    if (decision.prune) {
      this.pruneUnlessEnded(entry, { kind: "pruned", step: decision.step ?? report.step, reason: decision.reason ?? "pruned by the sweep's early_terminate rule" });
    }
  }

  /**
   * Stops a trial the pruner rejected, unless its run is over: a trial judged at its final report is usually
   * already ending (its summary line, or its exit, follows within milliseconds), and a run whose training is
   * over is recorded by how it ends (completed), never pruned, as W&B never stops a finished run. So the stop
   * waits PRUNE_SETTLE_MS for that end.
   */
  private pruneUnlessEnded(entry: ActiveTrial, cause: StopCause): void {
    if (entry.pruneTimer !== null) return;
    const ended = () => entry.summary !== null || trainerHasExited(entry.process) || this.active.get(entry.slot.index) !== entry;
    entry.pruneTimer = setTimeout(() => {
      if (ended()) {
        this.logger.info({ trial: entry.trial.number, cause }, "prune decision reached a run that had ended; not stopped");
        return;
      }
      this.stopTrial(entry, cause);
    }, this.opts.pruneSettleMs ?? PRUNE_SETTLE_MS);
  }

  /** Tells the study how the attempt ended, schedules a retry, and watches for a broken trainer. */
  private async record(entry: ActiveTrial, outcome: ClassifiedOutcome, startedAt: number, log: Logger): Promise<void> {
    const { trial, slot } = entry;
    const result = outcome.result;
    const told = await this.sweep.tell(trial, result);
    if (!told) {
      // Someone else finished this trial first (e.g. a resume that believed this controller dead).
      log.warn({ result }, "trial was no longer running when its outcome was recorded");
      this.notice("warn", "the trial was finished by another process before this controller could record it; its outcome here is discarded", trial.number);
    }
    const maxRetries = this.opts.maxRetries ?? 0;
    const willRetry = told !== null && result.state === "failed" && outcome.retryable && trial.attempt <= maxRetries && !this.draining;
    if (willRetry) await this.sweep.storage.requeueTrial(trial.id);
    if (result.state === "failed" && !willRetry) this.failedFinal++;
    log.info({ state: result.state, value: told?.value ?? null, error: "error" in result ? result.error : null, willRetry }, "trial finished");

    if (this.detector.record(outcome) && !this.brokenMessage) {
      const firstLine = ("error" in result ? (result.error ?? "") : "").split("\n")[0];
      this.brokenMessage = `stopped: the first ${this.detector.threshold} trial runs all failed the same way (${firstLine}); the trainer looks broken — fix it, then \`sweep resume ${this.sweep.id}\``;
      this.notice("error", `${this.brokenMessage}\n${"error" in result ? (result.error ?? "") : ""}`);
      await this.sweep.storage.setSweepStatus(this.sweep.id, "failed");
      await this.sweep.storage.addEvent(this.sweep.id, "sweep_failed", { reason: this.brokenMessage });
      this.stopAll({ kind: "broken-trainer" });
    }

    this.opts.reporter?.emit({
      type: "trial_finished",
      trial,
      slot,
      state: told?.status ?? result.state,
      value: told?.value ?? null,
      error: "error" in result ? (result.error ?? null) : null,
      pruneStep: told?.pruneStep ?? null,
      pruneReason: told?.pruneReason ?? null,
      elapsedMs: Date.now() - startedAt,
      willRetry,
      tally: await this.tally(),
    });
  }

  private notice(level: "info" | "warn" | "error", message: string, trialNumber?: number): void {
    this.opts.reporter?.emit(trialNumber === undefined ? { type: "notice", level, message } : { type: "notice", level, message, trialNumber });
  }

  private async tally(): Promise<SweepTally> {
    const counts: Record<keyof TrialCounts, number> = { queued: 0, running: 0, completed: 0, pruned: 0, failed: 0, interrupted: 0 };
    for (const t of await this.sweep.trials()) counts[t.status]++;
    const best = await this.sweep.bestTrial();
    return {
      counts,
      best: best && best.value !== null ? { number: best.number, value: best.value, params: best.params } : null,
      ...(this.sweep.metric ? { metricName: this.sweep.metric.name } : {}),
    };
  }
}
