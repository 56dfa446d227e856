/**
 * The SQL PostgresStorage runs. Each constant is sent as a named (prepared) statement, parsed and planned
 * once per connection; the name is the constant's key in SQL below.
 *
 * Locking, in one place (docs/multi-host.md explains what it means for agents):
 * - Creating a trial (claim with a proposal, enqueue) first locks the sweep row FOR NO KEY UPDATE. That
 *   serialises everyone who assigns trial numbers or runs a proposer on this sweep, which is what makes
 *   numbering, grid order and `maxTrials` exact across hosts. NO KEY UPDATE rather than UPDATE: inserting an
 *   event or a trial takes a KEY SHARE lock on the sweep row through the foreign key, and those must not
 *   wait for a proposer.
 * - Taking a queued trial uses FOR NO KEY UPDATE SKIP LOCKED: agents never wait for each other there, and a
 *   row another agent is taking is simply skipped.
 * - Reclaiming selects stale trials FOR NO KEY UPDATE SKIP LOCKED too, so agents reclaiming at once split
 *   the stale trials between them instead of reclaiming one trial twice (or deadlocking).
 */

/** Columns cleared whenever a trial (re)starts or goes back to the queue: they describe one run. */
const CLEAR_RUN_FIELDS = `
  pid = NULL, pid_start_time = NULL, gpus = NULL, log_path = NULL, exit_code = NULL, signal = NULL,
  error = NULL, value = NULL, prune_step = NULL, prune_reason = NULL, finished_at = NULL`;

export const SQL = {
  insertSweep: `
    INSERT INTO sweeps (id, name, config_raw, config_json, status, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $6)
    ON CONFLICT (id) DO NOTHING
    RETURNING *`,
  getSweep: "SELECT * FROM sweeps WHERE id = $1",
  lockSweep: "SELECT * FROM sweeps WHERE id = $1 FOR NO KEY UPDATE",
  listSweeps: "SELECT * FROM sweeps ORDER BY seq",
  sweepsNamed: "SELECT * FROM sweeps WHERE name = $1 ORDER BY seq",
  /** createOrLoadNamedSweep's lock: one name at a time (hashtext: any 32-bit key; a rare collision only waits). */
  lockSweepName: "SELECT pg_advisory_xact_lock(hashtext('sweep name:' || $1))",
  setSweepStatus: "UPDATE sweeps SET status = $2, updated_at = $3 WHERE id = $1 RETURNING id",
  setSweepUserAttrs: "UPDATE sweeps SET user_attrs_json = $2, updated_at = $3 WHERE id = $1 RETURNING id",
  /** Trials, their values and the events go with it (ON DELETE CASCADE). */
  deleteSweep: "DELETE FROM sweeps WHERE id = $1 RETURNING id",
  setSweepConfig: "UPDATE sweeps SET config_json = $2, status = $3, updated_at = $4 WHERE id = $1 RETURNING *",

  getTrial: "SELECT * FROM trials WHERE id = $1",
  lockTrial: "SELECT * FROM trials WHERE id = $1 FOR NO KEY UPDATE",
  listTrials: "SELECT * FROM trials WHERE sweep_id = $1 ORDER BY number",
  listTrialsWithStatus: "SELECT * FROM trials WHERE sweep_id = $1 AND status = ANY($2::text[]) ORDER BY number",
  trialCounts: `
    SELECT count(*)::integer AS count, coalesce(max(number), -1) AS max_number FROM trials WHERE sweep_id = $1`,
  /** $1 sweep, $2 worker, $3 now. Takes the oldest queued trial nobody else is taking right now. */
  startOldestQueued: `
    UPDATE trials SET status = 'running', worker = $2, started_at = $3, heartbeat_at = $3, ${CLEAR_RUN_FIELDS}
    WHERE id = (
      SELECT id FROM trials WHERE sweep_id = $1 AND status = 'queued'
      ORDER BY number LIMIT 1
      FOR NO KEY UPDATE SKIP LOCKED
    ) AND status = 'queued'
    RETURNING *`,
  /** $1 sweep, $2 number, $3 status, $4 params, $5 meta, $6 worker, $7 created_at, $8 started_at. */
  insertTrial: `
    INSERT INTO trials (sweep_id, number, status, params_json, meta_json, attempt, worker,
                        created_at, started_at, heartbeat_at)
    VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $8)
    RETURNING *`,
  /** $1 id, then (set flag, value) pairs for worker, gpus, pid, pid_start_time, log_path, heartbeat_at, meta. */
  updateTrial: `
    UPDATE trials SET
      worker         = CASE WHEN $2::boolean THEN $3::text ELSE worker END,
      gpus           = CASE WHEN $4::boolean THEN $5::text ELSE gpus END,
      pid            = CASE WHEN $6::boolean THEN $7::bigint ELSE pid END,
      pid_start_time = CASE WHEN $8::boolean THEN $9::text ELSE pid_start_time END,
      log_path       = CASE WHEN $10::boolean THEN $11::text ELSE log_path END,
      heartbeat_at   = CASE WHEN $12::boolean THEN $13::text ELSE heartbeat_at END,
      meta_json      = CASE WHEN $14::boolean THEN $15::text ELSE meta_json END,
      params_json    = CASE WHEN $16::boolean THEN $17::text ELSE params_json END
    WHERE id = $1
    RETURNING *`,
  /** $1 id, $2 status, $3 value, $4 exit code, $5 signal, $6 error, $7 prune step, $8 reason, $9 now, $10 attempt. */
  finishTrial: `
    UPDATE trials SET status = $2, value = $3, exit_code = $4, signal = $5, error = $6,
                      prune_step = $7, prune_reason = $8, finished_at = $9
    WHERE id = $1 AND status = 'running' AND ($10::integer IS NULL OR attempt = $10::integer)
    RETURNING *`,
  requeueTrial: `
    UPDATE trials SET status = 'queued', attempt = attempt + 1, worker = NULL, started_at = NULL,
                      heartbeat_at = NULL, ${CLEAR_RUN_FIELDS}
    WHERE id = $1 AND status IN ('interrupted', 'failed', 'running')
    RETURNING *`,
  /**
   * $1 sweep, $2 cut-off. Re-queues the stale running trials and returns each new row together with what the
   * `trial_reclaimed` event needs from the old one (the CTE reads the rows before the update).
   */
  reclaimStale: `
    WITH stale AS (
      SELECT id, worker, attempt, coalesce(heartbeat_at, started_at, created_at) AS last_seen_at
      FROM trials
      WHERE sweep_id = $1 AND status = 'running' AND coalesce(heartbeat_at, started_at, created_at) < $2
      FOR NO KEY UPDATE SKIP LOCKED
    )
    UPDATE trials t SET status = 'queued', attempt = t.attempt + 1, worker = NULL, started_at = NULL,
                        heartbeat_at = NULL, ${CLEAR_RUN_FIELDS}
    FROM stale
    WHERE t.id = stale.id
    RETURNING t.*, stale.worker AS old_worker, stale.attempt AS old_attempt, stale.last_seen_at`,

  /**
   * $1 trial, $2 step, $3 names, $4 values, $5 now, $6 reported attempt (null: any). One statement writes the
   * whole step for the trial's current attempt, or nothing when the report is from another attempt; a step
   * reported again overwrites the earlier value.
   */
  upsertIntermediates: `
    INSERT INTO intermediate_values (trial_id, attempt, step, name, value, created_at)
    SELECT t.id, t.attempt, $2, m.name, m.value, $5
    FROM trials t, unnest($3::text[], $4::double precision[]) AS m (name, value)
    WHERE t.id = $1 AND ($6::integer IS NULL OR t.attempt = $6::integer)
    ON CONFLICT (trial_id, attempt, step, name) DO UPDATE SET value = excluded.value,
                                                             created_at = excluded.created_at
    RETURNING trial_id`,
  // Only rows of each trial's current attempt, in (trial, step, name) order, as SqliteStorage returns them.
  listIntermediatesOfTrial: `
    SELECT iv.* FROM intermediate_values iv JOIN trials t ON t.id = iv.trial_id AND iv.attempt = t.attempt
    WHERE iv.trial_id = $1 AND ($2::text IS NULL OR t.sweep_id = $2) AND ($3::text IS NULL OR iv.name = $3)
    ORDER BY iv.step, iv.name`,
  /**
   * The incremental history reads (history.ts, schema version 3). The watermark first, in its own statement:
   * every transaction with an id below the oldest one running now has ended, so what it wrote is visible to
   * the reads that follow.
   */
  historyWatermark: "SELECT txid_snapshot_xmin(txid_current_snapshot())::text AS mark",
  changedTrials: "SELECT * FROM trials WHERE sweep_id = $1 AND txid >= $2",
  /** Every attempt's rows (the cache picks the current attempt): a requeue must not hide a row it will need. */
  allIntermediatesOfSweep: `
    SELECT iv.* FROM trials t JOIN intermediate_values iv ON iv.trial_id = t.id
    WHERE t.sweep_id = $1 AND iv.name = $2`,
  changedIntermediatesOfSweep: `
    SELECT iv.* FROM intermediate_values iv JOIN trials t ON t.id = iv.trial_id
    WHERE t.sweep_id = $1 AND iv.name = $2 AND iv.txid >= $3`,
  listIntermediatesOfSweep: `
    SELECT iv.* FROM trials t JOIN intermediate_values iv ON iv.trial_id = t.id AND iv.attempt = t.attempt
    WHERE t.sweep_id = $1 AND ($2::text IS NULL OR iv.name = $2)
    ORDER BY iv.trial_id, iv.step, iv.name`,
  listAllIntermediates: `
    SELECT iv.* FROM intermediate_values iv JOIN trials t ON t.id = iv.trial_id AND iv.attempt = t.attempt
    WHERE ($1::text IS NULL OR iv.name = $1)
    ORDER BY iv.trial_id, iv.step, iv.name`,

  insertEvent: "INSERT INTO events (sweep_id, trial_id, kind, data_json, created_at) VALUES ($1, $2, $3, $4, $5)",
  listEvents: "SELECT * FROM events WHERE sweep_id = $1 ORDER BY id",
} as const;

export type StatementName = keyof typeof SQL;
