/**
 * In-process loops over ask/tell: `optimize` (Optuna's study.optimize) and `agent` (wandb.agent with a
 * function). Both run the objective in this process; the process runner (src/runner) is the same idea with
 * child processes.
 */
import type { PruneDecision } from "../pruners/types.js";
import { describeValue } from "../space/distributions.js";
import type { FlatParams } from "../space/types.js";
import type { TrialRecord } from "../storage/types.js";
import {
  categoricalDistribution,
  floatDistribution,
  intDistribution,
  type SuggestFloatOptions,
  type SuggestIntOptions,
} from "./define-by-run.js";
import { isClosedStop, type Sweep } from "./sweep.js";
import type { Trial } from "./types.js";

/** Throw this from an objective to end the trial as pruned (e.g. after `shouldPrune()` said so). */
export class TrialPruned extends Error {
  constructor(message = "trial pruned") {
    super(message);
    this.name = "TrialPruned";
  }
}

/** A running trial as an objective function sees it. */
export interface TrialContext<TConfig extends object = Record<string, unknown>> extends Trial<TConfig> {
  /** Record one step's metrics. */
  report(step: number, metrics: Readonly<Record<string, number>>): Promise<void>;
  /** Whether the pruner wants this trial stopped now (throw `TrialPruned` to stop). */
  shouldPrune(): Promise<boolean>;
  /** The last decision `shouldPrune()` got, with its reason. */
  readonly lastPruneDecision: PruneDecision | null;
  /** Params so far: the declared ones, plus each define-by-run one once suggested. */
  readonly params: FlatParams;
  /** A real number in [low, high]; `{log: true}` on a log scale, `{step}` multiples of step. */
  suggestFloat(name: string, low: number, high: number, options?: SuggestFloatOptions): Promise<number>;
  /** An integer in [low, high]; `{log: true}` on a log scale, `{step}` every step-th one. */
  suggestInt(name: string, low: number, high: number, options?: SuggestIntOptions): Promise<number>;
  /** One of `choices`. */
  suggestCategorical<T>(name: string, choices: readonly T[]): Promise<T>;
  /** Attach a user attribute (a JSON value) to this trial. */
  setUserAttr(key: string, value: unknown): Promise<void>;
}

/**
 * Called after each trial this call ran, with the stored record; `control.stop()` ends the loop (no new
 * trial starts; running ones finish), as Optuna's `study.stop()` from a callback.
 */
export type OptimizeCallback<TConfig extends object = Record<string, unknown>> = (
  sweep: Sweep<TConfig>,
  trial: TrialRecord,
  control: { stop(reason?: string): void },
) => void | Promise<void>;

/**
 * An objective returns the trial's value, or nothing to let the sweep take it from the reported values
 * of its metric.
 */
export type Objective<TConfig extends object = Record<string, unknown>> = (
  trial: TrialContext<TConfig>,
) => Promise<number | void> | number | void;

export interface OptimizeOptions<TConfig extends object = Record<string, unknown>> {
  /** Stop after this many trials started by this call. Default: until the sweep stops (run_cap, grid). */
  readonly trials?: number;
  /** Objectives running at once. Default 1. */
  readonly concurrency?: number;
  /** Seconds after which no new trial starts; running ones finish. */
  readonly timeout?: number;
  /** Worker name recorded on the trials. */
  readonly worker?: string;
  /** Abort: no new trial starts once it fires; running ones finish. */
  readonly signal?: AbortSignal;
  /** Rethrow the first objective error after recording it (Optuna's default). Default false: record and go on. */
  readonly rethrow?: boolean;
  /** Called after each finished trial, in order; one may stop the loop. */
  readonly callbacks?: readonly OptimizeCallback<TConfig>[];
  /**
   * Take back the trials of a process that died (kill -9, a crash, a reboot): `true` or the settings below.
   * While an objective runs, its trial's heartbeat is stored every `interval` seconds; before each claim,
   * the sweep's trials still `running` whose heartbeat (or start, when they never sent one) is older than
   * `staleAfter` seconds go back to the queue (attempt + 1) and run again, in this process or another; and
   * when the sweep has nothing left to propose while other processes' trials run, the call waits for them
   * to finish or to be taken back (checking every `interval`) rather than return. Off
   * by default: it is safe only when every process running this sweep's trials heartbeats more often than
   * `staleAfter` — `optimize`/`agent` with this option, `sweep run` and `sweep agent` (every 10 s) — and a
   * hand-written ask/tell loop does not. A process that was only stalled past `staleAfter` loses its trial:
   * its later reports and its tell are ignored (they name the old attempt), so nothing is recorded twice.
   */
  readonly heartbeat?: boolean | HeartbeatOptions;
}

export interface HeartbeatOptions {
  /** Seconds between two heartbeats of a running trial. Default 10, as `sweep run`. */
  readonly interval?: number;
  /** Seconds without a heartbeat after which a running trial is taken back. Default 60, as `sweep run`; more than `interval`. */
  readonly staleAfter?: number;
}

/** The heartbeat settings `optimize` uses when `heartbeat: true`: those of `sweep run`. */
export const HEARTBEAT_DEFAULTS = { interval: 10, staleAfter: 60 } as const;

/**
 * Validated heartbeat settings in seconds, or null when off; throws naming the bad setting. An unknown key is
 * an error, as for the samplers' options: a misspelt `intervall` would otherwise run with the defaults unnoticed.
 */
function heartbeatSettings(option: unknown): { interval: number; staleAfter: number } | null {
  if (option === undefined || option === false) return null;
  if (option !== true && (option === null || typeof option !== "object" || Array.isArray(option))) {
    throw new TypeError(`heartbeat must be true, false or {interval, staleAfter} (seconds), got ${describeValue(option)}`);
  }
  const given = option === true ? {} : (option as Record<string, unknown>);
  const unknown = Object.keys(given).filter((key) => key !== "interval" && key !== "staleAfter");
  if (unknown.length > 0) {
    throw new TypeError(`unknown heartbeat setting ${unknown.map((k) => describeValue(k)).join(", ")}; expected interval, staleAfter`);
  }
  const { interval = HEARTBEAT_DEFAULTS.interval, staleAfter = HEARTBEAT_DEFAULTS.staleAfter } = given;
  if (typeof interval !== "number" || !Number.isFinite(interval) || interval <= 0) {
    throw new RangeError(`heartbeat.interval must be a number of seconds > 0, got ${describeValue(interval)}`);
  }
  if (typeof staleAfter !== "number" || !Number.isFinite(staleAfter) || staleAfter <= interval) {
    throw new RangeError(`heartbeat.staleAfter must be a number of seconds > heartbeat.interval (${interval}), got ${describeValue(staleAfter)}: a live trial would be taken back between two heartbeats`);
  }
  return { interval, staleAfter };
}

export interface OptimizeSummary {
  /** Trials this call ran, in the order they finished. */
  readonly trials: readonly TrialRecord[];
  /** Why it stopped asking: "trials", "timeout", "aborted", or the sweep's reason ("run_cap", …). */
  readonly stopReason: string;
}

export async function optimize<TConfig extends object = Record<string, unknown>>(
  sweep: Sweep<TConfig>,
  objective: Objective<TConfig>,
  options: OptimizeOptions<TConfig> = {},
): Promise<OptimizeSummary> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  }
  const heartbeat = heartbeatSettings(options.heartbeat);
  const deadline = options.timeout === undefined ? Infinity : Date.now() + options.timeout * 1000;
  const finished: TrialRecord[] = [];
  /** Ids of the trials this call claimed (running or done): not another process's. */
  const ours = new Set<number>();
  let started = 0;
  let stopReason: string | null = null;
  let firstError: unknown = null;

  // Claiming is serialised per process: the storage makes it atomic across processes anyway, and one
  // at a time keeps the trial count exact against `options.trials`.
  /** Why no further trial may start now (besides the trial count): the timeout, the signal, an objective error. */
  const interruption = (): string | null =>
    Date.now() >= deadline ? "timeout" : options.signal?.aborted ? "aborted" : firstError !== null ? "error" : null;
  const claim = async (): Promise<Trial<TConfig> | null> => {
    if (stopReason !== null) return null;
    stopReason = options.trials !== undefined && started >= options.trials ? "trials" : interruption();
    if (stopReason !== null) return null;
    started++;
    for (;;) {
      if (heartbeat !== null) {
        // Trials of dead processes go back to the queue first, so this claim takes the oldest of them.
        const staleBefore = new Date(Date.parse(sweep.storage.now()) - heartbeat.staleAfter * 1000).toISOString();
        await sweep.storage.reclaimStaleTrials(sweep.id, staleBefore);
      }
      const next = await sweep.next({ worker: options.worker });
      if ("trial" in next) {
        ours.add(next.trial.id);
        return next.trial;
      }
      // Nothing left to propose, but another process's trial may still go stale and come back to the
      // queue: with heartbeats on, wait for those to finish or to be taken back, unless the sweep is closed.
      const othersRunning = heartbeat !== null && !isClosedStop(next.stop) && (await runningElsewhere(sweep, ours)) > 0;
      // While waiting, a callback's stop(), an objective error, the signal or the timeout still end the call.
      const interrupted = stopReason ?? interruption();
      if (!othersRunning || interrupted !== null) {
        started--;
        stopReason ??= othersRunning ? interrupted : next.stop;
        return null;
      }
      await pause(Math.min(heartbeat!.interval * 1000, Math.max(0, deadline - Date.now())), options.signal);
    }
  };

  let claimChain: Promise<unknown> = Promise.resolve();
  const serialisedClaim = (): Promise<Trial<TConfig> | null> => {
    const result = claimChain.then(claim);
    claimChain = result.catch(() => undefined);
    return result;
  };

  const workerLoop = async (): Promise<void> => {
    for (;;) {
      const trial = await serialisedClaim();
      if (!trial) return;
      const beating = heartbeat === null ? null : setInterval(() => void beat(sweep, trial), heartbeat.interval * 1000);
      let outcome: RunOneResult;
      try {
        outcome = await runOne(sweep, trial, objective);
      } finally {
        if (beating !== null) clearInterval(beating);
      }
      if (outcome.status === "failed" && options.rethrow) firstError ??= outcome.error;
      const record = outcome.record ?? (await sweep.storage.getTrial(trial.id))!;
      finished.push(record);
      for (const callback of options.callbacks ?? []) {
        await callback(sweep, record, { stop: (reason = "callback") => void (stopReason ??= reason) });
      }
    }
  };

  await Promise.all(Array.from({ length: concurrency }, workerLoop));
  if (firstError !== null) throw firstError;
  return { trials: finished, stopReason: stopReason ?? "done" };
}

/** Wait `ms`, or until `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** How many of the sweep's trials are running and were not claimed by this call. */
async function runningElsewhere(sweep: Sweep<object>, ours: ReadonlySet<number>): Promise<number> {
  const running = await sweep.storage.listTrials(sweep.id, { status: ["running"] });
  return running.filter((t) => !ours.has(t.id)).length;
}

/**
 * Store a running trial's heartbeat. A failed write is not the objective's failure: the trial goes on, and
 * if the writes keep failing for `staleAfter`, another process takes the trial back, as after a crash.
 */
async function beat(sweep: Sweep<object>, trial: Trial<object>): Promise<void> {
  try {
    await sweep.storage.updateTrial(trial.id, { heartbeatAt: sweep.storage.now() });
  } catch {
    // See above.
  }
}

interface RunOneResult {
  readonly record: TrialRecord | null;
  readonly status: TrialRecord["status"];
  readonly error: unknown;
}

/** Run the objective on one claimed trial and tell the sweep how it ended. Never throws for objective errors. */
export async function runOne<TConfig extends object>(
  sweep: Sweep<TConfig>,
  trial: Trial<TConfig>,
  objective: Objective<TConfig>,
): Promise<RunOneResult> {
  let lastPruneDecision: PruneDecision | null = null;
  const params: FlatParams = { ...trial.params };
  const context: TrialContext<TConfig> = {
    ...trial,
    params,
    suggestFloat: async (name, low, high, opts) => (await sweep.suggest(trial, params, name, floatDistribution(name, low, high, opts))) as number,
    suggestInt: async (name, low, high, opts) => (await sweep.suggest(trial, params, name, intDistribution(name, low, high, opts))) as number,
    suggestCategorical: async <T>(name: string, choices: readonly T[]) =>
      (await sweep.suggest(trial, params, name, categoricalDistribution(name, choices))) as T,
    setUserAttr: (key, value) => sweep.setTrialUserAttr(trial, key, value),
    report: (step, metrics) => sweep.report(trial, step, metrics),
    shouldPrune: async () => {
      lastPruneDecision = await sweep.shouldPrune(trial);
      return lastPruneDecision.prune;
    },
    get lastPruneDecision() {
      return lastPruneDecision;
    },
  };
  try {
    const value = await objective(context);
    // tell() fails a NaN value, or a trial with no value and nothing reported, with the reason.
    const record = await sweep.tell(trial, typeof value === "number" ? value : { state: "completed" });
    const status = record?.status ?? "completed";
    return { record, status, error: status === "failed" ? new Error(record?.error ?? "trial failed") : null };
  } catch (error) {
    if (error instanceof TrialPruned) {
      const decision = lastPruneDecision as PruneDecision | null;
      const record = await sweep.tell(trial, {
        state: "pruned",
        pruneStep: decision?.step ?? null,
        pruneReason: decision?.reason ?? error.message,
      });
      return { record, status: "pruned", error: null };
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const record = await sweep.tell(trial, { state: "failed", error: message });
    return { record, status: "failed", error };
  }
}
