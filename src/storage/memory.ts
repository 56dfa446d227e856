/**
 * Storage in process memory, for library use and tests: the same semantics as SqliteStorage (same checks,
 * same errors, same ordering), nothing persisted. Params, meta, configs and event data are kept as the same
 * JSON text SQLite would hold and decoded on every read, so callers always get copies and cannot change stored
 * state by mutating a record, and a value that SQLite could not store is refused here too.
 *
 * Atomicity comes from JavaScript itself: each method does all its reading and writing synchronously, with no
 * await in between, so no other call can interleave.
 */
import { StorageError, noSweepError, noTrialError } from "./errors.js";
import { GENERATED_SWEEP_ID_LENGTH, MAX_SWEEP_ID_ATTEMPTS, generateSweepId, nowIso } from "./ids.js";
import { decodeJson, encodeJson, encodeJsonObject } from "./json.js";
import { TRIAL_RECLAIMED_EVENT, reclaimEventData } from "./reclaim.js";
import type {
  ClaimOptions,
  ClaimResult,
  EventRecord,
  IntermediateQuery,
  IntermediateRecord,
  NewSweep,
  Storage,
  SweepEdit,
  SweepEditContext,
  SweepHistory,
  SweepRecord,
  SweepStatus,
  TrialOutcome,
  TrialPatch,
  TrialRecord,
  TrialStatus,
} from "./types.js";
import type { FlatParams } from "../space/types.js";
import {
  REQUEUEABLE_STATUSES,
  assertClaimOptions,
  assertIsoTime,
  assertWritable,
  assertMetrics,
  assertOptionalAttempt,
  assertOutcome,
  assertPatch,
  assertStep,
  assertSweepEditor,
  assertSweepStatus,
  assertTrialId,
  assertTrialStatuses,
  assertEnqueueParams,
  assertUserAttrKey,
  assertSweepName,
  checkNewSweep,
  pickNamedSweep,
  checkProposal,
  checkSweepEdit,
} from "./validate.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

type StoredSweep = Mutable<Omit<SweepRecord, "config" | "userAttrs">> & { configJson: string; userAttrsJson: string };
type StoredTrial = Mutable<Omit<TrialRecord, "params" | "meta">> & { paramsJson: string; metaJson: string };
type StoredEvent = Omit<EventRecord, "data"> & { readonly dataJson: string | null };

/** Fields that describe one run of a trial; cleared when it (re)starts or goes back to the queue. */
function clearRunFields(trial: StoredTrial): void {
  trial.pid = null;
  trial.pidStartTime = null;
  trial.gpus = null;
  trial.logPath = null;
  trial.exitCode = null;
  trial.signal = null;
  trial.error = null;
  trial.value = null;
  trial.pruneStep = null;
  trial.pruneReason = null;
  trial.finishedAt = null;
}

/** Back to the queue for another attempt with the same params (requeueTrial, reclaimStaleTrials). */
function requeue(trial: StoredTrial): void {
  clearRunFields(trial);
  trial.status = "queued";
  trial.attempt += 1;
  trial.worker = null;
  trial.startedAt = null;
  trial.heartbeatAt = null;
}

function toSweepRecord(sweep: StoredSweep): SweepRecord {
  const { configJson, userAttrsJson, ...rest } = sweep;
  return { ...rest, config: decodeJson(configJson), userAttrs: decodeJson(userAttrsJson) as Record<string, unknown> };
}

function toTrialRecord(trial: StoredTrial): TrialRecord {
  const { paramsJson, metaJson, ...rest } = trial;
  return {
    ...rest,
    params: decodeJson(paramsJson) as FlatParams,
    meta: decodeJson(metaJson) as Record<string, unknown>,
  };
}

function frozenRecord(trial: StoredTrial): TrialRecord {
  const record = toTrialRecord(trial);
  Object.freeze(record.params);
  Object.freeze(record.meta);
  return Object.freeze(record);
}

function toEventRecord(event: StoredEvent): EventRecord {
  const { dataJson, ...rest } = event;
  return { ...rest, data: decodeJson(dataJson) };
}

/** Same order as SQLite's `ORDER BY trial_id, step, name` (BINARY collation on ASCII-range names). */
function compareIntermediates(a: IntermediateRecord, b: IntermediateRecord): number {
  if (a.trialId !== b.trialId) return a.trialId - b.trialId;
  if (a.step !== b.step) return a.step - b.step;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export class MemoryStorage implements Storage {
  readonly kind = "memory";
  readonly location = ":memory:";
  readonly clockSkewMs = 0;

  now(): string {
    return nowIso();
  }

  /** A read-only memory storage stays empty: every write fails, as with a read-only SQLite file. */
  readonly readOnly: boolean;

  constructor(options: { readonly readOnly?: boolean } = {}) {
    this.readOnly = options.readOnly === true;
  }

  private closed = false;
  private readonly sweeps = new Map<string, StoredSweep>();
  private readonly trials = new Map<number, StoredTrial>();
  /** Trial ids of each sweep in creation (= number) order. */
  private readonly trialIdsBySweep = new Map<string, number[]>();
  /** The same trials as objects: a claim reads them all, and looking up thousands of ids per claim showed up at 10,000 trials. */
  private readonly trialsBySweep = new Map<string, StoredTrial[]>();
  /** Per trial: "attempt/step/name" -> value row. A re-reported step replaces the row. */
  private readonly intermediates = new Map<number, Map<string, IntermediateRecord>>();
  private readonly events: StoredEvent[] = [];
  private lastTrialId = 0;
  private lastEventId = 0;

  /**
   * The proposer's view of each sweep: frozen records, kept up to date from the trials changed since the last
   * claim. Decoding and copying every trial on every claim made a claim O(trials) with a large constant
   * (about 10 ms at 1,000 trials); every write path calls `changed(trial)`, and a claim re-decodes only those.
   */
  private readonly proposerViews = new Map<string, { records: TrialRecord[]; changed: Set<StoredTrial> }>();

  /** Every write to a stored trial goes through here (or insertTrial), so the proposer's view stays exact. */
  private changed(trial: StoredTrial): void {
    this.proposerViews.get(trial.sweepId)?.changed.add(trial);
  }

  private proposerView(sweepId: string, trials: readonly StoredTrial[]): readonly TrialRecord[] {
    let view = this.proposerViews.get(sweepId);
    if (!view) {
      view = { records: trials.map(frozenRecord), changed: new Set() };
      this.proposerViews.set(sweepId, view);
      return view.records.slice();
    }
    // Numbers are positions: this backend numbers a sweep's trials 0, 1, 2, … in insertion order.
    for (const trial of view.changed) view.records[trial.number] = frozenRecord(trial);
    view.changed.clear();
    for (let i = view.records.length; i < trials.length; i++) view.records.push(frozenRecord(trials[i]!));
    return view.records.slice();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError("memory storage is closed");
  }

  private requireSweep(sweepId: string): StoredSweep {
    const sweep = this.sweeps.get(sweepId);
    if (sweep === undefined) throw noSweepError(sweepId, this.location);
    return sweep;
  }

  private requireTrial(trialId: number): StoredTrial {
    const trial = this.trials.get(trialId);
    if (trial === undefined) throw noTrialError(trialId, this.location);
    return trial;
  }

  /** The sweep's trials in number order; the storage's own array, not to be changed by the caller. */
  private trialsOf(sweepId: string): readonly StoredTrial[] {
    return this.trialsBySweep.get(sweepId) ?? [];
  }

  private insertTrial(sweepId: string, fields: Partial<StoredTrial> & Pick<StoredTrial, "status" | "paramsJson" | "metaJson">): StoredTrial {
    const ids = this.trialIdsBySweep.get(sweepId) ?? [];
    const number = ids.length === 0 ? 0 : this.trials.get(ids[ids.length - 1]!)!.number + 1;
    const trial: StoredTrial = {
      id: ++this.lastTrialId,
      sweepId,
      number,
      value: null,
      attempt: 1,
      worker: null,
      gpus: null,
      pid: null,
      pidStartTime: null,
      logPath: null,
      exitCode: null,
      signal: null,
      error: null,
      pruneStep: null,
      pruneReason: null,
      createdAt: nowIso(),
      startedAt: null,
      finishedAt: null,
      heartbeatAt: null,
      ...fields,
    };
    this.trials.set(trial.id, trial);
    ids.push(trial.id);
    this.trialIdsBySweep.set(sweepId, ids);
    let objects = this.trialsBySweep.get(sweepId);
    if (!objects) this.trialsBySweep.set(sweepId, (objects = []));
    objects.push(trial);
    return trial;
  }

  /** Current-attempt rows of the given trials, optionally of one metric, in (trial, step, name) order. */
  private currentIntermediates(trials: readonly StoredTrial[], name: string | undefined): IntermediateRecord[] {
    const out: IntermediateRecord[] = [];
    if (this.intermediates.size === 0) return out;
    for (const trial of trials) {
      for (const row of this.intermediates.get(trial.id)?.values() ?? []) {
        if (row.attempt === trial.attempt && (name === undefined || row.name === name)) out.push({ ...row });
      }
    }
    return out.sort(compareIntermediates);
  }

  // ---- sweeps ----

  async createSweep(input: NewSweep): Promise<SweepRecord> {
    this.assertOpen();
    assertWritable(this, "create a sweep");
    return this.createSweepNow(input);
  }

  private createSweepNow(input: NewSweep): SweepRecord {
    const { status, configJson } = checkNewSweep(input);
    let id: string;
    if (input.id !== undefined) {
      if (this.sweeps.has(input.id)) throw new StorageError(`sweep '${input.id}' already exists in ${this.location}`);
      id = input.id;
    } else {
      let candidate: string | undefined;
      for (let attempt = 0; attempt < MAX_SWEEP_ID_ATTEMPTS && candidate === undefined; attempt++) {
        const fresh = generateSweepId();
        if (!this.sweeps.has(fresh)) candidate = fresh;
      }
      if (candidate === undefined) {
        throw new StorageError(
          `could not find a free ${GENERATED_SWEEP_ID_LENGTH}-character sweep id in ${MAX_SWEEP_ID_ATTEMPTS} tries`,
        );
      }
      id = candidate;
    }
    const now = nowIso();
    const sweep: StoredSweep = {
      id,
      name: input.name ?? null,
      configRaw: input.configRaw,
      configJson,
      status,
      createdAt: now,
      updatedAt: now,
      userAttrsJson: "{}",
    };
    this.sweeps.set(id, sweep);
    return toSweepRecord(sweep);
  }

  async createOrLoadNamedSweep(input: NewSweep & { readonly name: string }): Promise<{ sweep: SweepRecord; created: boolean }> {
    this.assertOpen();
    assertWritable(this, "create a sweep");
    assertSweepName(input.name);
    // One synchronous step from the look-up to the insert: nothing else runs in between.
    const named = [...this.sweeps.values()].filter((s) => s.name === input.name).map(toSweepRecord);
    const existing = pickNamedSweep(input.name, named, this.location);
    if (existing !== null) return { sweep: existing, created: false };
    return { sweep: this.createSweepNow(input), created: true };
  }

  async getSweep(id: string): Promise<SweepRecord | null> {
    this.assertOpen();
    const sweep = this.sweeps.get(id);
    return sweep === undefined ? null : toSweepRecord(sweep);
  }

  async listSweeps(): Promise<SweepRecord[]> {
    this.assertOpen();
    // A Map iterates in insertion order, which is creation order.
    return [...this.sweeps.values()].map(toSweepRecord);
  }

  async setSweepStatus(id: string, status: SweepStatus): Promise<void> {
    this.assertOpen();
    assertWritable(this, "change a sweep's status");
    assertSweepStatus(status);
    const sweep = this.requireSweep(id);
    sweep.status = status;
    sweep.updatedAt = nowIso();
  }

  async setSweepUserAttr(id: string, key: string, value: unknown): Promise<void> {
    this.assertOpen();
    assertWritable(this, "set a sweep's user attribute");
    assertUserAttrKey(key);
    const sweep = this.requireSweep(id);
    const merged = { ...(decodeJson(sweep.userAttrsJson) as object), [key]: value };
    sweep.userAttrsJson = encodeJsonObject(merged, `user attributes of sweep '${id}'`);
    sweep.updatedAt = nowIso();
  }

  async deleteSweep(id: string): Promise<void> {
    this.assertOpen();
    assertWritable(this, "remove a sweep");
    this.requireSweep(id);
    for (const trialId of this.trialIdsBySweep.get(id) ?? []) {
      this.trials.delete(trialId);
      this.intermediates.delete(trialId);
    }
    this.trialIdsBySweep.delete(id);
    this.trialsBySweep.delete(id);
    this.proposerViews.delete(id);
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i]!.sweepId === id) this.events.splice(i, 1);
    this.sweeps.delete(id);
  }

  async updateSweepConfig(id: string, edit: (ctx: SweepEditContext) => SweepEdit): Promise<SweepRecord> {
    this.assertOpen();
    assertWritable(this, "change a sweep's config");
    assertSweepEditor(edit);
    const sweep = this.requireSweep(id);
    // Synchronous from here to the write: no claim can interleave.
    const change = checkSweepEdit(edit({ sweep: toSweepRecord(sweep), trialCount: this.trialIdsBySweep.get(id)?.length ?? 0 }));
    sweep.configJson = change.configJson;
    if (change.status !== undefined) sweep.status = change.status;
    sweep.updatedAt = nowIso();
    return toSweepRecord(sweep);
  }

  // ---- trials ----

  async claimTrial(sweepId: string, opts: ClaimOptions): Promise<ClaimResult> {
    this.assertOpen();
    assertWritable(this, "claim a trial");
    assertClaimOptions(opts);
    const sweep = this.requireSweep(sweepId);
    const trials = this.trialsOf(sweepId);
    const now = nowIso();

    const queued = trials.find((t) => t.status === "queued");
    if (queued !== undefined) {
      clearRunFields(queued);
      queued.status = "running";
      queued.worker = opts.worker;
      queued.startedAt = now;
      queued.heartbeatAt = now;
      this.changed(queued);
      return { trial: toTrialRecord(queued), fresh: false };
    }

    if (opts.maxTrials !== undefined && trials.length >= opts.maxTrials) return { stop: true, reason: "run_cap" };

    const nextNumber = trials.length === 0 ? 0 : trials[trials.length - 1]!.number + 1;
    const proposal = checkProposal(
      opts.propose({
        sweep: toSweepRecord(sweep),
        trials: this.proposerView(sweepId, trials),
        intermediates: opts.metricName === undefined ? [] : this.currentIntermediates(trials, opts.metricName),
        nextNumber,
      }),
    );
    if ("stop" in proposal) return { stop: true, reason: proposal.reason };

    const trial = this.insertTrial(sweepId, {
      status: "running",
      paramsJson: encodeJsonObject(proposal.params, `params of new trial ${nextNumber}`),
      metaJson: encodeJsonObject(proposal.meta ?? {}, `meta of new trial ${nextNumber}`),
      worker: opts.worker,
      createdAt: now,
      startedAt: now,
      heartbeatAt: now,
    });
    return { trial: toTrialRecord(trial), fresh: true };
  }

  async enqueueTrial(sweepId: string, params: FlatParams, meta: Record<string, unknown> = {}): Promise<TrialRecord> {
    this.assertOpen();
    assertWritable(this, "enqueue a trial");
    const paramsJson = encodeJsonObject(params, "params of enqueued trial");
    const metaJson = encodeJsonObject(meta, "meta of enqueued trial");
    // The stored config never changes after creation, so checking outside the write transaction is safe.
    const sweepRecord = await this.getSweep(sweepId);
    if (sweepRecord !== null) assertEnqueueParams(sweepId, sweepRecord.config, params, meta);
    this.requireSweep(sweepId);
    return toTrialRecord(this.insertTrial(sweepId, { status: "queued", paramsJson, metaJson }));
  }

  async getTrial(id: number): Promise<TrialRecord | null> {
    this.assertOpen();
    const trial = this.trials.get(id);
    return trial === undefined ? null : toTrialRecord(trial);
  }

  async listTrials(sweepId: string, opts?: { readonly status?: readonly TrialStatus[] }): Promise<TrialRecord[]> {
    this.assertOpen();
    const statuses = opts?.status;
    if (statuses !== undefined) assertTrialStatuses(statuses);
    return this.trialsOf(sweepId)
      .filter((t) => statuses === undefined || statuses.includes(t.status))
      .map(toTrialRecord);
  }

  /** Set the named fields; `meta` is merged key by key into the stored meta (so sampler bookkeeping stays). */
  async updateTrial(id: number, patch: TrialPatch): Promise<TrialRecord> {
    this.assertOpen();
    assertWritable(this, "update a trial");
    assertTrialId(id);
    assertPatch(patch);
    const trial = this.requireTrial(id);
    // Encode first: a meta that cannot be stored must leave the trial untouched.
    const metaJson =
      patch.meta === undefined
        ? trial.metaJson
        : encodeJsonObject({ ...(decodeJson(trial.metaJson) as object), ...patch.meta }, `meta of trial ${id}`);
    const paramsJson =
      patch.params === undefined
        ? trial.paramsJson
        : encodeJsonObject({ ...(decodeJson(trial.paramsJson) as object), ...patch.params }, `params of trial ${id}`);
    if (patch.worker !== undefined) trial.worker = patch.worker;
    if (patch.gpus !== undefined) trial.gpus = patch.gpus;
    if (patch.pid !== undefined) trial.pid = patch.pid;
    if (patch.pidStartTime !== undefined) trial.pidStartTime = patch.pidStartTime;
    if (patch.logPath !== undefined) trial.logPath = patch.logPath;
    if (patch.heartbeatAt !== undefined) trial.heartbeatAt = patch.heartbeatAt;
    trial.metaJson = metaJson;
    trial.paramsJson = paramsJson;
    this.changed(trial);
    return toTrialRecord(trial);
  }

  async finishTrial(id: number, outcome: TrialOutcome): Promise<TrialRecord | null> {
    this.assertOpen();
    assertWritable(this, "finish a trial");
    assertTrialId(id);
    assertOutcome(outcome);
    const trial = this.requireTrial(id);
    if (trial.status !== "running") return null;
    if (outcome.attempt !== undefined && outcome.attempt !== trial.attempt) return null;
    trial.status = outcome.status;
    trial.value = outcome.value ?? null;
    trial.exitCode = outcome.exitCode ?? null;
    trial.signal = outcome.signal ?? null;
    trial.error = outcome.error ?? null;
    trial.pruneStep = outcome.pruneStep ?? null;
    trial.pruneReason = outcome.pruneReason ?? null;
    trial.finishedAt = nowIso();
    this.changed(trial);
    return toTrialRecord(trial);
  }

  async requeueTrial(id: number): Promise<TrialRecord> {
    this.assertOpen();
    assertWritable(this, "re-queue a trial");
    assertTrialId(id);
    const trial = this.requireTrial(id);
    if (!REQUEUEABLE_STATUSES.includes(trial.status)) {
      throw new StorageError(
        `trial ${trial.number} of sweep '${trial.sweepId}' is ${trial.status}; only ` +
          `${REQUEUEABLE_STATUSES.join(", ")} trials can be re-queued`,
      );
    }
    requeue(trial);
    this.changed(trial);
    return toTrialRecord(trial);
  }

  async reclaimStaleTrials(sweepId: string, staleBefore: string): Promise<TrialRecord[]> {
    this.assertOpen();
    assertWritable(this, "reclaim stale trials");
    assertIsoTime(staleBefore, "staleBefore");
    this.requireSweep(sweepId);
    const reclaimed: TrialRecord[] = [];
    for (const trial of this.trialsOf(sweepId)) {
      const lastSignOfLife = trial.heartbeatAt ?? trial.startedAt ?? trial.createdAt;
      if (trial.status !== "running" || !(lastSignOfLife < staleBefore)) continue;
      const data = reclaimEventData(trial.worker, trial.attempt, lastSignOfLife, staleBefore);
      requeue(trial);
      this.changed(trial);
      this.events.push({
        id: ++this.lastEventId,
        sweepId,
        trialId: trial.id,
        kind: TRIAL_RECLAIMED_EVENT,
        dataJson: encodeJson(data, `data of '${TRIAL_RECLAIMED_EVENT}' event`),
        createdAt: nowIso(),
      });
      reclaimed.push(toTrialRecord(trial));
    }
    return reclaimed;
  }

  async readHistory(sweepId: string, metricName?: string): Promise<SweepHistory> {
    this.assertOpen();
    this.requireSweep(sweepId);
    const trials = this.trialsOf(sweepId);
    return {
      trials: this.proposerView(sweepId, trials),
      intermediates: metricName === undefined ? [] : this.currentIntermediates(trials, metricName),
    };
  }

  // ---- intermediate values ----

  async addIntermediate(
    trialId: number,
    step: number,
    metrics: Readonly<Record<string, number>>,
    reportedAttempt?: number,
  ): Promise<void> {
    this.assertOpen();
    assertWritable(this, "store intermediate values");
    assertTrialId(trialId);
    assertStep(step);
    assertMetrics(metrics);
    assertOptionalAttempt(reportedAttempt);
    const { attempt } = this.requireTrial(trialId);
    if (reportedAttempt !== undefined && reportedAttempt !== attempt) return; // a stale attempt's report
    const rows = this.intermediates.get(trialId) ?? new Map<string, IntermediateRecord>();
    const createdAt = nowIso();
    for (const [name, value] of Object.entries(metrics)) {
      rows.set(`${attempt}/${step}/${name}`, { trialId, attempt, step, name, value, createdAt });
    }
    this.intermediates.set(trialId, rows);
  }

  async listIntermediates(query: IntermediateQuery): Promise<IntermediateRecord[]> {
    this.assertOpen();
    let trials: readonly StoredTrial[];
    if (query.trialId !== undefined) {
      const trial = this.trials.get(query.trialId);
      trials = trial === undefined || (query.sweepId !== undefined && trial.sweepId !== query.sweepId) ? [] : [trial];
    } else if (query.sweepId !== undefined) {
      trials = this.trialsOf(query.sweepId);
    } else {
      trials = [...this.trials.values()];
    }
    return this.currentIntermediates(trials, query.name);
  }

  // ---- events ----

  async addEvent(sweepId: string, kind: string, data?: unknown, trialId: number | null = null): Promise<void> {
    this.assertOpen();
    assertWritable(this, "add an event");
    if (typeof kind !== "string" || kind === "") {
      throw new StorageError(`event kind must be a non-empty string, got ${JSON.stringify(kind)}`);
    }
    if (trialId !== null) assertTrialId(trialId);
    const dataJson = encodeJson(data, `data of '${kind}' event`);
    this.requireSweep(sweepId);
    if (trialId !== null && this.requireTrial(trialId).sweepId !== sweepId) {
      throw new StorageError(`trial with id ${trialId} does not belong to sweep '${sweepId}'`);
    }
    this.events.push({ id: ++this.lastEventId, sweepId, trialId, kind, dataJson, createdAt: nowIso() });
  }

  async listEvents(sweepId: string): Promise<EventRecord[]> {
    this.assertOpen();
    return this.events.filter((e) => e.sweepId === sweepId).map(toEventRecord);
  }

  /** Idempotent; afterwards every call fails, as with a closed SQLite connection. */
  async close(): Promise<void> {
    this.closed = true;
  }
}
