/**
 * In-process loops over ask/tell: `optimize` (Optuna's study.optimize) and `agent` (wandb.agent with a
 * function). Both run the objective in this process; the process runner (src/runner) is the same idea with
 * child processes.
 */
import type { PruneDecision } from "../pruners/types.js";
import type { TrialRecord } from "../storage/types.js";
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
}

/**
 * An objective returns the trial's value, or nothing to let the sweep take it from the reported values
 * of its metric.
 */
export type Objective<TConfig extends object = Record<string, unknown>> = (
  trial: TrialContext<TConfig>,
) => Promise<number | void> | number | void;

export interface OptimizeOptions {
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
  options: OptimizeOptions = {},
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
      finished.push(outcome.record ?? (await sweep.storage.getTrial(trial.id))!);
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
  const context: TrialContext<TConfig> = {
    ...trial,
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
    if (typeof value === "number" && !Number.isFinite(value)) {
      const record = await sweep.tell(trial, { state: "failed", error: `objective returned ${value}` });
      return { record, status: "failed", error: new Error(`objective returned ${value}`) };
    }
    const record = await sweep.tell(trial, typeof value === "number" ? value : { state: "completed" });
    return { record, status: "completed", error: null };
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
