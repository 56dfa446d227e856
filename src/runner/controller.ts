/**
 * The controller: keeps every slot busy with a trial of the sweep until the sweep says stop.
 *
 * Event-driven, never polling: a slot that frees up wakes the loop, which claims the next trial at once.
 * Everything goes through the storage as it happens (claim, pid, metrics, outcome), so a controller
 * killed at any moment leaves a state that `sweep resume` can complete without losing or repeating a trial.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import { gridSize } from "../space/index.js";
import type { TrialRecord } from "../storage/types.js";
import type { Sweep, Trial } from "../study/index.js";
import { buildCommand, CommandError, formatArgsJson } from "./command.js";
import type { MetricReport } from "./metric-protocol.js";
import { BrokenTrainerDetector, classifyOutcome, type ClassifiedOutcome, type StopCause } from "./outcome.js";
import { pythonClientDir, wandbShimDir } from "./package-paths.js";
import type { ProgressReporter, SweepTally, TrialCounts } from "./progress.js";
import type { Slot } from "./slots.js";
import { programForLaunch } from "../config/program.js";
import { longTimeout } from "./long-timer.js";
import { PortPicker } from "./ports.js";
import type { ResourceNeed, ResourcePlan } from "./resources.js";
import { LaunchError, TrainerProcess, findSupervisor, type MetricSource, type TrainerExit } from "./trainer-process.js";
import { launchToken, stopTokenProcesses } from "./launch-token.js";
import { defaultLeaseDir, LeaseBook, type LeaseHolder } from "./leases.js";
import { findOrphanedTrials, requeueOrphan, type OrphanedTrial } from "./recovery.js";
import { buildTrialEnv } from "./trial-env.js";
import { trainerHasExited } from "./trainer-exited.js";
import { announceWorker, type WorkerIdentity, type WorkerRole } from "./worker.js";
import { WAITING_FOR_ROOM_META } from "../study/waiting.js";

export type InterruptPolicy = "wait" | "kill";

export interface ControllerOptions {
  readonly slots: readonly Slot[];
  readonly worker: WorkerIdentity;
  /** What this controller announces itself as: `sweep run`/`resume` ("controller") or `sweep agent` ("agent"). */
  readonly role?: WorkerRole;
  /** Folder of the host-wide GPU lease book (leases.ts). Default: $SWEEP_LEASE_DIR or <tmpdir>/sweep-gpu-leases. */
  readonly leaseDir?: string;
  /**
   * Running trials whose controller is gone: `sweep resume` (an explicit request) also takes over trials of
   * controllers that never announced themselves; agents leave those alone.
   */
  readonly treatUnknownAsDead?: boolean;
  /** Trial folders go to `<runDir>/<sweepId>/trial-<number>/` (logs, params.json, checkpoints). */
  readonly runDir: string;
  /** Working directory of trainers. Default: process.cwd(). */
  readonly cwd?: string;
  /**
   * Per-model rules (setup.ts): each trial's GPUs are chosen by its parameters when it launches, and `slots`
   * are display lanes (one per trial a GPU can hold at most) rather than fixed places.
   */
  readonly resources?: ResourcePlan;
  /** Folder of the sweep file the sweep was created from: a relative `program:` is looked for there first (config/program.ts). */
  readonly sweepFileDir?: string;
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
  /**
   * Trials stopped because this controller was terminated (SIGTERM: a batch scheduler's time limit,
   * preemption, scancel) go straight back to the queue (attempt + 1) instead of waiting for `sweep resume`,
   * so the other workers or a resubmitted job run them (`sweep agent --requeue-on-term`, set by Slurm scripts).
   */
  readonly requeueOnTerminate?: boolean;
  /** Fail-fast: stop the sweep when this many runs in a row fail the same way (twice as many in any way; 0 disables). */
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
/** How often a controller looks for a `sweep stop` request. */
const STOP_POLL_MS = 1_000;
export const STOP_REQUESTED_EVENT = "sweep_stop_requested";
/** A storage clock this far from the host's is reported (liveness never depends on it). */
const CLOCK_SKEW_WARN_MS = 5_000;
/** The busySlots key of a claimed trial waiting for room (per-model rules): no slot has a negative index. */
const WAITING_FOR_ROOM = -1;

function describeHolders(holders: readonly LeaseHolder[]): string {
  return holders
    .map((h) => `GPU ${h.gpu} share 1/${h.perGpu} is held by ${h.sweepId ? `sweep ${h.sweepId}` : "another sweep"}${h.trialNumber !== null ? ` trial ${h.trialNumber}` : ""}${h.ownerPid !== null ? ` (controller pid ${h.ownerPid})` : ""}`)
    .join("; ");
}

/** How soon a slot whose GPU place another controller holds is tried again. */
const BUSY_SLOT_RETRY_MS = 1_000;

export interface RunSummary {
  readonly sweepId: string;
  /** Why the controller stopped, in words ("run_cap reached", "interrupted", …). */
  readonly reason: string;
  readonly exitCode: ExitCodeValue;
  /** Trials this controller ran (attempts included). */
  readonly launched: number;
  /** Trials whose trainer outlived a dead controller and that this controller followed to the end or took over. */
  readonly adopted: number;
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
  /** Launch token of this attempt (launch-token.ts); also the key of its GPU lease. */
  readonly token: string;
  process: TrainerProcess | null;
  stopCause: StopCause | null;
  /** Metric names stored for this attempt. */
  readonly reported: Set<string>;
  readonly warnedNonFinite: Set<string>;
  /** Reports are stored one after another, in order; this is the last one queued. */
  metricChain: Promise<void>;
  /** The run's summary line (docs/protocol.md): its history is over, so no prune decision stops it any more. */
  summary: Record<string, number> | null;
  /** A prune decision waiting PRUNE_SETTLE_MS to see whether the run ends on its own. */
  pruneTimer: NodeJS.Timeout | null;
  /** MASTER_PORT given to this attempt (ports.ts), handed back when it ends. */
  masterPort: number | null;
}

export class SweepController {
  /** Trials this controller launched, by slot index. */
  private readonly active = new Map<number, ActiveTrial>();
  /** Trials re-attached after their controller died, by trial id (they hold no slot of ours). */
  private readonly attached = new Map<number, ActiveTrial>();
  private leases: LeaseBook | null = null;
  private readonly ports = new PortPicker();
  /** With per-model rules: the claimed trial waiting for room on the GPUs it needs (at most one, first in line). */
  private waiting: Trial | null = null;
  /** Slots whose GPU place someone else holds, with when to try again. */
  private readonly busySlots = new Map<number, number>();
  private busyTimer: NodeJS.Timeout | null = null;
  private readonly reportedHolders = new Set<string>();
  private readonly wake = new Wakeup();
  private readonly detector: BrokenTrainerDetector;
  private readonly logger: Logger;
  private interrupts = 0;
  private terminated = false;
  /** Set when `sweep stop` (from any process or host) marked the sweep stopped. */
  private stopRequestedBy: string | null = null;
  private brokenMessage: string | null = null;
  private lastStop: string | null = null;
  private launched = 0;
  private adopted = 0;
  /** The orphan search in progress (recoverOrphans), so that searches never overlap. */
  private recovering: Promise<number> = Promise.resolve(0);
  private failedFinal = 0;

  constructor(
    readonly sweep: Sweep,
    private readonly opts: ControllerOptions,
  ) {
    if (opts.slots.length === 0) throw new Error("the controller needs at least one slot");
    this.detector = new BrokenTrainerDetector(opts.brokenTrainerThreshold ?? DEFAULT_BROKEN_TRAINER_THRESHOLD);
    this.logger = opts.logger ?? pino({ enabled: false });
  }

  /** SIGTERM-to-SIGKILL grace when a trial is stopped. */
  private get graceMs(): number {
    return (this.opts.gracePeriodSec ?? DEFAULT_GRACE_PERIOD_SEC) * 1000;
  }

  /** True once no new trial may start (Ctrl-C, SIGTERM, broken trainer). */
  get draining(): boolean {
    return this.interrupts > 0 || this.terminated || this.brokenMessage !== null || this.stopRequestedBy !== null;
  }

  /** Ctrl-C. First: start nothing new (and stop running trials with `onInterrupt: "kill"`); second: stop them now. */
  interrupt(): void {
    this.interrupts++;
    this.logger.warn({ interrupts: this.interrupts }, "interrupt");
    const running = this.running.length;
    if (this.interrupts === 1 && (this.opts.onInterrupt ?? "wait") === "wait" && running > 0) {
      this.notice("warn", `interrupted: starting no new trials; waiting for ${running} running trial(s) to finish. Press Ctrl-C again to stop them now.`);
    } else if (running > 0) {
      this.notice("warn", `interrupted: stopping ${running} running trial(s) (they will be re-run by \`sweep resume ${this.sweep.id}\`)`);
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

  /** Every trial this controller follows: launched here or re-attached. */
  private get running(): ActiveTrial[] {
    return [...this.active.values(), ...this.attached.values()];
  }

  async run(): Promise<RunSummary> {
    const { sweep } = this;
    await announceWorker(sweep.storage, sweep.id, this.opts.worker, this.opts.role ?? "controller");
    this.leases = LeaseBook.open(this.opts.leaseDir ?? defaultLeaseDir(this.opts.baseEnv ?? process.env), {
      pid: this.opts.worker.pid,
      startTime: this.opts.worker.startTime,
    });
    this.logger.info({ sweepId: sweep.id, worker: this.opts.worker, slots: this.opts.slots.map((s) => s.label) }, "controller started");
    const startTally = await this.tally();
    this.opts.reporter?.emit({
      type: "sweep_started",
      sweepId: sweep.id,
      name: sweep.config.name ?? null,
      worker: this.opts.worker.name,
      storage: sweep.storage.location,
      slots: this.opts.slots,
      logFile: this.opts.logFile ?? null,
      tally: startTally,
      plannedTrials: this.plannedTrials(startTally),
    });

    const skew = sweep.storage.clockSkewMs;
    if (Math.abs(skew) >= CLOCK_SKEW_WARN_MS) {
      // Harmless for liveness (heartbeats use the storage's clock), but worth fixing: logs and trial times disagree.
      this.notice("warn", `this host's clock is ${Math.abs(skew / 1000).toFixed(1)} s ${skew > 0 ? "behind" : "ahead of"} the storage server's; heartbeats and trial times use the server's clock (fix with NTP/chrony)`);
      await sweep.storage.addEvent(sweep.id, "clock_skew", { worker: this.opts.worker.name, skewMs: skew });
    }
    const heartbeat = setInterval(() => void this.beat(), this.opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    heartbeat.unref();
    const stopWatch = setInterval(() => void this.watchForStop(), STOP_POLL_MS);
    stopWatch.unref();
    try {
      // Trials left running by dead controllers first: follow the ones still training, take over the ones that
      // finished unwatched, and only then fill our own slots.
      await this.recoverOrphans(this.opts.treatUnknownAsDead ?? false);
      for (;;) {
        if (!this.draining) await this.fillSlots();
        else if (this.waiting !== null) await this.releaseWaiting();
        if (this.running.length === 0 && (this.busySlots.size === 0 || this.draining || this.lastStop !== null)) {
          // Before leaving because the sweep said stop (run_cap reached counting a dead worker's trial), a last
          // look for orphans: a worker that died since the last heartbeat check left a trial nobody else may
          // be left to recover (the other Slurm array tasks may be leaving too).
          if (!this.draining && this.lastStop !== null && (await this.recoverOrphans(false)) > 0) {
            this.lastStop = null;
            continue;
          }
          break;
        }
        await this.wake.wait();
      }
    } finally {
      clearInterval(heartbeat);
      clearInterval(stopWatch);
      if (this.busyTimer) clearTimeout(this.busyTimer);
      this.leases.close();
      this.leases = null;
    }

    await this.markFinishedIfDone();
    const tally = await this.tally();
    const reason = this.finalReason();
    // A sweep with failed trials never ends with exit 0, whoever ran them: not even "grid exhausted" after a
    // resume in which nothing failed.
    const exitCode = this.brokenMessage
      ? ExitCode.trainerBroken
      : this.terminated
        ? ExitCode.terminated
        : this.interrupts > 0
          ? ExitCode.interrupted
          : this.failedFinal > 0 || tally.counts.failed > 0
            ? ExitCode.trialsFailed
            : ExitCode.ok;
    if (exitCode === ExitCode.trialsFailed) {
      this.notice("warn", `${tally.counts.failed} trial(s) of this sweep failed; \`sweep show ${sweep.id}\` says why, \`sweep resume ${sweep.id} --retry-failed\` runs them again`);
    }
    this.logger.info({ reason, exitCode, launched: this.launched, adopted: this.adopted, counts: tally.counts }, "controller finished");
    this.opts.reporter?.emit({ type: "sweep_finished", sweepId: sweep.id, reason, tally });
    return { sweepId: sweep.id, reason, exitCode, launched: this.launched, adopted: this.adopted, tally };
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

  /**
   * `sweep stop` works through the storage (so across hosts): it marks the sweep stopped, and every controller
   * sees it within STOP_POLL_MS, starts nothing new and stops its running trials gracefully (SIGTERM, SIGKILL
   * after the grace period); they are recorded interrupted and `sweep resume` re-runs them.
   */
  private async watchForStop(): Promise<void> {
    if (this.stopRequestedBy !== null) return;
    let status: string | undefined;
    try {
      status = (await this.sweep.storage.getSweep(this.sweep.id))?.status;
    } catch (err) {
      this.logger.warn({ err }, "reading the sweep's status failed");
      return;
    }
    if (status !== "stopped" || this.stopRequestedBy !== null) return;
    const events = await this.sweep.storage.listEvents(this.sweep.id).catch(() => []);
    const request = events.filter((e) => e.kind === STOP_REQUESTED_EVENT).at(-1)?.data as { by?: string } | undefined;
    this.stopRequestedBy = request?.by ?? "sweep stop";
    const running = this.running.length;
    this.notice("warn", `stop requested by ${this.stopRequestedBy}: starting no new trials${running > 0 ? `, stopping ${running} running trial(s) (\`sweep resume ${this.sweep.id}\` re-runs them)` : ""}`);
    this.stopAll({ kind: "interrupt", reason: `stopped by \`sweep stop\` (${this.stopRequestedBy})` });
    this.wake.notify();
  }

  private finalReason(): string {
    if (this.brokenMessage) return this.brokenMessage;
    if (this.stopRequestedBy !== null) return `stopped by \`sweep stop\` (${this.stopRequestedBy})`;
    if (this.terminated) return "terminated (SIGTERM)";
    if (this.interrupts > 0) return "interrupted (Ctrl-C)";
    if (this.opts.count !== undefined && this.launched >= this.opts.count) return `--count ${this.opts.count} reached`;
    return this.lastStop ?? "done";
  }

  /**
   * Claims a trial for every free slot, until the sweep says stop. A slot's GPU place is leased host-wide first
   * (leases.ts); a place that another controller holds leaves the slot idle until it is free.
   */
  private async fillSlots(): Promise<void> {
    if (this.opts.resources) return this.fillByRules(this.opts.resources);
    for (const slot of this.opts.slots) {
      if (this.draining) return;
      if (this.active.has(slot.index)) continue;
      if (this.opts.count !== undefined && this.launched >= this.opts.count) return;
      const retryAt = this.busySlots.get(slot.index);
      if (retryAt !== undefined && retryAt > Date.now()) {
        // Woken before the slot's retry time (by another slot, or by the busy timer itself: timers run on the
        // monotonic clock and Date.now on the wall clock, which NTP may slew slower). Wake again then: with
        // no timer armed nothing keeps the event loop alive, and the process would end mid-sweep (exit 13).
        this.armBusyTimer(retryAt - Date.now());
        continue;
      }
      const placeholder = `pending.${this.opts.worker.name}.${slot.index}`;
      const lease = this.leases!.acquire(slot.gpus, this.placesPerGpu(slot), placeholder, { sweepId: this.sweep.id });
      if (!lease.ok) {
        this.slotBusy(slot, lease.holders);
        continue;
      }
      this.busySlots.delete(slot.index);
      let next: Awaited<ReturnType<Sweep["next"]>>;
      try {
        next = await this.sweep.next({ worker: this.opts.worker.name });
      } catch (err) {
        this.leases!.release(placeholder);
        throw err;
      }
      if ("stop" in next) {
        this.leases!.release(placeholder);
        this.lastStop = next.stop;
        return;
      }
      const token = launchToken(this.sweep.id, next.trial.id, next.trial.attempt);
      this.leases!.retoken(placeholder, token, { sweepId: this.sweep.id, trialNumber: next.trial.number });
      if (this.draining) {
        // Interrupted while the claim was in flight: hand the trial straight back to the queue.
        await this.releaseUnstarted(next.trial);
        this.leases!.release(token);
        return;
      }
      this.launched++;
      const entry = this.newEntry(next.trial, slot, token);
      this.active.set(slot.index, entry);
      this.track(entry, this.runTrial(entry), () => this.active.delete(slot.index));
    }
  }

  /**
   * Per-model rules: claim the next trial, then take the GPUs its parameters need. A trial that does not fit
   * yet (its GPUs are full, here or in another controller) stays first in line and is placed as soon as room
   * frees up; nothing is claimed behind it, so a large model is not starved by small ones.
   */
  private async fillByRules(plan: ResourcePlan): Promise<void> {
    for (;;) {
      if (this.draining) return;
      if (this.waiting === null) {
        if (this.opts.count !== undefined && this.launched >= this.opts.count) return;
        if (this.freeLane() === undefined) return;
        const next = await this.sweep.next({ worker: this.opts.worker.name });
        if ("stop" in next) {
          this.lastStop = next.stop;
          return;
        }
        this.launched++;
        this.waiting = next.trial;
        if (this.draining) return this.releaseWaiting();
      }
      const trial = this.waiting;
      const need = plan.needOf(trial.params);
      const token = launchToken(this.sweep.id, trial.id, trial.attempt);
      const placed = this.leases!.acquireAny(plan.groupsFor(need), need.trialsPerGpu, token, { sweepId: this.sweep.id, trialNumber: trial.number });
      const lane = placed.ok ? (this.freeLane(placed.gpus[0]) ?? this.freeLane()) : undefined;
      if (!placed.ok || lane === undefined) {
        if (placed.ok) this.leases!.release(token);
        await this.waitForRoom(trial, need, placed.ok ? [] : placed.holders);
        return;
      }
      this.waiting = null;
      this.busySlots.delete(WAITING_FOR_ROOM);
      await this.endWait(trial);
      const slot: Slot = { index: lane.index, gpus: placed.gpus, cudaVisibleDevices: placed.gpus.join(","), label: `GPU ${placed.gpus.join("+")}` };
      const entry = this.newEntry(trial, slot, token);
      this.active.set(lane.index, entry);
      this.track(entry, this.runTrial(entry), () => this.active.delete(lane.index));
    }
  }

  /** A display lane no trial of ours uses, on `gpu` when given. */
  private freeLane(gpu?: string): Slot | undefined {
    return this.opts.slots.find((s) => !this.active.has(s.index) && (gpu === undefined || s.gpus[0] === gpu));
  }

  private async waitForRoom(trial: Trial, need: ResourceNeed, holders: readonly LeaseHolder[]): Promise<void> {
    const key = waitKey(trial);
    if (!this.reportedHolders.has(key)) {
      this.reportedHolders.add(key);
      const rule = need.rule === null ? "the sweep's defaults" : `sweep.resources[${need.rule}]`;
      const gpus = need.gpusPerTrial === 1 ? "a GPU" : `${need.gpusPerTrial} GPUs`;
      const what = need.trialsPerGpu === 1 ? `${gpus} to itself` : `room on ${gpus} (1/${need.trialsPerGpu} of ${need.gpusPerTrial === 1 ? "it" : "each"})`;
      // Our own trials filling the GPUs are the normal case; other sweeps' are worth naming.
      const others = holders.filter((h) => h.sweepId !== this.sweep.id);
      const who = others.length > 0 ? `; ${describeHolders(others)}` : "";
      this.notice("info", `waits for ${what} (${rule}), first in line${who}`, trial.number);
      // Claimed, so `running` in storage: the meta tells `sweep show` and the dashboard it has not started.
      await this.sweep.storage.updateTrial(trial.id, { meta: { [WAITING_FOR_ROOM_META]: `${what} (${rule})` } });
    }
    this.busySlots.set(WAITING_FOR_ROOM, Date.now() + BUSY_SLOT_RETRY_MS);
    this.armBusyTimer();
  }

  /** Draining with a claimed trial still waiting for room: it goes back to the queue, unstarted. */
  private async releaseWaiting(): Promise<void> {
    const trial = this.waiting;
    this.waiting = null;
    this.busySlots.delete(WAITING_FOR_ROOM);
    if (trial === null) return;
    await this.endWait(trial);
    await this.releaseUnstarted(trial);
  }

  /** The trial no longer waits for room (placed, or handed back): clear what waitForRoom stored. */
  private async endWait(trial: Trial): Promise<void> {
    if (!this.reportedHolders.delete(waitKey(trial))) return;
    await this.sweep.storage.updateTrial(trial.id, { meta: { [WAITING_FOR_ROOM_META]: null } });
  }

  /** Places per GPU for this controller: how many of its slots share each GPU (`trials_per_gpu`). */
  private placesPerGpu(slot: Slot, trial?: Trial): number {
    if (this.opts.resources && trial) return this.opts.resources.needOf(trial.params).trialsPerGpu;
    const gpu = slot.gpus[0];
    return gpu === undefined ? 1 : this.opts.slots.filter((s) => s.gpus.includes(gpu)).length;
  }

  private slotBusy(slot: Slot, holders: readonly LeaseHolder[]): void {
    this.busySlots.set(slot.index, Date.now() + BUSY_SLOT_RETRY_MS);
    const key = `${slot.index}:${holders.map((h) => h.token).join(",")}`;
    if (!this.reportedHolders.has(key)) {
      this.reportedHolders.add(key);
      this.notice("info", `slot ${slot.label} waits: ${describeHolders(holders)}`);
    }
    this.armBusyTimer();
  }

  private armBusyTimer(delayMs: number = BUSY_SLOT_RETRY_MS): void {
    if (!this.busyTimer) {
      this.busyTimer = setTimeout(() => {
        this.busyTimer = null;
        this.wake.notify();
      }, Math.max(1, Math.ceil(delayMs)));
    }
  }

  private newEntry(trial: Trial, slot: Slot, token: string): ActiveTrial {
    return { trial, slot, token, process: null, stopCause: null, reported: new Set(), warnedNonFinite: new Set(), metricChain: Promise.resolve(), summary: null, pruneTimer: null, masterPort: null };
  }

  /**
   * Runs `work` for an entry; whatever happens, its lease is given back and the loop is woken. Should the
   * bookkeeping itself fail (a bug, a storage that went away), the trial is stopped and, if the storage still
   * answers, recorded as failed with the reason, so that it is not left `running` behind a live controller.
   */
  private track(entry: ActiveTrial, work: Promise<void>, untrack: () => void): void {
    void work
      .catch(async (err: unknown) => {
        this.logger.error({ err, trial: entry.trial.number }, "trial bookkeeping failed");
        this.notice("error", `internal error while running the trial: ${(err as Error).message}`, entry.trial.number);
        try {
          await entry.process?.stop(this.graceMs);
          await this.sweep.tell(entry.trial, { state: "failed", error: `internal error while running the trial: ${(err as Error).message}` });
        } catch (again) {
          this.logger.error({ err: again, trial: entry.trial.number }, "could not record the trial as failed either");
        }
      })
      .finally(() => {
        untrack();
        this.leases?.release(entry.token);
        if (entry.masterPort !== null) this.ports.release(entry.masterPort);
        this.wake.notify();
      });
  }

  private async releaseUnstarted(trial: Trial): Promise<void> {
    await this.sweep.tell(trial, { state: "interrupted", error: "claimed while the controller was stopping; not started" });
    await this.sweep.storage.requeueTrial(trial.id);
  }

  private stopAll(cause: StopCause): void {
    for (const entry of this.running) this.stopTrial(entry, cause);
  }

  private stopTrial(entry: ActiveTrial, cause: StopCause): void {
    // The first reason wins: a trial pruned a moment before Ctrl-C stays pruned.
    if (entry.stopCause === null) entry.stopCause = cause;
    this.logger.info({ trial: entry.trial.number, cause }, "stopping trial");
    void entry.process?.stop(this.graceMs);
  }

  /**
   * Every heartbeat tick: refresh our running trials' heartbeat, notice any that another agent reclaimed
   * from us (we looked dead to it: a frozen host, a long network outage) and stop them here, and reclaim the
   * trials of agents that died while this one runs, so a dead host's trials are not lost until a resume.
   */
  private async beat(): Promise<void> {
    const now = this.sweep.storage.now();
    for (const entry of this.running) {
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
      await this.recoverOrphans(false);
    } catch (err) {
      this.logger.warn({ err }, "recovering dead workers' trials failed");
    }
  }

  /**
   * Running trials of controllers that are gone. On this host their processes are found by launch token: a
   * trainer still running is re-attached (followed to its end, pruned like any other), one that finished
   * unwatched is adopted (its curve and outcome recorded), and only a trial with nothing to show is requeued.
   * A dead controller on another host can only be judged by its heartbeat, and its trials are requeued.
   */
  private async recoverOrphans(treatUnknownAsDead: boolean): Promise<number> {
    // One search at a time (the heartbeat and the main loop both call this): never two take-overs of one trial.
    const previous = this.recovering;
    const next = previous.then(() => this.recoverOrphansNow(treatUnknownAsDead));
    this.recovering = next.catch(() => 0);
    return next;
  }

  /** Recovers the orphans found now; how many were requeued, re-attached or adopted here. */
  private async recoverOrphansNow(treatUnknownAsDead: boolean): Promise<number> {
    let recovered = 0;
    const orphans = await findOrphanedTrials(this.sweep.storage, this.sweep.id, {
      self: this.opts.worker,
      staleAfterMs: STALE_HEARTBEAT_MS,
      treatUnknownAsDead,
    });
    for (const orphan of orphans) {
      if (this.attached.has(orphan.trial.id)) continue;
      const outcome = orphan.local ? await this.takeOver(orphan) : "requeued";
      if (outcome === "attached" || outcome === "adopted") recovered++;
      if (outcome === "requeued") {
        const done = await requeueOrphan(this.sweep.storage, orphan, this.opts.worker);
        if (done) recovered++;
        if (done) this.notice("info", `trial ${orphan.trial.number} of dead worker ${orphan.trial.worker ?? "(unknown)"} goes back to the queue`, orphan.trial.number);
      }
    }
    if (orphans.length > 0) this.wake.notify();
    return recovered;
  }

  /** Re-attach or adopt an orphaned trial of this host; "requeued" when neither is possible. */
  private async takeOver(orphan: OrphanedTrial): Promise<"attached" | "adopted" | "requeued" | "skipped"> {
    const trial = this.sweep.toTrial(orphan.trial);
    const token = launchToken(this.sweep.id, trial.id, trial.attempt);
    const dir = this.trialDir(trial);
    const gpus = orphan.trial.gpus ? orphan.trial.gpus.split(",").filter((g) => g !== "") : [];
    const slot: Slot = { index: -1, gpus, cudaVisibleDevices: orphan.trial.gpus ?? "", label: gpus.length > 0 ? `GPU ${gpus.join("+")}` : "CPU" };
    const entry = this.newEntry(trial, slot, token);
    const supervisor = findSupervisor(token);
    if (supervisor) {
      if (this.draining) return "skipped";
      // Exactly one controller on this host follows it: the lease book decides.
      if (!this.leases!.adopt(token, gpus, this.placesPerGpu(slot, trial), { sweepId: this.sweep.id, trialNumber: trial.number })) return "skipped";
      await this.sweep.storage.updateTrial(trial.id, { worker: this.opts.worker.name, heartbeatAt: this.sweep.storage.now() });
      await this.sweep.storage.addEvent(this.sweep.id, "trial_reattached", { number: trial.number, attempt: trial.attempt, from: orphan.trial.worker, by: this.opts.worker.name, pid: supervisor.pid }, trial.id);
      this.notice("info", `trial ${trial.number} is still training (its controller ${orphan.trial.worker ?? "?"} is gone); following it here`, trial.number);
      this.adopted++;
      this.attached.set(trial.id, entry);
      const proc = TrainerProcess.attach(this.followSpec(entry, dir), supervisor);
      this.track(entry, this.followTrial(entry, proc, Date.now()), () => this.attached.delete(trial.id));
      return "attached";
    }
    // No supervisor: whatever is left of the attempt (a stray worker) goes, then its record decides.
    await stopTokenProcesses(token, this.graceMs);
    const reports: [MetricReport, MetricSource][] = [];
    const exit = TrainerProcess.collect({ ...this.followSpec(entry, dir), onReport: (r, s) => reports.push([r, s]) });
    if (!exit) return "requeued";
    for (const [report, source] of reports) {
      if (report.summary) entry.summary = { ...entry.summary, ...report.summary };
      await this.handleReport(entry, report, source, { judge: false });
    }
    const outcome = classifyOutcome({ exit, launchError: exit.launchError, stopCause: null, metricName: this.sweep.metric?.name, reportedMetrics: entry.reported, summary: entry.summary });
    const told = await this.sweep.tell(trial, outcome.result);
    if (!told) return "skipped";
    await this.sweep.storage.addEvent(this.sweep.id, "trial_adopted", { number: trial.number, attempt: trial.attempt, from: orphan.trial.worker, by: this.opts.worker.name, state: told.status }, trial.id);
    this.adopted++;
    this.notice("info", `trial ${trial.number} finished while no controller watched it; its result is kept (${told.status}${told.value !== null ? ` ${told.value}` : ""})`, trial.number);
    return "adopted";
  }

  private followSpec(entry: ActiveTrial, dir: string) {
    const log = this.logger.child({ trial: entry.trial.number, attempt: entry.trial.attempt });
    const spec = {
      trialDir: dir,
      attempt: entry.trial.attempt,
      token: entry.token,
      leftoverGraceMs: Math.min(this.graceMs, 2_000),
      onReport: (report: MetricReport, source: MetricSource) => {
        // Recorded at once, not in the chain: a prune decision for the report just before it must see it.
        if (report.summary) entry.summary = { ...entry.summary, ...report.summary };
        // Serialised per trial: reports are stored in order and each prune check sees the report before it.
        entry.metricChain = entry.metricChain.then(() => this.handleReport(entry, report, source, { judge: true })).catch((err: unknown) => {
          log.error({ err }, "storing a metric failed");
          this.notice("error", `could not store metrics of step ${report.step}: ${(err as Error).message}`, entry.trial.number);
        });
      },
      onBadLine: (error: string, line: string, source: MetricSource) => {
        log.warn({ source, error, line: line.slice(0, 500) }, "malformed metric line skipped");
        this.notice("warn", `skipped a malformed metric line on ${source === "pipe" ? "fd 3" : "stdout"} (${error}): ${line.slice(0, 120)}`, entry.trial.number);
      },
    };
    return spec;
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
    const paramsFile = join(dir, "params.json");
    // Python's json.dumps, so a float written `1.0` in the sweep stays a float for the trainer.
    const paramsJson = formatArgsJson(trial.config, trial.params, sweep.space);
    const log = this.logger.child({ trial: trial.number, attempt: trial.attempt });
    try {
      // Trial folders hold parameters and trainer output, which may carry tokens: only their owner may read them.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      writeFileSync(paramsFile, `${paramsJson}\n`, { mode: 0o600 });
    } catch (err) {
      // A full or read-only disk: the trial cannot start; it fails with the reason (and fail-fast sees it).
      const e = err as NodeJS.ErrnoException;
      const outcome = classifyOutcome({ exit: null, launchError: `could not prepare the trial folder ${dir}: ${e.code ?? ""} ${e.message}`.trim(), stopCause: entry.stopCause, metricName: sweep.metric?.name, reportedMetrics: entry.reported });
      await this.record(entry, outcome, startedAt, log);
      return;
    }

    const graceSec = this.opts.gracePeriodSec ?? DEFAULT_GRACE_PERIOD_SEC;
    entry.masterPort = await this.ports.take();
    const env = buildTrialEnv({
      base: this.opts.baseEnv ?? process.env,
      sweepId: sweep.id,
      trialId: trial.id,
      trialNumber: trial.number,
      attempt: trial.attempt,
      launchToken: entry.token,
      config: trial.config,
      paramsJson,
      storage: sweep.storage.location,
      slot,
      trialDir: dir,
      paramsFile,
      pythonClientDir,
      wandbShimDir: sweep.config.sweep.wandbShim ? wandbShimDir : undefined,
      gracePeriodSec: graceSec,
      masterPort: entry.masterPort,
    });

    // With the counts as they are now (this trial running), so the live view's counts move on every start too.
    if (this.opts.reporter) this.opts.reporter.emit({ type: "trial_started", trial, slot, logDir: dir, tally: await this.tally() });
    let proc: TrainerProcess;
    try {
      const argv = buildCommand({
        template: sweep.config.command,
        program: sweep.config.program === undefined ? undefined : programForLaunch(sweep.config.program, { sweepFileDir: this.opts.sweepFileDir, cwd: this.opts.cwd ?? process.cwd() }),
        params: trial.params,
        config: trial.config,
        space: sweep.space,
        argsJsonFile: paramsFile,
        env,
        interpreter: this.opts.interpreter,
      });
      log.info({ argv, gpus: slot.cudaVisibleDevices, token: entry.token }, "launching trainer");
      proc = await TrainerProcess.launch({ ...this.followSpec(entry, dir), argv, env, cwd: this.opts.cwd ?? process.cwd(), logCapBytes: this.opts.logCapBytes });
    } catch (err) {
      const launchError = err instanceof LaunchError || err instanceof CommandError ? err.message : (err as NodeJS.ErrnoException).code ? `could not start the trial: ${(err as Error).message}` : null;
      if (launchError === null) throw err;
      const outcome = classifyOutcome({ exit: null, launchError, stopCause: entry.stopCause, metricName: sweep.metric?.name, reportedMetrics: entry.reported });
      await this.record(entry, outcome, startedAt, log);
      return;
    }
    // The pid is a shortcut for `sweep show` and for stopping the group; recovery does not depend on it
    // (the launch token finds the trial's processes even if the controller dies before this line).
    await sweep.storage.updateTrial(trial.id, {
      pid: proc.pid,
      pidStartTime: proc.startTime,
      gpus: slot.cudaVisibleDevices,
      logPath: dir,
      heartbeatAt: sweep.storage.now(),
    });
    await this.followTrial(entry, proc, startedAt);
  }

  /** Follows a running attempt (launched here or re-attached) to its end and records the outcome. */
  private async followTrial(entry: ActiveTrial, proc: TrainerProcess, startedAt: number): Promise<void> {
    entry.process = proc;
    const log = this.logger.child({ trial: entry.trial.number, attempt: entry.trial.attempt });
    // A stop requested while the process was starting (Ctrl-C, a fail-fast stop) applies now.
    if (entry.stopCause) void proc.stop(this.graceMs);
    const timeoutSec = this.opts.trialTimeoutSec;
    const timer = timeoutSec !== undefined && timeoutSec > 0 ? longTimeout(() => this.stopTrial(entry, { kind: "timeout", seconds: timeoutSec }), timeoutSec * 1000 - (Date.now() - startedAt)) : null;
    let exit: TrainerExit;
    try {
      exit = await proc.exited;
    } finally {
      timer?.clear();
    }
    await this.settledReports(entry);
    const outcome = classifyOutcome({ exit, launchError: exit.launchError, stopCause: entry.stopCause, metricName: this.sweep.metric?.name, reportedMetrics: entry.reported, summary: entry.summary });
    await this.record(entry, outcome, startedAt, log);
  }

  /** Waits until every metric report of the entry received so far is stored. */
  private async settledReports(entry: ActiveTrial): Promise<void> {
    for (;;) {
      const last = entry.metricChain;
      await last;
      if (last === entry.metricChain) return;
    }
  }

  /** Stores one report of a trial, and (with `judge`) asks the pruner whether the trial should stop now. */
  private async handleReport(entry: ActiveTrial, report: MetricReport, source: MetricSource, opts: { judge: boolean }): Promise<void> {
    const { trial, reported, warnedNonFinite: warned } = entry;
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
    await this.sweep.report(trial, report.step, finite);
    // Only what the storage kept counts as reported: a trial whose sweep metric never landed is failed, not
    // completed with no value.
    for (const name of Object.keys(finite)) reported.add(name);
    this.logger.debug({ trial: trial.number, step: report.step, source, metrics: finite }, "metrics");
    this.opts.reporter?.emit({ type: "trial_metrics", trial, slot: entry.slot, step: report.step, metrics: finite });
    if (entry.stopCause || !opts.judge) return;
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
    const ended = () => entry.summary !== null || trainerHasExited(entry.process) || !this.running.includes(entry);
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
    // Not after `sweep stop`: a stopped sweep keeps its interrupted trials for `sweep resume`.
    if (told?.status === "interrupted" && this.terminated && this.opts.requeueOnTerminate && this.stopRequestedBy === null) {
      await this.sweep.storage.requeueTrial(trial.id);
      await this.sweep.storage.addEvent(this.sweep.id, "trial_requeued", { number: trial.number, attempt: trial.attempt, by: this.opts.worker.name, reason: "its worker was terminated (SIGTERM)" }, trial.id);
      log.info("trial requeued: this worker was terminated");
    }
    const maxRetries = this.opts.maxRetries ?? 0;
    const willRetry = told !== null && result.state === "failed" && outcome.retryable && trial.attempt <= maxRetries && !this.draining;
    if (willRetry) await this.sweep.storage.requeueTrial(trial.id);
    if (result.state === "failed" && !willRetry) this.failedFinal++;
    log.info({ state: result.state, value: told?.value ?? null, error: "error" in result ? result.error : null, willRetry }, "trial finished");

    if (this.detector.record(outcome) && !this.brokenMessage) {
      const firstLine = ("error" in result ? (result.error ?? "") : "").split("\n")[0];
      this.brokenMessage = `stopped: ${this.detector.describe()} (${firstLine}); the trainer looks broken — fix it, then \`sweep resume ${this.sweep.id} --retry-failed\``;
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

  /**
   * How many trials the sweep will have run when it ends, for the progress bar: its run_cap, the size of its
   * grid, and with `--count N` the trials done so far plus N, whichever is smallest; null when it has no end.
   */
  private plannedTrials(tally: SweepTally): number | null {
    const limits: number[] = [];
    if (this.sweep.config.run_cap !== undefined) limits.push(this.sweep.config.run_cap);
    if (this.sweep.config.method === "grid") limits.push(gridSize(this.sweep.space));
    if (this.opts.count !== undefined) limits.push(tally.counts.completed + tally.counts.pruned + tally.counts.failed + this.opts.count);
    const finite = limits.filter((n) => Number.isFinite(n));
    return finite.length === 0 ? null : Math.min(...finite);
  }

  private async tally(): Promise<SweepTally> {
    const counts: Record<keyof TrialCounts, number> = { queued: 0, running: 0, completed: 0, pruned: 0, failed: 0, interrupted: 0 };
    for (const t of await this.sweep.trialRecords()) counts[t.status]++;
    const best = await this.sweep.bestTrial();
    return {
      counts,
      best: best && best.value !== null ? { number: best.number, value: best.value, params: best.params } : null,
      ...(this.sweep.metric ? { metricName: this.sweep.metric.name } : {}),
    };
  }
}

/** The key under which a trial's wait for room is remembered (reportedHolders), once per claim. */
function waitKey(trial: Trial): string {
  return `waiting:${trial.id}:${trial.attempt}`;
}
