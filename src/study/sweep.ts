/**
 * A sweep: the ask/tell core over a storage. Everything it knows lives in the storage, so any number of
 * `Sweep` objects in any number of processes can work on one sweep, and a resumed sweep continues exactly.
 */
import { hostname } from "node:os";
import type { MetricSpec, ResolvedSweep, SweepConfig } from "../config/types.js";
import type { Pruner, PruneDecision } from "../pruners/types.js";
import { createPruner } from "../pruners/index.js";
import { noPruner } from "../pruners/types.js";
import { createSampler } from "../samplers/index.js";
import type { Sampler } from "../samplers/types.js";
import { createRng, deriveSeed, randomSeed, unflattenParams } from "../space/index.js";
import type { SearchSpace } from "../space/types.js";
import { StorageError } from "../storage/errors.js";
import type { Storage, TrialRecord } from "../storage/types.js";
import { isBetter, objectiveFromReports, type ObjectiveMode } from "./objective.js";
import type { AskOptions, TellResult, Trial } from "./types.js";
import { curvesByTrial, TrialViewCache } from "./views.js";

/** What a sweep record's `config` column holds: the resolved config and the space derived from it. */
export interface StoredSweepConfig {
  readonly format: 1;
  readonly config: SweepConfig;
  readonly space: SearchSpace;
}

export interface SweepOptions {
  /** Replace the sampler chosen by `method` (e.g. a custom one from the library). */
  readonly sampler?: Sampler;
  /** The early-termination rule; default: the one the config names (`early_terminate` or `sweep.pruner`). */
  readonly pruner?: Pruner;
}

export type NextResult<TConfig extends object = Record<string, unknown>> = { readonly trial: Trial<TConfig> } | { readonly stop: string };

/** Sweep statuses in which no new trial is handed out. */
const CLOSED_STATUSES = new Set(["finished", "stopped", "failed"]);

export function defaultWorkerName(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * `TConfig` types `trial.config` (see Trial); it is a promise about the stored search space that the
 * compiler cannot check for a sweep opened by id, so `loadSweep<TConfig>` takes it on the caller's word.
 */
export class Sweep<TConfig extends object = Record<string, unknown>> {
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  private readonly proposerViews = new TrialViewCache();
  private readonly prunerViews = new TrialViewCache();

  private constructor(
    readonly storage: Storage,
    readonly id: string,
    readonly config: SweepConfig,
    readonly space: SearchSpace,
    options: SweepOptions,
  ) {
    this.sampler = options.sampler ?? createSampler(config.method, config.sweep.sampler);
    this.pruner = options.pruner ?? createPruner(config);
  }

  /**
   * Store a new sweep. A sweep without a seed gets a random one now, written into its stored config, so a
   * resume (or another agent) continues the same random sequence.
   */
  static async create<TConfig extends object = Record<string, unknown>>(
    storage: Storage,
    resolved: ResolvedSweep,
    options: SweepOptions = {},
  ): Promise<Sweep<TConfig>> {
    const seed = resolved.config.sweep.seed ?? randomSeed();
    const config: SweepConfig = { ...resolved.config, sweep: { ...resolved.config.sweep, seed } };
    const stored: StoredSweepConfig = { format: 1, config, space: resolved.space };
    const record = await storage.createSweep({
      name: config.name ?? null,
      configRaw: resolved.raw,
      config: stored,
      status: "running",
    });
    await storage.addEvent(record.id, "sweep_created", { file: resolved.file ?? null, method: config.method, seed });
    return new Sweep<TConfig>(storage, record.id, config, resolved.space, options);
  }

  /** Open a stored sweep. Throws when the id is unknown. */
  static async load<TConfig extends object = Record<string, unknown>>(
    storage: Storage,
    id: string,
    options: SweepOptions = {},
  ): Promise<Sweep<TConfig>> {
    const record = await storage.getSweep(id);
    if (!record) throw new SweepNotFoundError(id, storage.location);
    const stored = record.config as StoredSweepConfig;
    if (stored?.format !== 1) {
      // Written by a newer version, or damaged: the storage is unusable for this sweep, not a bug of ours.
      throw new StorageError(`sweep '${id}' in ${storage.location} has a config format this version cannot read (format ${JSON.stringify(stored?.format ?? null)}; this version reads format 1)`);
    }
    return new Sweep<TConfig>(storage, id, stored.config, stored.space, options);
  }

  get seed(): number {
    return this.config.sweep.seed ?? 0;
  }

  get metric(): MetricSpec | undefined {
    return this.config.metric;
  }

  get objectiveMode(): ObjectiveMode {
    return this.config.sweep.objective ?? "last";
  }

  /**
   * Atomically claim the next trial: a queued one (retry, resume, enqueued by hand) first, else a new point
   * from the sampler. The sampler runs under the storage's write lock with the full history, so agents in
   * other processes never get the same trial or the same grid point.
   */
  async next(options: AskOptions = {}): Promise<NextResult<TConfig>> {
    const record = await this.storage.getSweep(this.id);
    if (!record) throw new SweepNotFoundError(this.id, this.storage.location);
    if (CLOSED_STATUSES.has(record.status)) return { stop: `sweep is ${record.status}` };

    const metricName = this.metric?.name;
    const result = await this.storage.claimTrial(this.id, {
      worker: options.worker ?? defaultWorkerName(),
      metricName,
      maxTrials: this.config.run_cap,
      propose: (ctx) => {
        const suggestion = this.sampler.suggest({
          space: this.space,
          goal: this.metric?.goal,
          trials: this.proposerViews.build(ctx.trials, curvesByTrial(ctx.intermediates, metricName)),
          rng: createRng(deriveSeed(this.seed, ctx.nextNumber)),
          trialNumber: ctx.nextNumber,
        });
        return "exhausted" in suggestion ? { stop: true, reason: suggestion.reason } : suggestion;
      },
    });
    // No event for a claim or a finish: the trial row itself records who ran it, when, and how it ended.
    // The event log is for what rows do not hold (workers, recoveries, resumes), and each event would be
    // one more write transaction per trial.
    if ("stop" in result) return { stop: result.reason };
    return { trial: this.toTrial(result.trial) };
  }

  /** The next trial, or null when the sweep takes no more (run_cap, grid exhausted, sweep closed). */
  async ask(options: AskOptions = {}): Promise<Trial<TConfig> | null> {
    const result = await this.next(options);
    return "trial" in result ? result.trial : null;
  }

  /** Record intermediate metrics of a running trial (one step, all metrics in one transaction). */
  async report(trial: Trial<object> | number, step: number, metrics: Readonly<Record<string, number>>): Promise<void> {
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`step must be a non-negative integer, got ${step}`);
    // With a Trial in hand the report is tagged with its attempt: a report from an attempt that was since
    // reclaimed and re-run elsewhere is dropped instead of mixing into the new attempt's curve.
    await this.storage.addIntermediate(trialId(trial), step, metrics, attemptOf(trial));
  }

  /** Ask the pruner, from stored history only, whether this trial should stop now. */
  async shouldPrune(trial: Trial<object> | number): Promise<PruneDecision> {
    const metric = this.metric;
    if (!metric || this.pruner === noPruner) return { prune: false };
    const id = trialId(trial);
    // Asked after every report of every running trial: the storage reads only what changed since the
    // last call, and views of unchanged trials are reused.
    const { trials, intermediates } = await this.storage.readHistory(this.id, metric.name);
    const views = this.prunerViews.build(trials, curvesByTrial(intermediates, metric.name));
    const index = trials.findIndex((t) => t.id === id);
    if (index < 0) throw new Error(`trial ${id} is not part of sweep ${this.id}`);
    return this.pruner.decide({ goal: metric.goal, trial: views[index]!, trials: views });
  }

  /**
   * Finish a trial. A bare number is a completed trial's objective; `{state: "completed"}` without a value
   * takes the objective from the reported values of the sweep metric. Returns null when the trial was no
   * longer running (someone else finished it first).
   */
  async tell(trial: Trial<object> | number, result: TellResult): Promise<TrialRecord | null> {
    const id = trialId(trial);
    const outcome = typeof result === "number" ? { state: "completed" as const, value: result } : result;
    let finished: TrialRecord | null;
    if (outcome.state === "completed") {
      const value = outcome.value ?? (await this.objectiveFromStorage(id));
      finished = await this.storage.finishTrial(id, { status: "completed", value, attempt: attemptOf(trial) });
    } else {
      finished = await this.storage.finishTrial(id, {
        status: outcome.state,
        value: outcome.value ?? (outcome.state === "pruned" ? await this.objectiveFromStorage(id) : null),
        error: outcome.error ?? null,
        exitCode: outcome.exitCode ?? null,
        signal: outcome.signal ?? null,
        pruneStep: outcome.pruneStep ?? null,
        pruneReason: outcome.pruneReason ?? null,
        attempt: attemptOf(trial),
      });
    }
    return finished;
  }

  /** Every trial of the sweep, by number. */
  trials(): Promise<TrialRecord[]> {
    return this.storage.listTrials(this.id);
  }

  /** The completed trial with the best objective, or null (no metric, or nothing completed yet). */
  async bestTrial(): Promise<TrialRecord | null> {
    const goal = this.metric?.goal;
    if (!goal) return null;
    let best: TrialRecord | null = null;
    for (const t of await this.storage.listTrials(this.id, { status: ["completed"] })) {
      if (t.value === null || !Number.isFinite(t.value)) continue;
      if (best === null || isBetter(goal, t.value, best.value!)) best = t;
    }
    return best;
  }

  /** The `Trial` view of a stored trial record (params as nested config too). */
  toTrial(record: TrialRecord): Trial<TConfig> {
    return {
      id: record.id,
      sweepId: record.sweepId,
      number: record.number,
      attempt: record.attempt,
      params: record.params,
      // The values come from the stored space, which the config TConfig was inferred from describes.
      config: unflattenParams(this.space, record.params) as TConfig,
    };
  }

  private async objectiveFromStorage(id: number): Promise<number | null> {
    const metric = this.metric;
    if (!metric) return null;
    const rows = await this.storage.listIntermediates({ trialId: id, name: metric.name });
    return objectiveFromReports(rows, this.objectiveMode, metric.goal);
  }
}

export class SweepNotFoundError extends Error {
  constructor(
    readonly sweepId: string,
    readonly location: string,
  ) {
    super(`no sweep '${sweepId}' in ${location}`);
    this.name = "SweepNotFoundError";
  }
}

function trialId(trial: Trial<object> | number): number {
  return typeof trial === "number" ? trial : trial.id;
}

/** The attempt a caller holding a `Trial` works on; a bare id means "whatever attempt is current". */
function attemptOf(trial: Trial<object> | number): number | undefined {
  return typeof trial === "number" ? undefined : trial.attempt;
}
