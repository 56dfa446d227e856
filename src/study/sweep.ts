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
import { contains, createRng, deriveSeed, paramProblems, randomSeed, sample, unflattenParams } from "../space/index.js";
import { describeValue } from "../space/distributions.js";
import type { Distribution, FlatParams, SearchSpace } from "../space/types.js";
import { StorageError } from "../storage/errors.js";
import type { Storage, SweepHistory, SweepRecord, TrialRecord } from "../storage/types.js";
import { withAlgorithms, type CustomAlgorithms } from "./algorithms.js";
import { DynamicSpaces, isJointProposal, JOINT_PROPOSAL_KEY, sharedDynamicParams, SuggestError, type JointProposal } from "./define-by-run.js";
import { isBetter, objectiveFromReports, type ObjectiveMode } from "./objective.js";
import { toTrialRows, type TrialRow, type TrialRowsOptions } from "./rows.js";
import type { AskOptions, TellResult, Trial } from "./types.js";
import { curvesByTrial, TrialViewCache } from "./views.js";

/** What a sweep record's `config` column holds: the resolved config and the space derived from it. */
export interface StoredSweepConfig {
  readonly format: 1;
  readonly config: SweepConfig;
  readonly space: SearchSpace;
  /** Samplers/pruners of the user's own classes, which cannot be rebuilt from the config (see algorithms.ts). */
  readonly custom?: CustomAlgorithms;
}

export interface SweepOptions {
  /**
   * Replace the sampler chosen by `method`. Random, grid and TPE samplers are stored with the sweep (as
   * `method` and `sweep.sampler`), so a process that loads it gets the same one; a sampler of your own class
   * must be passed again to `loadSweep`.
   */
  readonly sampler?: Sampler;
  /**
   * The early-termination rule; default: the one the config names (`early_terminate` or `sweep.pruner`).
   * The library's pruners are stored with the sweep; one of your own class must be passed again on load.
   */
  readonly pruner?: Pruner;
}

/** Meta key of a trial's define-by-run distributions (name -> distribution). */
const DISTRIBUTIONS_KEY = "distributions";
/** A trial's define-by-run distributions as stored in its meta, or undefined when it has none. */
function distributionsIn(meta: Readonly<Record<string, unknown>>): Record<string, Distribution> | undefined {
  const d = meta[DISTRIBUTIONS_KEY];
  return d !== null && typeof d === "object" ? (d as Record<string, Distribution>) : undefined;
}

/** Meta key of a trial's user attributes. */
const USER_ATTRS_KEY = "userAttrs";

/** A report or tell for a trial this process has already told. */
export class TrialStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TrialStateError";
  }
}

/** `enqueue` params that do not fit the sweep's space. */
export class EnqueueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnqueueError";
  }
}

export type NextResult<TConfig extends object = Record<string, unknown>> = { readonly trial: Trial<TConfig> } | { readonly stop: string };

/** Sweep statuses in which no new trial is handed out. */
const CLOSED_STATUSES = new Set(["finished", "stopped", "failed"]);
/** How `next` words the stop of a closed sweep ("sweep is stopped"). */
const CLOSED_STOP_PREFIX = "sweep is ";

/** Whether a stop from `next` says the sweep is closed (rather than that it has nothing left to propose). */
export function isClosedStop(reason: string): boolean {
  return reason.startsWith(CLOSED_STOP_PREFIX);
}

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
  private readonly suggestViews = new TrialViewCache();
  private readonly dynamicSpaces = new DynamicSpaces();
  /** Trial id -> attempt this object told; a later report or tell for that attempt is an error. */
  private readonly told = new Map<number, number>();

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
    options: SweepOptions & { readonly loadIfExists?: boolean } = {},
  ): Promise<Sweep<TConfig>> {
    const seed = resolved.config.sweep.seed ?? randomSeed();
    const seeded: SweepConfig = { ...resolved.config, sweep: { ...resolved.config.sweep, seed } };
    const { config, custom } = withAlgorithms(seeded, options.sampler, options.pruner);
    const stored: StoredSweepConfig = {
      format: 1,
      config,
      space: resolved.space,
      ...(custom.sampler !== undefined || custom.pruner !== undefined ? { custom } : {}),
    };
    const input = { name: config.name ?? null, configRaw: resolved.raw, config: stored, status: "running" } as const;
    let record: SweepRecord;
    if (options.loadIfExists) {
      const name = config.name;
      if (name === undefined) throw new TypeError("createSweep with loadIfExists needs a `name` in the config to look the sweep up by");
      // One atomic step in the storage: two processes starting this script at once share one sweep.
      const found = await storage.createOrLoadNamedSweep({ ...input, name });
      if (!found.created) return Sweep.load<TConfig>(storage, found.sweep.id, options);
      record = found.sweep;
    } else {
      record = await storage.createSweep(input);
    }
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
    if (stored.custom?.sampler !== undefined && options.sampler === undefined) {
      throw new Error(`sweep '${id}' was created with a sampler of its own class ('${stored.custom.sampler}'), which cannot be rebuilt from storage; pass it as \`sampler\` when loading`);
    }
    if (stored.custom?.pruner !== undefined && options.pruner === undefined) {
      throw new Error(`sweep '${id}' was created with a pruner of its own class ('${stored.custom.pruner}'), which cannot be rebuilt from storage; pass it as \`pruner\` when loading`);
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
    if (CLOSED_STATUSES.has(record.status)) return { stop: `${CLOSED_STOP_PREFIX}${record.status}` };

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
    await this.assertNotTold(trial, "report");
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
    await this.assertNotTold(trial, "tell");
    const outcome = typeof result === "number" ? { state: "completed" as const, value: result } : result;
    let finished: TrialRecord | null;
    if (outcome.state === "completed") {
      // As strict as Optuna: a completed trial has a finite objective, or it failed (with the reason).
      const value = outcome.value ?? (await this.objectiveFromStorage(id));
      const failure = this.noObjectiveReason(value, outcome.value !== undefined);
      finished =
        failure === null
          ? await this.storage.finishTrial(id, { status: "completed", value, attempt: attemptOf(trial) })
          : await this.storage.finishTrial(id, { status: "failed", value: null, error: failure, attempt: attemptOf(trial) });
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
    if (finished !== null) this.told.set(id, finished.attempt);
    return finished;
  }

  /** Why a completed trial has no usable objective, or null when it has one (or the sweep has no metric). */
  private noObjectiveReason(value: number | null, given: boolean): string | null {
    if (value === null) {
      if (this.metric === undefined) return null; // nothing to optimise: completed without a value
      return `no objective value: the objective returned nothing and reported no finite value of '${this.metric.name}'`;
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      return given ? `objective value ${describeValue(value)} is not a finite number` : `reported objective ${describeValue(value)} is not finite`;
    }
    return null;
  }

  /** A report or tell for an attempt this object already told throws, naming the trial and how it ended. */
  private async assertNotTold(trial: Trial<object> | number, what: "report" | "tell"): Promise<void> {
    const id = trialId(trial);
    const toldAttempt = this.told.get(id);
    if (toldAttempt === undefined) return;
    const record = await this.storage.getTrial(id);
    const attempt = attemptOf(trial) ?? record?.attempt;
    if (attempt !== toldAttempt) return; // re-queued since (retry, resume): a new attempt may be told again
    const status = record?.status;
    const number = record?.number ?? (typeof trial === "number" ? `id ${id}` : trial.number);
    throw new TrialStateError(
      `trial ${number} of sweep '${this.id}' is already finished (${status ?? "told"}); nothing is accepted after tell (${what} refused)`,
    );
  }

  /** Every trial of the sweep as stored records, by number. */
  trialRecords(): Promise<TrialRecord[]> {
    return this.storage.listTrials(this.id);
  }

  /**
   * Every trial as a plain row, ready for a table or CSV (Optuna's `trials_dataframe`): number, state,
   * value, start/finish times and duration, one `params_<name>` column per parameter (flattened, define-by-run
   * ones included), `user_attrs_<key>` columns, and with `{intermediate: true}` the reported values of the
   * sweep metric (`intermediate_values`, by step).
   */
  async trials(options: TrialRowsOptions = {}): Promise<TrialRow[]> {
    const records = await this.storage.listTrials(this.id);
    const metricName = this.metric?.name;
    const curves =
      options.intermediate && metricName !== undefined
        ? curvesByTrial((await this.storage.readHistory(this.id, metricName)).intermediates, metricName)
        : undefined;
    return toTrialRows(records, curves);
  }

  /** The best completed trial's objective value, or null. */
  async bestValue(): Promise<number | null> {
    return (await this.bestTrial())?.value ?? null;
  }

  /** The best completed trial's parameters (flat, dotted names), or null. */
  async bestParams(): Promise<FlatParams | null> {
    return (await this.bestTrial())?.params ?? null;
  }

  /**
   * Add trials to run next with the given parameters, as Optuna's `enqueue_trial`: every value is checked
   * against the sweep's space (a range, the choices, known names; define-by-run parameters against the
   * distribution an earlier trial suggested them with), declared parameters left out are drawn from their
   * distributions now (seeded by the sweep seed and the trial's place in the queue), and the trial is
   * stored queued: the next ask, in any process, gets it before any new point. Throws `EnqueueError`
   * naming every problem before anything is written.
   */
  async enqueue(params: FlatParams, options: { readonly userAttrs?: Record<string, unknown> } = {}): Promise<Trial<TConfig>> {
    if (params === null || typeof params !== "object" || Array.isArray(params)) {
      throw new EnqueueError(`enqueue needs an object of parameter name -> value, got ${describeValue(params)}`);
    }
    const known = await this.dynamicDistributions();
    const extra: Record<string, Distribution> = {};
    for (const name of Object.keys(params)) if (known[name] !== undefined) extra[name] = known[name]!;
    const problems = paramProblems(this.space, params, { extra, allowUnknown: this.space.params.length === 0 });
    if (problems.length > 0) throw new EnqueueError(`cannot enqueue for sweep '${this.id}': ${problems.join("; ")}`);
    const full: FlatParams = {};
    const count = (await this.storage.listTrials(this.id)).length;
    const rng = createRng(`${deriveSeed(this.seed, count)}:enqueue`);
    for (const spec of this.space.params) full[spec.name] = spec.name in params ? params[spec.name] : sample(spec.dist, rng);
    for (const [name, value] of Object.entries(params)) if (!(name in full)) full[name] = value;
    const meta: Record<string, unknown> = { enqueued: true };
    if (Object.keys(extra).length > 0) meta[DISTRIBUTIONS_KEY] = extra;
    if (options.userAttrs !== undefined) meta[USER_ATTRS_KEY] = { ...options.userAttrs };
    const record = await this.storage.enqueueTrial(this.id, full, meta);
    await this.storage.addEvent(this.id, "trial_enqueued", { number: record.number, given: Object.keys(params) }, record.id);
    return this.toTrial(record);
  }

  /** Define-by-run distributions recorded on the sweep's trials (the latest one per name). */
  private async dynamicDistributions(): Promise<Record<string, Distribution>> {
    const out: Record<string, Distribution> = {};
    for (const t of await this.storage.listTrials(this.id)) Object.assign(out, distributionsIn(t.meta));
    return out;
  }

  /**
   * The value of a define-by-run parameter for a running trial. A declared parameter keeps its proposed
   * value (the declared part of a mixed space is fixed); a value the trial already has (enqueued, an earlier
   * attempt, an earlier call) is kept if the distribution can produce it; otherwise the sweep's sampler
   * draws one from the history of the trials that have this parameter. The value and its distribution are
   * stored with the trial at once, so other processes' samplers see it.
   */
  async suggest(trial: Trial<object>, current: FlatParams, name: string, dist: Distribution): Promise<unknown> {
    if (typeof name !== "string" || name === "") throw new SuggestError(`suggest needs a parameter name, got ${describeValue(name)}`);
    await this.assertNotTold(trial, "report");
    if (this.space.params.some((p) => p.name === name)) return current[name];
    if (name in current) {
      if (!contains(dist, current[name])) {
        throw new SuggestError(`trial ${trial.number}: the value ${describeValue(current[name])} it has for '${name}' is not one the suggested distribution can produce (${dist.kind})`);
      }
      await this.storage.updateTrial(trial.id, { meta: { [DISTRIBUTIONS_KEY]: { ...(await this.distributionsOf(trial.id)), [name]: dist } } });
      return current[name];
    }
    if (this.sampler.name === "grid") {
      throw new SuggestError(`'${name}' is not in the sweep's declared space, and grid search cannot draw define-by-run parameters; use method random or bayes`);
    }
    const joint = this.sampler.joint === true;
    const stored = joint ? (await this.storage.getTrial(trial.id))?.meta[JOINT_PROPOSAL_KEY] : undefined;
    const proposes = (p: JointProposal | null): p is JointProposal =>
      p !== null && Object.hasOwn(p.params, name) && JSON.stringify(p.distributions[name]) === JSON.stringify(dist);
    if (isJointProposal(stored) && proposes(stored)) return this.storeSuggested(trial, current, name, dist, stored.params[name]);
    // One read of the history serves a new joint proposal and, failing that, the one-parameter draw.
    const metricName = this.metric?.name;
    const history = await this.storage.readHistory(this.id, metricName);
    const { trials, intermediates } = history;
    if (joint && !isJointProposal(stored)) {
      const proposal = await this.newJointProposal(trial, current, history);
      if (proposes(proposal)) return this.storeSuggested(trial, current, name, dist, proposal.params[name]);
    }
    const space = this.dynamicSpaces.of(name, dist);
    const suggestion = this.sampler.suggest({
      space,
      goal: this.metric?.goal,
      trials: this.suggestViews.build(trials, curvesByTrial(intermediates, metricName)),
      rng: createRng(`${deriveSeed(this.seed, trial.number)}:${name}`),
      trialNumber: trial.number,
    });
    const value = "params" in suggestion ? suggestion.params[name] : sample(dist, createRng(`${deriveSeed(this.seed, trial.number)}:${name}`));
    return this.storeSuggested(trial, current, name, dist, value);
  }

  /** A define-by-run value, stored with the trial at once with its distribution, so other processes' samplers see it. */
  private async storeSuggested(trial: Trial<object>, current: FlatParams, name: string, dist: Distribution, value: unknown): Promise<unknown> {
    await this.storage.updateTrial(trial.id, {
      params: { [name]: value },
      meta: { [DISTRIBUTIONS_KEY]: { ...(await this.distributionsOf(trial.id)), [name]: dist } },
    });
    current[name] = value;
    return value;
  }

  /**
   * A joint define-by-run proposal for a trial that has none yet, when the completed trials share
   * define-by-run parameters (`sharedDynamicParams`): one `suggest` over all of them with the RNG a declared
   * space's proposal for this trial would use, so a define-by-run sweep is searched as the same sweep with
   * those parameters declared. Stored with the trial, with the sampler's meta (the GP's fit, the next fit's
   * warm start), so a re-run attempt gets the same values. Null when there is none.
   */
  private async newJointProposal(trial: Trial<object>, current: FlatParams, history: SweepHistory): Promise<JointProposal | null> {
    const { trials, intermediates } = history;
    const exclude = new Set([...Object.keys(current), ...this.space.params.map((p) => p.name)]);
    const shared = sharedDynamicParams(
      trials.filter((t) => t.status === "completed").map((t) => distributionsIn(t.meta)),
      exclude,
    );
    if (shared.length === 0) return null;
    const suggestion = this.sampler.suggest({
      space: this.dynamicSpaces.ofMany(shared),
      goal: this.metric?.goal,
      trials: this.suggestViews.build(trials, curvesByTrial(intermediates, this.metric?.name)),
      rng: createRng(deriveSeed(this.seed, trial.number)),
      trialNumber: trial.number,
    });
    if (!("params" in suggestion)) return null;
    const proposal: JointProposal = {
      distributions: Object.fromEntries(shared),
      params: Object.fromEntries(shared.map(([name]) => [name, suggestion.params[name]])),
    };
    await this.storage.updateTrial(trial.id, { meta: { ...(suggestion.meta ?? {}), [JOINT_PROPOSAL_KEY]: proposal } });
    return proposal;
  }

  private async distributionsOf(trialId: number): Promise<Record<string, Distribution>> {
    const meta = (await this.storage.getTrial(trialId))?.meta;
    return (meta && distributionsIn(meta)) ?? {};
  }

  /** Attach a user attribute (any JSON value) to the sweep, kept in storage beside it. */
  setUserAttr(key: string, value: unknown): Promise<void> {
    return this.storage.setSweepUserAttr(this.id, key, value);
  }

  /** The sweep's user attributes, as stored now. */
  async userAttrs(): Promise<Readonly<Record<string, unknown>>> {
    const record = await this.storage.getSweep(this.id);
    if (!record) throw new SweepNotFoundError(this.id, this.storage.location);
    return record.userAttrs;
  }

  /** Attach a user attribute (any JSON value) to a trial; shown as `user_attrs_<key>` in `trials()`. */
  async setTrialUserAttr(trial: Trial<object> | number, key: string, value: unknown): Promise<void> {
    const id = trialId(trial);
    const record = await this.storage.getTrial(id);
    if (!record) throw new Error(`no trial ${id} in ${this.storage.location}`);
    const attrs = record.meta[USER_ATTRS_KEY];
    const merged = { ...(attrs !== null && typeof attrs === "object" ? attrs : {}), [key]: value };
    await this.storage.updateTrial(id, { meta: { [USER_ATTRS_KEY]: merged } });
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
