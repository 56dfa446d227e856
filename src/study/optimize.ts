/**
 * In-process loops over ask/tell: `optimize` (Optuna's study.optimize) and `agent` (wandb.agent with a
 * function). Both run the objective in this process; the process runner (src/runner) is the same idea with
 * child processes.
 */
import type { PruneDecision } from "../pruners/types.js";
import type { FlatParams } from "../space/types.js";
import type { TrialRecord } from "../storage/types.js";
import {
  categoricalDistribution,
  floatDistribution,
  intDistribution,
  type SuggestFloatOptions,
  type SuggestIntOptions,
} from "./define-by-run.js";
import type { Sweep } from "./sweep.js";
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
  const deadline = options.timeout === undefined ? Infinity : Date.now() + options.timeout * 1000;
  const finished: TrialRecord[] = [];
  let started = 0;
  let stopReason: string | null = null;
  let firstError: unknown = null;

  // Claiming is serialised per process: the storage makes it atomic across processes anyway, and one
  // at a time keeps the trial count exact against `options.trials`.
  const claim = async (): Promise<Trial<TConfig> | null> => {
    if (stopReason !== null) return null;
    if (options.trials !== undefined && started >= options.trials) stopReason ??= "trials";
    else if (Date.now() >= deadline) stopReason ??= "timeout";
    else if (options.signal?.aborted) stopReason ??= "aborted";
    else if (firstError !== null) stopReason ??= "error";
    if (stopReason !== null) return null;
    started++;
    const next = await sweep.next({ worker: options.worker });
    if ("stop" in next) {
      started--;
      stopReason ??= next.stop;
      return null;
    }
    return next.trial;
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
      const outcome = await runOne(sweep, trial, objective);
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
