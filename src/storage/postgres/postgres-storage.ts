/**
 * Storage in a PostgreSQL database, shared by agents on any number of machines.
 *
 * Same semantics as SqliteStorage (same checks, same errors, same ordering); what differs is how atomicity is
 * reached. SQLite has one writer at a time; here every multi-statement change is one READ COMMITTED
 * transaction on a pooled connection, and the row locks described in statements.ts stand in for SQLite's
 * single write lock where the contract needs one: proposers of one sweep take turns, queued trials are
 * taken without waiting, and reclaiming splits stale trials between concurrent callers.
 */
import pg from "pg";
import { StorageError, noSweepError, noTrialError } from "../errors.js";
import { GENERATED_SWEEP_ID_LENGTH, MAX_SWEEP_ID_ATTEMPTS, generateSweepId } from "../ids.js";
import { decodeJson, describe, encodeJson, encodeJsonObject } from "../json.js";
import { TRIAL_RECLAIMED_EVENT, reclaimEventData } from "../reclaim.js";
// The tables have the same columns as SQLite's, so the same row converters apply.
import {
  toEventRecord,
  toIntermediateRecord,
  toSweepRecord,
  toTrialRecord,
  type EventRow,
  type IntermediateRow,
  type SweepRow,
  type TrialRow,
} from "../sqlite/rows.js";
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
  assertIsoTime,
  assertWritable,
  assertMetrics,
  assertOptionalAttempt,
  assertOutcome,
  assertPatch,
  assertStep,
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
import { Session, createPool, wrapDriverError } from "./connection.js";
import { redactPostgresUrl, type PostgresStorageOptions } from "./options.js";
import { checkPostgresSchema, migratePostgres } from "./schema.js";
import { PostgresHistory } from "./history.js";
import { SQL, type StatementName } from "./statements.js";

/** A sweep row as PostgreSQL has it: SQLite's columns plus `seq` (BIGINT, so text from the driver). */
type PgSweepRow = SweepRow & { seq: string };

/** A re-queued trial's new row plus what the `trial_reclaimed` event needs from the old one. */
type ReclaimedRow = TrialRow & { old_worker: string | null; old_attempt: number; last_seen_at: string };

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** Run the named statement of statements.ts on a session. */
function run<R extends pg.QueryResultRow>(session: Session, name: StatementName, values: unknown[]): Promise<R[]> {
  return session.query<R>(name, SQL[name], values);
}

async function first<R extends pg.QueryResultRow>(session: Session, name: StatementName, values: unknown[]) {
  return (await run<R>(session, name, values))[0];
}

export class PostgresStorage implements Storage {
  readonly kind = "postgresql";
  /** The URL with its password hidden: this goes into every message. */
  readonly location: string;
  /** Opened with `readOnly: true`: no schema is created or migrated, and every write fails (here and on the server). */
  readonly readOnly: boolean;
  private pool: pg.Pool | null;
  /** Each sweep's history as last read; claims and readHistory read only what changed since (history.ts). */
  private readonly history = new PostgresHistory();
  /**
   * The server's clock minus this host's, measured at open. Every time this backend writes or compares
   * (started_at, heartbeats, staleness) is on the server's clock, so two hosts whose clocks disagree still agree
   * on which heartbeat is old.
   */
  readonly clockSkewMs: number;

  private constructor(location: string, pool: pg.Pool, readOnly: boolean, clockSkewMs: number) {
    this.location = location;
    this.pool = pool;
    this.readOnly = readOnly;
    this.clockSkewMs = clockSkewMs;
  }

  now(): string {
    return new Date(Date.now() + this.clockSkewMs).toISOString();
  }

  /**
   * Connect to the database a `postgres://` or `postgresql://` URL names and bring its schema up to date.
   * Passwords can also come from PGPASSWORD or ~/.pgpass, which the driver reads, keeping them out of URLs.
   * With `readOnly`, the schema is only checked (never created or migrated) and every session is started
   * with `default_transaction_read_only = on`, so the server refuses writes too.
   */
  static async open(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    if (typeof url !== "string" || !POSTGRES_URL.test(url)) {
      const shown = typeof url === "string" ? JSON.stringify(redactPostgresUrl(url)) : describe(url);
      throw new StorageError(`${shown} is not a PostgreSQL URL; expected postgresql://user@host/database`);
    }
    const location = redactPostgresUrl(url);
    const pool = createPool(url, options);
    let clockSkew = 0;
    try {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw wrapDriverError(err, location, " cannot be reached");
      }
      const onError = () => undefined; // the failing migration statement reports it (see withSession)
      client.on("error", onError);
      let skew = 0;
      try {
        if (options.readOnly === true) await checkPostgresSchema(client, location);
        else await migratePostgres(client, location);
        // Half the round trip is the best guess of when the server read its clock.
        const sent = Date.now();
        const { rows } = await client.query<{ ms: string }>("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS ms");
        const received = Date.now();
        skew = Number(rows[0]!.ms) - (sent + received) / 2;
      } catch (err) {
        client.release(true);
        throw wrapDriverError(err, location, " could not be prepared");
      } finally {
        client.removeListener("error", onError);
      }
      client.release();
      clockSkew = Math.round(skew);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new PostgresStorage(location, pool, options.readOnly === true, clockSkew);
  }

  private get openPool(): pg.Pool {
    if (this.pool === null) throw new StorageError(`PostgreSQL storage ${this.location} is closed`);
    return this.pool;
  }

  /** Run `operation` on one pooled connection, outside any transaction (single statements are atomic). */
  private async withSession<T>(operation: (session: Session) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.openPool.connect();
    } catch (err) {
      throw wrapDriverError(err, this.location, " cannot be reached");
    }
    const session = new Session(client, this.location);
    // While checked out, a connection the server ends (a timeout, a restart) reports it as an 'error' event;
    // unheard, Node would crash the agent. The statement in flight fails on its own; mark the connection.
    const onError = () => {
      session.failed = true;
    };
    client.on("error", onError);
    try {
      return await operation(session);
    } finally {
      client.removeListener("error", onError);
      // A connection on which a statement failed may be half-broken (dropped, killed by a timeout): it is
      // closed rather than handed to the next caller. Errors of our own checks leave it in the pool.
      client.release(session.failed);
    }
  }

  /** Like withSession, inside BEGIN … COMMIT; any error (the proposer's included) rolls everything back. */
  private transaction<T>(operation: (session: Session) => Promise<T>): Promise<T> {
    return this.withSession((session) => this.inTransaction(session, operation));
  }

  private async inTransaction<T>(session: Session, operation: (session: Session) => Promise<T>): Promise<T> {
    await session.query(undefined, "BEGIN");
    try {
      const result = await operation(session);
      await session.query(undefined, "COMMIT");
      return result;
    } catch (err) {
      await session.query(undefined, "ROLLBACK").catch(() => undefined);
      throw err;
    }
  }

  private async requireSweep(session: Session, sweepId: string, lock = false): Promise<PgSweepRow> {
    const row = await first<PgSweepRow>(session, lock ? "lockSweep" : "getSweep", [sweepId]);
    if (row === undefined) throw noSweepError(sweepId, this.location);
    return row;
  }

  private async requireTrial(session: Session, trialId: number, lock = false): Promise<TrialRow> {
    const row = await first<TrialRow>(session, lock ? "lockTrial" : "getTrial", [trialId]);
    if (row === undefined) throw noTrialError(trialId, this.location);
    return row;
  }

  // ---- sweeps ----

  async createSweep(input: NewSweep): Promise<SweepRecord> {
    assertWritable(this, "create a sweep");
    const values = checkNewSweep(input);
    return toSweepRecord(await this.withSession((session) => this.insertSweep(session, input, values)));
  }

  async createOrLoadNamedSweep(input: NewSweep & { readonly name: string }): Promise<{ sweep: SweepRecord; created: boolean }> {
    assertWritable(this, "create a sweep");
    assertSweepName(input.name);
    const values = checkNewSweep(input);
    return this.transaction(async (session) => {
      // Names are not unique in the table (two sweeps may share one), so a transaction-level advisory lock on
      // the name serialises the look-up and the insert of processes using this name, and no one else.
      await run(session, "lockSweepName", [input.name]);
      const named = (await run<SweepRow>(session, "sweepsNamed", [input.name])).map(toSweepRecord);
      const existing = pickNamedSweep(input.name, named, this.location);
      if (existing !== null) return { sweep: existing, created: false };
      return { sweep: toSweepRecord(await this.insertSweep(session, input, values)), created: true };
    });
  }

  /** Inserts a checked new sweep under its given id, or a generated free one. */
  private async insertSweep(session: Session, input: NewSweep, values: ReturnType<typeof checkNewSweep>): Promise<SweepRow> {
    const row = (id: string) => [id, values.name, input.configRaw, values.configJson, values.status, this.now()];
    if (input.id !== undefined) {
      const inserted = await first<SweepRow>(session, "insertSweep", row(input.id));
      if (inserted === undefined) throw new StorageError(`sweep '${input.id}' already exists in ${this.location}`);
      return inserted;
    }
    for (let attempt = 0; attempt < MAX_SWEEP_ID_ATTEMPTS; attempt++) {
      const inserted = await first<SweepRow>(session, "insertSweep", row(generateSweepId()));
      if (inserted !== undefined) return inserted;
    }
    throw new StorageError(`could not find a free ${GENERATED_SWEEP_ID_LENGTH}-character sweep id in ${MAX_SWEEP_ID_ATTEMPTS} tries`);
  }

  async getSweep(id: string): Promise<SweepRecord | null> {
    const row = await this.withSession((session) => first<SweepRow>(session, "getSweep", [id]));
    return row === undefined ? null : toSweepRecord(row);
  }

  async listSweeps(): Promise<SweepRecord[]> {
    return (await this.withSession((session) => run<SweepRow>(session, "listSweeps", []))).map(toSweepRecord);
  }

  async setSweepStatus(id: string, status: SweepStatus): Promise<void> {
    assertWritable(this, "change a sweep's status");
    assertSweepStatus(status);
    const updated = await this.withSession((session) => run(session, "setSweepStatus", [id, status, this.now()]));
    if (updated.length === 0) throw noSweepError(id, this.location);
  }

  async setSweepUserAttr(id: string, key: string, value: unknown): Promise<void> {
    assertWritable(this, "set a sweep's user attribute");
    assertUserAttrKey(key);
    await this.transaction(async (session) => {
      const row = await this.requireSweep(session, id, true); // locked: a read-merge-write
      const merged = { ...(decodeJson(row.user_attrs_json) as object), [key]: value };
      await run(session, "setSweepUserAttrs", [id, encodeJsonObject(merged, `user attributes of sweep '${id}'`), this.now()]);
    });
  }

  async deleteSweep(id: string): Promise<void> {
    assertWritable(this, "remove a sweep");
    const deleted = await this.withSession((session) => run(session, "deleteSweep", [id]));
    if (deleted.length === 0) throw noSweepError(id, this.location);
  }

  async updateSweepConfig(id: string, edit: (ctx: SweepEditContext) => SweepEdit): Promise<SweepRecord> {
    assertWritable(this, "change a sweep's config");
    assertSweepEditor(edit);
    const row = await this.transaction(async (session) => {
      // The sweep's proposer lock, as a claim that creates a trial takes it: the count cannot move under us.
      const locked = await this.requireSweep(session, id, true);
      const counts = (await first<{ count: number; max_number: number }>(session, "trialCounts", [id]))!;
      const change = checkSweepEdit(edit({ sweep: toSweepRecord(locked), trialCount: Number(counts.count) }));
      return (await first<SweepRow>(session, "setSweepConfig", [id, change.configJson, change.status ?? locked.status, this.now()]))!;
    });
    return toSweepRecord(row);
  }

  // ---- trials ----

  async claimTrial(sweepId: string, opts: ClaimOptions): Promise<ClaimResult> {
    assertWritable(this, "claim a trial");
    assertClaimOptions(opts);
    const startQueued = async (session: Session): Promise<ClaimResult | null> => {
      const row = await first<TrialRow>(session, "startOldestQueued", [sweepId, opts.worker, this.now()]);
      return row === undefined ? null : { trial: toTrialRecord(row), fresh: false };
    };
    return this.withSession(async (session) => {
      // Queued work first, in one statement (atomic on its own), without waiting for anyone.
      const queued = await startQueued(session);
      if (queued !== null) return queued;

      return this.inTransaction(session, async (): Promise<ClaimResult> => {
        // Creating a trial: take this sweep's proposer lock, then look again — a trial may have been
        // enqueued or reclaimed while we waited, and queued work goes before new proposals.
        const sweepRow = await this.requireSweep(session, sweepId, true);
        const sweep = toSweepRecord(sweepRow);
        const queuedAfterWait = await startQueued(session);
        if (queuedAfterWait !== null) return queuedAfterWait;

        // Under the proposer lock no trial can be created, so the history read here (incremental, history.ts)
        // is complete: it gives the count and the next number too. A count(*) grew with the sweep (3 ms at
        // 3,000 trials, on every claim).
        const { trials, intermediates } = await this.history.read(session, sweepRow, opts.metricName);
        if (opts.maxTrials !== undefined && trials.length >= opts.maxTrials) return { stop: true, reason: "run_cap" };
        const nextNumber = (trials[trials.length - 1]?.number ?? -1) + 1;
        const proposal = checkProposal(opts.propose({ sweep, trials, intermediates, nextNumber }));
        if ("stop" in proposal) return { stop: true, reason: proposal.reason };

        const now = this.now();
        const row = (await first<TrialRow>(session, "insertTrial", [
          sweepId,
          nextNumber,
          "running",
          encodeJsonObject(proposal.params, `params of new trial ${nextNumber}`),
          encodeJsonObject(proposal.meta ?? {}, `meta of new trial ${nextNumber}`),
          opts.worker,
          now,
          now,
        ]))!;
        return { trial: toTrialRecord(row), fresh: true };
      });
    });
  }

  async enqueueTrial(sweepId: string, params: FlatParams, meta: Record<string, unknown> = {}): Promise<TrialRecord> {
    assertWritable(this, "enqueue a trial");
    const paramsJson = encodeJsonObject(params, "params of enqueued trial");
    const metaJson = encodeJsonObject(meta, "meta of enqueued trial");
    // The stored config never changes after creation, so checking outside the write transaction is safe.
    const sweepRecord = await this.getSweep(sweepId);
    if (sweepRecord !== null) assertEnqueueParams(sweepId, sweepRecord.config, params, meta);
    const row = await this.transaction(async (session) => {
      await this.requireSweep(session, sweepId, true); // numbers are assigned under the proposer lock
      const { max_number } = (await first<{ max_number: number }>(session, "trialCounts", [sweepId]))!;
      const values = [sweepId, max_number + 1, "queued", paramsJson, metaJson, null, this.now(), null];
      return (await first<TrialRow>(session, "insertTrial", values))!;
    });
    return toTrialRecord(row);
  }

  async getTrial(id: number): Promise<TrialRecord | null> {
    // Not an id a trial can have (SQLite simply finds nothing; PostgreSQL would refuse the parameter).
    if (!Number.isSafeInteger(id)) return null;
    const row = await this.withSession((session) => first<TrialRow>(session, "getTrial", [id]));
    return row === undefined ? null : toTrialRecord(row);
  }

  async listTrials(sweepId: string, opts?: { readonly status?: readonly TrialStatus[] }): Promise<TrialRecord[]> {
    const statuses = opts?.status;
    if (statuses !== undefined) assertTrialStatuses(statuses);
    const rows = await this.withSession((session) =>
      statuses === undefined
        ? run<TrialRow>(session, "listTrials", [sweepId])
        : run<TrialRow>(session, "listTrialsWithStatus", [sweepId, statuses]),
    );
    return rows.map(toTrialRecord);
  }

  /** Set the named fields; `meta` is merged key by key into the stored meta (so sampler bookkeeping stays). */
  async updateTrial(id: number, patch: TrialPatch): Promise<TrialRecord> {
    assertWritable(this, "update a trial");
    assertTrialId(id);
    assertPatch(patch);
    const set = (key: keyof TrialPatch) => patch[key] !== undefined;
    const row = await this.transaction(async (session) => {
      // Locked only to merge meta or params safely.
      const current = await this.requireTrial(session, id, set("meta") || set("params"));
      let metaJson: string | null = null;
      if (patch.meta !== undefined) {
        const merged = { ...(decodeJson(current.meta_json) as Record<string, unknown>), ...patch.meta };
        metaJson = encodeJsonObject(merged, `meta of trial ${id}`);
      }
      let paramsJson: string | null = null;
      if (patch.params !== undefined) {
        const merged = { ...(decodeJson(current.params_json) as Record<string, unknown>), ...patch.params };
        paramsJson = encodeJsonObject(merged, `params of trial ${id}`);
      }
      return (await first<TrialRow>(session, "updateTrial", [
        id,
        set("worker"),
        patch.worker ?? null,
        set("gpus"),
        patch.gpus ?? null,
        set("pid"),
        patch.pid ?? null,
        set("pidStartTime"),
        patch.pidStartTime ?? null,
        set("logPath"),
        patch.logPath ?? null,
        set("heartbeatAt"),
        patch.heartbeatAt ?? null,
        set("meta"),
        metaJson,
        set("params"),
        paramsJson,
      ]))!;
    });
    return toTrialRecord(row);
  }

  async finishTrial(id: number, outcome: TrialOutcome): Promise<TrialRecord | null> {
    assertWritable(this, "finish a trial");
    assertTrialId(id);
    assertOutcome(outcome);
    const row = await this.withSession(async (session) => {
      const finished = await first<TrialRow>(session, "finishTrial", [
        id,
        outcome.status,
        outcome.value ?? null,
        outcome.exitCode ?? null,
        outcome.signal ?? null,
        outcome.error ?? null,
        outcome.pruneStep ?? null,
        outcome.pruneReason ?? null,
        this.now(),
        outcome.attempt ?? null,
      ]);
      // Unknown id is an error; not running (or another attempt) is a null.
      if (finished === undefined) await this.requireTrial(session, id);
      return finished ?? null;
    });
    return row === null ? null : toTrialRecord(row);
  }

  async requeueTrial(id: number): Promise<TrialRecord> {
    assertWritable(this, "re-queue a trial");
    assertTrialId(id);
    const row = await this.withSession(async (session) => {
      const requeued = await first<TrialRow>(session, "requeueTrial", [id]);
      if (requeued !== undefined) return requeued;
      const current = await this.requireTrial(session, id);
      throw new StorageError(
        `trial ${current.number} of sweep '${current.sweep_id}' is ${current.status}; only ` +
          `${REQUEUEABLE_STATUSES.join(", ")} trials can be re-queued`,
      );
    });
    return toTrialRecord(row);
  }

  async reclaimStaleTrials(sweepId: string, staleBefore: string): Promise<TrialRecord[]> {
    assertWritable(this, "reclaim stale trials");
    assertIsoTime(staleBefore, "staleBefore");
    const rows = await this.transaction(async (session) => {
      await this.requireSweep(session, sweepId);
      const reclaimed = await run<ReclaimedRow>(session, "reclaimStale", [sweepId, staleBefore]);
      reclaimed.sort((a, b) => a.number - b.number);
      for (const row of reclaimed) {
        const data = reclaimEventData(row.old_worker, row.old_attempt, row.last_seen_at, staleBefore);
        const dataJson = encodeJson(data, `data of '${TRIAL_RECLAIMED_EVENT}' event`);
        await run(session, "insertEvent", [sweepId, row.id, TRIAL_RECLAIMED_EVENT, dataJson, this.now()]);
      }
      return reclaimed;
    });
    return rows.map(toTrialRecord); // the extra old_* columns are not copied
  }

  // ---- intermediate values ----

  async addIntermediate(
    trialId: number,
    step: number,
    metrics: Readonly<Record<string, number>>,
    reportedAttempt?: number,
  ): Promise<void> {
    assertWritable(this, "store intermediate values");
    assertTrialId(trialId);
    assertStep(step);
    assertMetrics(metrics);
    assertOptionalAttempt(reportedAttempt);
    const names = Object.keys(metrics);
    const values = Object.values(metrics);
    await this.withSession(async (session) => {
      const written = await session.query(
        "upsertIntermediates",
        SQL.upsertIntermediates,
        [trialId, step, names, values, this.now(), reportedAttempt ?? null],
      );
      // Nothing written: an empty step or a stale attempt is fine, an unknown trial is an error.
      if (written.length === 0) await this.requireTrial(session, trialId);
    });
  }

  async readHistory(sweepId: string, metricName?: string): Promise<SweepHistory> {
    // Only the rows that changed since the last read (history.ts): pruning asks after every report.
    return this.withSession(async (session) => {
      return this.history.read(session, await this.requireSweep(session, sweepId), metricName);
    });
  }

  async listIntermediates(query: IntermediateQuery): Promise<IntermediateRecord[]> {
    const { sweepId = null, trialId, name = null } = query;
    if (trialId !== undefined && !Number.isSafeInteger(trialId)) return [];
    const rows = await this.withSession((session) => {
      if (trialId !== undefined) return run<IntermediateRow>(session, "listIntermediatesOfTrial", [trialId, sweepId, name]);
      if (sweepId !== null) return run<IntermediateRow>(session, "listIntermediatesOfSweep", [sweepId, name]);
      return run<IntermediateRow>(session, "listAllIntermediates", [name]);
    });
    return rows.map(toIntermediateRecord);
  }

  // ---- events ----

  async addEvent(sweepId: string, kind: string, data?: unknown, trialId: number | null = null): Promise<void> {
    assertWritable(this, "add an event");
    if (typeof kind !== "string" || kind === "") {
      throw new StorageError(`event kind must be a non-empty string, got ${JSON.stringify(kind)}`);
    }
    if (trialId !== null) assertTrialId(trialId);
    const dataJson = encodeJson(data, `data of '${kind}' event`);
    await this.withSession(async (session) => {
      await this.requireSweep(session, sweepId);
      if (trialId !== null && (await this.requireTrial(session, trialId)).sweep_id !== sweepId) {
        throw new StorageError(`trial with id ${trialId} does not belong to sweep '${sweepId}'`);
      }
      await run(session, "insertEvent", [sweepId, trialId, kind, dataJson, this.now()]);
    });
  }

  async listEvents(sweepId: string): Promise<EventRecord[]> {
    return (await this.withSession((session) => run<EventRow>(session, "listEvents", [sweepId]))).map(toEventRecord);
  }

  /** Close every pooled connection (idempotent); calls made afterwards fail. */
  async close(): Promise<void> {
    const pool = this.pool;
    if (pool === null) return;
    this.pool = null;
    await pool.end();
  }
}
