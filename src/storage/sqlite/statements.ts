/**
 * Every SQL statement SqliteStorage runs, prepared once per connection: preparing costs far more than
 * running a small statement, and claimTrial runs several per call.
 */
import type Database from "better-sqlite3";
import type { EventRow, IntermediateRow, SweepRow, TrialRow } from "./rows.js";

/** Columns cleared whenever a trial (re)starts or goes back to the queue: they describe one run. */
const CLEAR_RUN_FIELDS = `
  pid = NULL, pid_start_time = NULL, gpus = NULL, log_path = NULL, exit_code = NULL, signal = NULL,
  error = NULL, value = NULL, prune_step = NULL, prune_reason = NULL, finished_at = NULL`;

export interface InsertSweepParams {
  id: string;
  name: string | null;
  config_raw: string;
  config_json: string;
  status: string;
  now: string;
}

export interface InsertTrialParams {
  sweep_id: string;
  number: number;
  status: string;
  params_json: string;
  meta_json: string;
  worker: string | null;
  created_at: string;
  started_at: string | null;
}

/** `set_x` is 1 when the patch names x (even as null), 0 to keep the stored value. */
export interface UpdateTrialParams {
  id: number;
  set_worker: number;
  worker: string | null;
  set_gpus: number;
  gpus: string | null;
  set_pid: number;
  pid: number | null;
  set_pid_start_time: number;
  pid_start_time: string | null;
  set_log_path: number;
  log_path: string | null;
  set_heartbeat_at: number;
  heartbeat_at: string | null;
  set_meta: number;
  meta_json: string | null;
  set_params: number;
  params_json: string | null;
}

export interface FinishTrialParams {
  id: number;
  status: string;
  value: number | string | null;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  prune_step: number | null;
  prune_reason: string | null;
  now: string;
  /** Only finish if the trial is on this attempt; null for any attempt. */
  attempt: number | null;
}

export interface IntermediateFilter {
  sweep_id: string | null;
  trial_id: number | null;
  name: string | null;
}

type Stmt<P extends unknown[] | {}, R = unknown> = Database.Statement<P, R>;

export interface Statements {
  readonly insertSweep: Stmt<InsertSweepParams>;
  readonly getSweep: Stmt<[string], SweepRow>;
  readonly listSweeps: Stmt<[], SweepRow>;
  readonly setSweepStatus: Stmt<[string, string, string]>;
  readonly setSweepUserAttrs: Stmt<[string, string, string]>;
  readonly deleteSweep: Stmt<[string]>;
  readonly setSweepConfig: Stmt<{ id: string; config_json: string; status: string; now: string }>;
  readonly getTrial: Stmt<[number], TrialRow>;
  readonly listTrials: Stmt<[string], TrialRow>;
  readonly listTrialsWithStatus: Stmt<[string, string], TrialRow>;
  readonly oldestQueuedTrialId: Stmt<[string], number>;
  readonly maxTrialNumber: Stmt<[string], number>;
  readonly trialCounts: Stmt<[string], { count: number; max_number: number }>;
  readonly insertTrial: Stmt<InsertTrialParams, TrialRow>;
  readonly startQueuedTrial: Stmt<{ id: number; worker: string; now: string }, TrialRow>;
  readonly updateTrial: Stmt<UpdateTrialParams, TrialRow>;
  readonly finishTrial: Stmt<FinishTrialParams, TrialRow>;
  readonly requeueTrial: Stmt<[number], TrialRow>;
  readonly staleRunningTrials: Stmt<[string, string], TrialRow>;
  readonly upsertIntermediate: Stmt<[number, number, number, string, number | string, string]>;
  readonly listIntermediatesOfTrial: Stmt<IntermediateFilter, IntermediateRow>;
  readonly listIntermediatesOfSweep: Stmt<IntermediateFilter, IntermediateRow>;
  readonly listAllIntermediates: Stmt<IntermediateFilter, IntermediateRow>;
  readonly insertEvent: Stmt<[string, number | null, string, string | null, string]>;
  readonly listEvents: Stmt<[string], EventRow>;
}

export function prepareStatements(db: Database.Database): Statements {
  return {
    insertSweep: db.prepare<InsertSweepParams>(`
      INSERT INTO sweeps (id, name, config_raw, config_json, status, created_at, updated_at)
      VALUES (@id, @name, @config_raw, @config_json, @status, @now, @now)
      ON CONFLICT (id) DO NOTHING`),
    getSweep: db.prepare<[string], SweepRow>("SELECT * FROM sweeps WHERE id = ?"),
    /** Creation order: the implicit rowid grows with each insert (a removed sweep's rowid is not reused first). */
    listSweeps: db.prepare<[], SweepRow>("SELECT * FROM sweeps ORDER BY rowid"),
    setSweepUserAttrs: db.prepare<[string, string, string]>("UPDATE sweeps SET user_attrs_json = ?, updated_at = ? WHERE id = ?"),
    setSweepStatus: db.prepare<[string, string, string]>(
      "UPDATE sweeps SET status = ?, updated_at = ? WHERE id = ?",
    ),
    /** Trials, their values and the events go with it (ON DELETE CASCADE, foreign_keys on). */
    deleteSweep: db.prepare<[string]>("DELETE FROM sweeps WHERE id = ?"),
    setSweepConfig: db.prepare<{ id: string; config_json: string; status: string; now: string }>(
      "UPDATE sweeps SET config_json = @config_json, status = @status, updated_at = @now WHERE id = @id",
    ),

    getTrial: db.prepare<[number], TrialRow>("SELECT * FROM trials WHERE id = ?"),
    listTrials: db.prepare<[string], TrialRow>("SELECT * FROM trials WHERE sweep_id = ? ORDER BY number"),
    /** Statuses passed as a JSON array so one prepared statement serves any filter. */
    listTrialsWithStatus: db.prepare<[string, string], TrialRow>(`
      SELECT * FROM trials
      WHERE sweep_id = ? AND status IN (SELECT value FROM json_each(?))
      ORDER BY number`),
    oldestQueuedTrialId: db
      .prepare<[string], number>(
        // INDEXED BY: left to itself SQLite walks the (sweep_id, number) index for the ORDER BY and checks every
        // trial's status, O(trials) on every claim (0.9 ms at 8,000 trials); queued trials are few to sort.
        "SELECT id FROM trials INDEXED BY trials_by_sweep_status WHERE sweep_id = ? AND status = 'queued' ORDER BY number LIMIT 1",
      )
      .pluck(),
    // The largest number alone is one index probe; the count walks the sweep's index range, so a claim asks
    // for it only under a run_cap.
    maxTrialNumber: db
      .prepare<[string], number>("SELECT coalesce(max(number), -1) FROM trials WHERE sweep_id = ?")
      .pluck(),
    trialCounts: db.prepare<[string], { count: number; max_number: number }>(
      "SELECT count(*) AS count, coalesce(max(number), -1) AS max_number FROM trials WHERE sweep_id = ?",
    ),
    insertTrial: db.prepare<InsertTrialParams, TrialRow>(`
      INSERT INTO trials (sweep_id, number, status, params_json, meta_json, attempt, worker,
                          created_at, started_at, heartbeat_at)
      VALUES (@sweep_id, @number, @status, @params_json, @meta_json, 1, @worker,
              @created_at, @started_at, @started_at)
      RETURNING *`),
    startQueuedTrial: db.prepare<{ id: number; worker: string; now: string }, TrialRow>(`
      UPDATE trials SET status = 'running', worker = @worker, started_at = @now, heartbeat_at = @now,
                        ${CLEAR_RUN_FIELDS}
      WHERE id = @id AND status = 'queued'
      RETURNING *`),
    updateTrial: db.prepare<UpdateTrialParams, TrialRow>(`
      UPDATE trials SET
        worker         = CASE WHEN @set_worker THEN @worker ELSE worker END,
        gpus           = CASE WHEN @set_gpus THEN @gpus ELSE gpus END,
        pid            = CASE WHEN @set_pid THEN @pid ELSE pid END,
        pid_start_time = CASE WHEN @set_pid_start_time THEN @pid_start_time ELSE pid_start_time END,
        log_path       = CASE WHEN @set_log_path THEN @log_path ELSE log_path END,
        heartbeat_at   = CASE WHEN @set_heartbeat_at THEN @heartbeat_at ELSE heartbeat_at END,
        meta_json      = CASE WHEN @set_meta THEN @meta_json ELSE meta_json END,
        params_json    = CASE WHEN @set_params THEN @params_json ELSE params_json END
      WHERE id = @id
      RETURNING *`),
    finishTrial: db.prepare<FinishTrialParams, TrialRow>(`
      UPDATE trials SET status = @status, value = @value, exit_code = @exit_code, signal = @signal,
                        error = @error, prune_step = @prune_step, prune_reason = @prune_reason,
                        finished_at = @now
      WHERE id = @id AND status = 'running' AND (@attempt IS NULL OR attempt = @attempt)
      RETURNING *`),
    requeueTrial: db.prepare<[number], TrialRow>(`
      UPDATE trials SET status = 'queued', attempt = attempt + 1, worker = NULL, started_at = NULL,
                        heartbeat_at = NULL, ${CLEAR_RUN_FIELDS}
      WHERE id = ? AND status IN ('interrupted', 'failed', 'running')
      RETURNING *`),
    /** Running trials last seen (heartbeat, else start) before the cut-off; ISO texts compare as times. */
    staleRunningTrials: db.prepare<[string, string], TrialRow>(`
      SELECT * FROM trials
      WHERE sweep_id = ? AND status = 'running' AND coalesce(heartbeat_at, started_at, created_at) < ?
      ORDER BY number`),

    /** A step reported again (e.g. a trainer that logs the same step twice) overwrites the earlier value. */
    upsertIntermediate: db.prepare<[number, number, number, string, number | string, string]>(`
      INSERT INTO intermediate_values (trial_id, attempt, step, name, value, created_at)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (trial_id, attempt, step, name) DO UPDATE SET value = excluded.value,
                                                               created_at = excluded.created_at`),
    // Three shapes of the same query so each can use its index: by trial (primary key prefix), by sweep
    // (trials index, then primary key), or everything. Only rows of the trial's current attempt are returned.
    listIntermediatesOfTrial: db.prepare<IntermediateFilter, IntermediateRow>(`
      SELECT iv.* FROM intermediate_values iv JOIN trials t ON t.id = iv.trial_id AND iv.attempt = t.attempt
      WHERE iv.trial_id = @trial_id AND (@sweep_id IS NULL OR t.sweep_id = @sweep_id)
        AND (@name IS NULL OR iv.name = @name)
      ORDER BY iv.step, iv.name`),
    listIntermediatesOfSweep: db.prepare<IntermediateFilter, IntermediateRow>(`
      SELECT iv.* FROM trials t JOIN intermediate_values iv ON iv.trial_id = t.id AND iv.attempt = t.attempt
      WHERE t.sweep_id = @sweep_id AND (@name IS NULL OR iv.name = @name)
      ORDER BY iv.trial_id, iv.step, iv.name`),
    listAllIntermediates: db.prepare<IntermediateFilter, IntermediateRow>(`
      SELECT iv.* FROM intermediate_values iv JOIN trials t ON t.id = iv.trial_id AND iv.attempt = t.attempt
      WHERE (@name IS NULL OR iv.name = @name)
      ORDER BY iv.trial_id, iv.step, iv.name`),

    insertEvent: db.prepare<[string, number | null, string, string | null, string]>(
      "INSERT INTO events (sweep_id, trial_id, kind, data_json, created_at) VALUES (?, ?, ?, ?, ?)",
    ),
    listEvents: db.prepare<[string], EventRow>("SELECT * FROM events WHERE sweep_id = ? ORDER BY id"),
  };
}
