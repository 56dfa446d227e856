/**
 * Storage in one SQLite file, shared safely by any number of processes on one machine.
 *
 * Concurrency model (see docs/storage.md): WAL journal so readers never block the writer; every write is one
 * transaction started with BEGIN IMMEDIATE so it takes the write lock before reading what it will change;
 * a busy timeout so a process waits for the lock instead of failing; and a bounded retry for the SQLITE_BUSY
 * that can still slip through. claimTrial runs the sampler's `propose` inside that transaction, so no two
 * processes ever propose from the same view of the trials.
 */
import type Database from "better-sqlite3";
import { StorageError, noSweepError, noTrialError } from "../errors.js";
import { GENERATED_SWEEP_ID_LENGTH, MAX_SWEEP_ID_ATTEMPTS, generateSweepId, nowIso } from "../ids.js";
import { decodeJson, encodeJson, encodeJsonObject } from "../json.js";
import { TRIAL_RECLAIMED_EVENT, reclaimEventData } from "../reclaim.js";
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
} from "../types.js";
import type { FlatParams } from "../../space/types.js";
import {
  REQUEUEABLE_STATUSES,
  assertClaimOptions,
  assertWritable,
  assertIsoTime,
  assertMetrics,
  assertOptionalAttempt,
  assertOutcome,
  assertPatch,
  assertStep,
  assertSweepId,
  assertSweepStatus,
  assertTrialId,
  assertTrialStatuses,
  assertSweepEditor,
  assertEnqueueParams,
  assertUserAttrKey,
  assertSweepName,
  checkNewSweep,
  pickNamedSweep,
  checkProposal,
  checkSweepEdit,
} from "../validate.js";
import { DEFAULT_BUSY_RETRY, withBusyRetry, type BusyRetryPolicy } from "./busy.js";
import { toEventRecord, toIntermediateRecord, toSweepRecord, toTrialRecord } from "./rows.js";
import { SqliteHistory } from "./history-cache.js";
import { toStorageError } from "./failures.js";
import { DEFAULT_QUICK_CHECK_MAX_BYTES as QUICK_CHECK_MAX_BYTES, connect } from "./open.js";
import { prepareStatements, type Statements } from "./statements.js";
import { toSqlReal } from "./values.js";

export interface SqliteStorageOptions {
  /** How long one statement waits for another process's lock before SQLite reports busy. Default 10 s. */
  readonly busyTimeoutMs?: number;
  /** What to do when SQLITE_BUSY still comes back. Default: 6 retries from 25 ms, doubling. */
  readonly busyRetry?: BusyRetryPolicy;
  /**
   * Open for reading only (the CLI's ls, show, best, export, report): the file must exist, nothing is ever
   * written to it (no WAL switch, no migration), and it can be read from read-only media. Every write method
   * then fails with a StorageError. See open.ts.
   */
  readonly readOnly?: boolean;
  /**
   * `PRAGMA quick_check` runs on open for files up to this size (default 64 MiB, about 0.3 s); 0 turns it off,
   * Infinity checks every file.
   */
  readonly quickCheckMaxBytes?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;
// Declared here rather than re-exported from ./open.js: a re-export makes this module's declaration file
// import open.d.ts, which names better-sqlite3's types, and a user's strict tsc would then need
// @types/better-sqlite3 (docs/packaging.md, "Types").
export const DEFAULT_QUICK_CHECK_MAX_BYTES: number = QUICK_CHECK_MAX_BYTES;

interface Connection {
  readonly db: Database.Database;
  readonly statements: Statements;
}

export class SqliteStorage implements Storage {
  readonly kind = "sqlite";
  /** The database file, as given. */
  readonly location: string;
  /** A SQLite file is only ever shared on one host (docs/storage.md), so its clock is this host's. */
  readonly clockSkewMs = 0;

  now(): string {
    return nowIso();
  }

  /**
   * The journal mode SQLite reports: "wal" for a file opened to write (anything else means the file system
   * refused WAL); for a read-only open the file's own mode, or "memory" when it reads an in-memory copy.
   */
  readonly journalMode: string;
  /** Opened with `readOnly: true`: every write method fails, and nothing is ever written to the file. */
  readonly readOnly: boolean;
  /** A read-only open reading an in-memory copy of the file (an older schema, or WAL on read-only media). */
  readonly readsCopy: boolean;
  private connection: Connection | null;
  private readonly busyRetry: BusyRetryPolicy;
  private readonly history: SqliteHistory;

  private constructor(
    location: string,
    connection: Connection,
    opened: { journalMode: string; readOnly: boolean; readsCopy: boolean },
    busyRetry: BusyRetryPolicy,
  ) {
    this.location = location;
    this.connection = connection;
    this.history = new SqliteHistory(connection.db);
    this.journalMode = opened.journalMode;
    this.readOnly = opened.readOnly;
    this.readsCopy = opened.readsCopy;
    this.busyRetry = busyRetry;
  }

  /**
   * Open the database at `path`: checked first (header, tables, quick_check; see open.ts), then, unless
   * `readOnly`, created with its parent folders if missing, switched to WAL and migrated.
   */
  static async open(path: string, options: SqliteStorageOptions = {}): Promise<SqliteStorage> {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new StorageError(`busyTimeoutMs ${String(busyTimeoutMs)} is not valid: expected an integer >= 0`);
    }
    const quickCheckMaxBytes = options.quickCheckMaxBytes ?? QUICK_CHECK_MAX_BYTES;
    if (typeof quickCheckMaxBytes !== "number" || Number.isNaN(quickCheckMaxBytes) || quickCheckMaxBytes < 0) {
      throw new StorageError(`quickCheckMaxBytes ${String(quickCheckMaxBytes)} is not valid: expected a number >= 0`);
    }
    const readOnly = options.readOnly === true;
    const busyRetry = options.busyRetry ?? DEFAULT_BUSY_RETRY;
    const settings = { busyTimeoutMs, readOnly, quickCheckMaxBytes };
    const opened = await withBusyRetry(() => connect(path, settings), path, busyRetry);
    let statements: Statements;
    try {
      statements = prepareStatements(opened.db);
      return new SqliteStorage(
        path,
        { db: opened.db, statements },
        { journalMode: opened.journalMode, readOnly, readsCopy: opened.source === "copy" },
        busyRetry,
      );
    } catch (err) {
      opened.db.close();
      throw toStorageError(err, path);
    }
  }

  private get open(): Connection {
    if (this.connection === null) throw new StorageError(`SQLite storage ${this.location} is closed`);
    return this.connection;
  }

  /**
   * Run one whole transaction (or single statement), re-running it if another process keeps the lock. Any
   * SQLite error, and any stored value that cannot be decoded, leaves as a StorageError naming the file.
   */
  private async run<T>(operation: (s: Statements, db: Database.Database) => T): Promise<T> {
    try {
      return await withBusyRetry(
        () => {
          const { statements, db } = this.open;
          return operation(statements, db);
        },
        this.location,
        this.busyRetry,
      );
    } catch (err) {
      throw toStorageError(err, this.location);
    }
  }

  /** Refuse a write on a storage opened read-only, before any statement runs. */
  private writable(operation: string): void {
    assertWritable(this, operation);
  }

  /** Like run, inside BEGIN IMMEDIATE … COMMIT: the write lock is held from the first read. */
  private transaction<T>(operation: (s: Statements) => T): Promise<T> {
    return this.run((s, db) => db.transaction(() => operation(s)).immediate());
  }

  private requireSweep(s: Statements, sweepId: string) {
    const row = s.getSweep.get(sweepId);
    if (row === undefined) throw noSweepError(sweepId, this.location);
    return row;
  }

  private requireTrial(s: Statements, trialId: number) {
    const row = s.getTrial.get(trialId);
    if (row === undefined) throw noTrialError(trialId, this.location);
    return row;
  }

  // ---- sweeps ----

  async createSweep(input: NewSweep): Promise<SweepRecord> {
    this.writable("create a sweep");
    const values = checkNewSweep(input);
    const id = await this.run((s) => this.insertSweep(s, input, values));
    return (await this.getSweep(id)) as SweepRecord;
  }

  async createOrLoadNamedSweep(input: NewSweep & { readonly name: string }): Promise<{ sweep: SweepRecord; created: boolean }> {
    this.writable("create a sweep");
    assertSweepName(input.name);
    const values = checkNewSweep(input);
    // Under the write lock from the look-up to the insert: two processes with one name get one sweep.
    const found = await this.transaction((s) => {
      const named = s.listSweeps.all().filter((row) => row.name === input.name).map(toSweepRecord);
      const existing = pickNamedSweep(input.name, named, this.location);
      if (existing !== null) return { sweep: existing, created: false };
      return { sweep: toSweepRecord(s.getSweep.get(this.insertSweep(s, input, values))!), created: true };
    });
    return found;
  }

  /** Inserts a checked new sweep under its given id, or a generated free one; returns the id. */
  private insertSweep(s: Statements, input: NewSweep, values: ReturnType<typeof checkNewSweep>): string {
    const row = { name: values.name, config_raw: input.configRaw, config_json: values.configJson, status: values.status, now: nowIso() };
    if (input.id !== undefined) {
      if (s.insertSweep.run({ ...row, id: input.id }).changes === 0) {
        throw new StorageError(`sweep '${input.id}' already exists in ${this.location}`);
      }
      return input.id;
    }
    for (let attempt = 0; attempt < MAX_SWEEP_ID_ATTEMPTS; attempt++) {
      const candidate = generateSweepId();
      if (s.insertSweep.run({ ...row, id: candidate }).changes === 1) return candidate;
    }
    throw new StorageError(`could not find a free ${GENERATED_SWEEP_ID_LENGTH}-character sweep id in ${MAX_SWEEP_ID_ATTEMPTS} tries`);
  }

  async getSweep(id: string): Promise<SweepRecord | null> {
    return this.run((s) => {
      const row = s.getSweep.get(id);
      return row === undefined ? null : toSweepRecord(row);
    });
  }

  async listSweeps(): Promise<SweepRecord[]> {
    return this.run((s) => s.listSweeps.all().map(toSweepRecord));
  }

  async setSweepStatus(id: string, status: SweepStatus): Promise<void> {
    this.writable("change a sweep's status");
    assertSweepStatus(status);
    const changes = await this.run((s) => s.setSweepStatus.run(status, nowIso(), id).changes);
    if (changes === 0) throw noSweepError(id, this.location);
  }

  async setSweepUserAttr(id: string, key: string, value: unknown): Promise<void> {
    this.writable("set a sweep's user attribute");
    assertUserAttrKey(key);
    await this.transaction((s) => {
      const row = this.requireSweep(s, id);
      const merged = { ...(decodeJson(row.user_attrs_json, `user attributes of sweep '${id}'`) as object), [key]: value };
      s.setSweepUserAttrs.run(encodeJsonObject(merged, `user attributes of sweep '${id}'`), nowIso(), id);
    });
  }

  async deleteSweep(id: string): Promise<void> {
    this.writable("remove a sweep");
    const changes = await this.run((s) => s.deleteSweep.run(id).changes);
    if (changes === 0) throw noSweepError(id, this.location);
  }

  async updateSweepConfig(id: string, edit: (ctx: SweepEditContext) => SweepEdit): Promise<SweepRecord> {
    this.writable("change a sweep's config");
    assertSweepEditor(edit);
    // BEGIN IMMEDIATE: the write lock a claim takes, held from the count to the update.
    return this.transaction((s) => {
      const row = this.requireSweep(s, id);
      const change = checkSweepEdit(edit({ sweep: toSweepRecord(row), trialCount: s.trialCounts.get(id)!.count }));
      s.setSweepConfig.run({ id, config_json: change.configJson, status: change.status ?? row.status, now: nowIso() });
      return toSweepRecord(this.requireSweep(s, id));
    });
  }

  // ---- trials ----

  async claimTrial(sweepId: string, opts: ClaimOptions): Promise<ClaimResult> {
    this.writable("claim a trial");
    assertClaimOptions(opts);
    return this.transaction((s): ClaimResult => {
      const sweepRow = this.requireSweep(s, sweepId);
      const sweep = toSweepRecord(sweepRow);
      const now = nowIso();

      const queuedId = s.oldestQueuedTrialId.get(sweepId);
      if (queuedId !== undefined) {
        const row = s.startQueuedTrial.get({ id: queuedId, worker: opts.worker, now });
        return { trial: toTrialRecord(row!), fresh: false };
      }

      if (opts.maxTrials !== undefined && s.trialCounts.get(sweepId)!.count >= opts.maxTrials) return { stop: true, reason: "run_cap" };

      // Under the write lock the revision cannot move, so the cached history is exactly the stored one.
      const trials = this.history.trials(sweepRow);
      const intermediates = opts.metricName === undefined ? [] : this.history.intermediates(sweepRow, opts.metricName);
      const nextNumber = s.maxTrialNumber.get(sweepId)! + 1;
      const proposal = checkProposal(opts.propose({ sweep, trials, intermediates, nextNumber }));
      if ("stop" in proposal) return { stop: true, reason: proposal.reason };

      const row = s.insertTrial.get({
        sweep_id: sweepId,
        number: nextNumber,
        status: "running",
        params_json: encodeJsonObject(proposal.params, `params of new trial ${nextNumber}`),
        meta_json: encodeJsonObject(proposal.meta ?? {}, `meta of new trial ${nextNumber}`),
        worker: opts.worker,
        created_at: now,
        started_at: now,
      });
      return { trial: toTrialRecord(row!), fresh: true };
    });
  }

  async enqueueTrial(sweepId: string, params: FlatParams, meta: Record<string, unknown> = {}): Promise<TrialRecord> {
    this.writable("enqueue a trial");
    const paramsJson = encodeJsonObject(params, "params of enqueued trial");
    const metaJson = encodeJsonObject(meta, "meta of enqueued trial");
    // The stored config never changes after creation, so checking outside the write transaction is safe.
    const sweepRecord = await this.getSweep(sweepId);
    if (sweepRecord !== null) assertEnqueueParams(sweepId, sweepRecord.config, params, meta);
    return this.transaction((s) => {
      this.requireSweep(s, sweepId);
      const number = s.trialCounts.get(sweepId)!.max_number + 1;
      const row = s.insertTrial.get({
        sweep_id: sweepId,
        number,
        status: "queued",
        params_json: paramsJson,
        meta_json: metaJson,
        worker: null,
        created_at: nowIso(),
        started_at: null,
      })!;
      return toTrialRecord(row);
    });
  }

  async getTrial(id: number): Promise<TrialRecord | null> {
    return this.run((s) => {
      const row = s.getTrial.get(id);
      return row === undefined ? null : toTrialRecord(row);
    });
  }

  async listTrials(sweepId: string, opts?: { readonly status?: readonly TrialStatus[] }): Promise<TrialRecord[]> {
    const statuses = opts?.status;
    if (statuses !== undefined) assertTrialStatuses(statuses);
    return this.run((s) =>
      (statuses === undefined
        ? s.listTrials.all(sweepId)
        : s.listTrialsWithStatus.all(sweepId, JSON.stringify(statuses))
      ).map(toTrialRecord),
    );
  }

  /** Set the named fields; `meta` is merged key by key into the stored meta (so sampler bookkeeping stays). */
  async updateTrial(id: number, patch: TrialPatch): Promise<TrialRecord> {
    this.writable("update a trial");
    assertTrialId(id);
    assertPatch(patch);
    const has = (key: keyof TrialPatch) => (patch[key] !== undefined ? 1 : 0);
    return this.transaction((s) => {
      const current = this.requireTrial(s, id);
      let metaJson: string | null = null;
      if (patch.meta !== undefined) {
        const stored = decodeJson(current.meta_json, `meta of trial ${id}`) as Record<string, unknown>;
        const merged = { ...stored, ...patch.meta };
        metaJson = encodeJsonObject(merged, `meta of trial ${id}`);
      }
      let paramsJson: string | null = null;
      if (patch.params !== undefined) {
        const stored = decodeJson(current.params_json, `params of trial ${id}`) as Record<string, unknown>;
        paramsJson = encodeJsonObject({ ...stored, ...patch.params }, `params of trial ${id}`);
      }
      const row = s.updateTrial.get({
        id,
        set_worker: has("worker"),
        worker: patch.worker ?? null,
        set_gpus: has("gpus"),
        gpus: patch.gpus ?? null,
        set_pid: has("pid"),
        pid: patch.pid ?? null,
        set_pid_start_time: has("pidStartTime"),
        pid_start_time: patch.pidStartTime ?? null,
        set_log_path: has("logPath"),
        log_path: patch.logPath ?? null,
        set_heartbeat_at: has("heartbeatAt"),
        heartbeat_at: patch.heartbeatAt ?? null,
        set_meta: has("meta"),
        meta_json: metaJson,
        set_params: has("params"),
        params_json: paramsJson,
      })!;
      return toTrialRecord(row);
    });
  }

  async finishTrial(id: number, outcome: TrialOutcome): Promise<TrialRecord | null> {
    this.writable("finish a trial");
    assertTrialId(id);
    assertOutcome(outcome);
    return this.transaction((s) => {
      const finished = s.finishTrial.get({
        id,
        status: outcome.status,
        value: toSqlReal(outcome.value ?? null),
        exit_code: outcome.exitCode ?? null,
        signal: outcome.signal ?? null,
        error: outcome.error ?? null,
        prune_step: outcome.pruneStep ?? null,
        prune_reason: outcome.pruneReason ?? null,
        now: nowIso(),
        attempt: outcome.attempt ?? null,
      });
      // Unknown id is an error; not running (or another attempt) is a null.
      if (finished === undefined) this.requireTrial(s, id);
      return finished === undefined ? null : toTrialRecord(finished);
    });
  }

  async requeueTrial(id: number): Promise<TrialRecord> {
    this.writable("re-queue a trial");
    assertTrialId(id);
    return this.transaction((s) => {
      const requeued = s.requeueTrial.get(id);
      if (requeued !== undefined) return toTrialRecord(requeued);
      const current = this.requireTrial(s, id);
      throw new StorageError(
        `trial ${current.number} of sweep '${current.sweep_id}' is ${current.status}; only ` +
          `${REQUEUEABLE_STATUSES.join(", ")} trials can be re-queued`,
      );
    });
  }

  async reclaimStaleTrials(sweepId: string, staleBefore: string): Promise<TrialRecord[]> {
    this.writable("reclaim stale trials");
    assertIsoTime(staleBefore, "staleBefore");
    // One IMMEDIATE transaction: a second agent reclaiming at the same time waits, then finds nothing stale.
    return this.transaction((s) => {
      this.requireSweep(s, sweepId);
      return s.staleRunningTrials.all(sweepId, staleBefore).map((stale) => {
        const lastSeenAt = stale.heartbeat_at ?? stale.started_at ?? stale.created_at;
        const data = reclaimEventData(stale.worker, stale.attempt, lastSeenAt, staleBefore);
        const requeued = s.requeueTrial.get(stale.id)!;
        const dataJson = encodeJson(data, `data of '${TRIAL_RECLAIMED_EVENT}' event`);
        s.insertEvent.run(sweepId, stale.id, TRIAL_RECLAIMED_EVENT, dataJson, nowIso());
        return toTrialRecord(requeued);
      });
    });
  }

  // ---- intermediate values ----

  async addIntermediate(
    trialId: number,
    step: number,
    metrics: Readonly<Record<string, number>>,
    reportedAttempt?: number,
  ): Promise<void> {
    this.writable("store intermediate values");
    assertTrialId(trialId);
    assertStep(step);
    assertMetrics(metrics);
    assertOptionalAttempt(reportedAttempt);
    const entries = Object.entries(metrics);
    await this.transaction((s) => {
      const { attempt } = this.requireTrial(s, trialId);
      if (reportedAttempt !== undefined && reportedAttempt !== attempt) return; // a stale attempt's report
      const now = nowIso();
      for (const [name, value] of entries) s.upsertIntermediate.run(trialId, attempt, step, name, toSqlReal(value), now);
    });
  }

  async readHistory(sweepId: string, metricName?: string): Promise<SweepHistory> {
    assertSweepId(sweepId);
    // A deferred (read) transaction: the revision and the rows come from one snapshot.
    return this.run((s, db) =>
      db
        .transaction((): SweepHistory => {
          const sweepRow = this.requireSweep(s, sweepId);
          return {
            trials: this.history.trials(sweepRow),
            intermediates: metricName === undefined ? [] : this.history.intermediates(sweepRow, metricName),
          };
        })
        .deferred(),
    );
  }

  async listIntermediates(query: IntermediateQuery): Promise<IntermediateRecord[]> {
    const filter = { sweep_id: query.sweepId ?? null, trial_id: query.trialId ?? null, name: query.name ?? null };
    return this.run((s) => {
      if (filter.trial_id !== null) return s.listIntermediatesOfTrial.all(filter).map(toIntermediateRecord);
      if (filter.sweep_id !== null) return s.listIntermediatesOfSweep.all(filter).map(toIntermediateRecord);
      return s.listAllIntermediates.all(filter).map(toIntermediateRecord);
    });
  }

  // ---- events ----

  async addEvent(sweepId: string, kind: string, data?: unknown, trialId: number | null = null): Promise<void> {
    this.writable("add an event");
    if (typeof kind !== "string" || kind === "") {
      throw new StorageError(`event kind must be a non-empty string, got ${JSON.stringify(kind)}`);
    }
    if (trialId !== null) assertTrialId(trialId);
    const dataJson = encodeJson(data, `data of '${kind}' event`);
    await this.transaction((s) => {
      this.requireSweep(s, sweepId);
      if (trialId !== null && this.requireTrial(s, trialId).sweep_id !== sweepId) {
        throw new StorageError(`trial with id ${trialId} does not belong to sweep '${sweepId}'`);
      }
      s.insertEvent.run(sweepId, trialId, kind, dataJson, nowIso());
    });
  }

  async listEvents(sweepId: string): Promise<EventRecord[]> {
    return this.run((s) => s.listEvents.all(sweepId).map(toEventRecord));
  }

  /** Close the connection (idempotent). The last connection to close also folds the WAL into the file. */
  async close(): Promise<void> {
    const connection = this.connection;
    if (connection === null) return;
    this.connection = null;
    try {
      connection.db.close();
    } catch (err) {
      throw toStorageError(err, this.location);
    }
  }
}
