/**
 * The PostgreSQL schema: the same four tables as the SQLite one (src/storage/sqlite/schema.ts), as an ordered
 * list of migrations, plus a `sweep_schema_version` table that records which ones were applied.
 *
 * Several agents often start at the same moment against a brand-new database. Each one migrates inside one
 * transaction that first takes a transaction-level advisory lock, so exactly one of them creates the tables
 * and the others wait, then find nothing to do. PostgreSQL DDL is transactional: a failure leaves the old
 * version intact.
 *
 * Versions count on their own: PostgreSQL version 1 holds the tables of SQLite version 1. SQLite's version 2
 * (revision stamps kept by triggers, for its history cache) has a different counterpart here, version 3:
 * stamping every write with a revision kept on the sweep row would make each reported metric wait for any
 * proposer holding that row's lock, so each changed row is stamped with the id of the transaction that wrote
 * it instead (txid_current(), epoch-extended, never wraps), which takes no lock at all. A reader that last read
 * at watermark W (the oldest transaction still running when that read began) asks for rows stamped >= W:
 * a transaction below W had ended before that read, so its rows were seen then; one at or above W may have
 * committed since, and is read again. A row can come twice, never not at all (src/storage/history-cache.ts).
 *
 * Differences from SQLite, each on purpose:
 * - numbers are DOUBLE PRECISION, which holds NaN and ±Infinity natively (no 'NaN' text needed);
 * - JSON stays TEXT written by src/storage/json.ts (jsonb would reorder keys and cannot hold NaN);
 * - times stay ISO-8601 TEXT, and they and metric names use the "C" collation, so comparisons and ORDER BY
 *   are byte order like SQLite's whatever locale the database was created with;
 * - `sweeps.seq` stands in for SQLite's implicit rowid: the creation order `listSweeps` returns.
 *
 * Rules for adding a migration: append, never edit a released one; it must run inside a transaction (no
 * CREATE INDEX CONCURRENTLY); a change to what the tables mean needs the same change in the SQLite schema.
 */
import type pg from "pg";
import { StorageError, newerSchemaError } from "../errors.js";

export interface PostgresMigration {
  /** What the migration does, recorded beside its version number. */
  readonly description: string;
  readonly sql: string;
}

const VERSION_1 = `
CREATE TABLE sweeps (
  id           TEXT PRIMARY KEY,
  name         TEXT,
  config_raw   TEXT NOT NULL,
  config_json  TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('running', 'paused', 'finished', 'stopped', 'failed')),
  created_at   TEXT COLLATE "C" NOT NULL,
  updated_at   TEXT COLLATE "C" NOT NULL,
  seq          BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
);

CREATE TABLE trials (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sweep_id       TEXT NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  number         INTEGER NOT NULL CHECK (number >= 0),
  status         TEXT NOT NULL
                   CHECK (status IN ('queued', 'running', 'completed', 'pruned', 'failed', 'interrupted')),
  params_json    TEXT NOT NULL,
  meta_json      TEXT NOT NULL,
  value          DOUBLE PRECISION,
  attempt        INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  worker         TEXT,
  gpus           TEXT,
  pid            BIGINT,
  pid_start_time TEXT,
  log_path       TEXT,
  exit_code      BIGINT,
  signal         TEXT,
  error          TEXT,
  prune_step     BIGINT,
  prune_reason   TEXT,
  created_at     TEXT COLLATE "C" NOT NULL,
  started_at     TEXT COLLATE "C",
  finished_at    TEXT COLLATE "C",
  heartbeat_at   TEXT COLLATE "C",
  UNIQUE (sweep_id, number)
);
CREATE INDEX trials_by_sweep_status ON trials (sweep_id, status);

CREATE TABLE intermediate_values (
  trial_id   BIGINT NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
  attempt    INTEGER NOT NULL,
  step       BIGINT NOT NULL CHECK (step >= 0),
  name       TEXT COLLATE "C" NOT NULL,
  value      DOUBLE PRECISION NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (trial_id, attempt, step, name)
);

CREATE TABLE events (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sweep_id   TEXT NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  trial_id   BIGINT REFERENCES trials (id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,
  data_json  TEXT,
  created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX events_by_sweep ON events (sweep_id, id);
CREATE INDEX events_by_trial ON events (trial_id) WHERE trial_id IS NOT NULL;
`;

// The partial index finds the oldest queued trial (every claim asks, twice) without walking the sweep's trials in
// number order: with (sweep_id, number) alone that took 1 ms at 8,000 trials and grew with them.
// txid_current() and EXECUTE PROCEDURE rather than pg_current_xact_id() and EXECUTE FUNCTION: PostgreSQL 10
// has only these (docs/multi-host.md promises 10 or newer). Rows written before the migration keep a NULL
// stamp: the first read of a sweep reads every row, and no later write leaves a row unstamped.
const VERSION_3 = `
ALTER TABLE trials ADD COLUMN txid BIGINT;
ALTER TABLE intermediate_values ADD COLUMN txid BIGINT;
CREATE FUNCTION sweep_stamp_txid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.txid := txid_current();
  RETURN NEW;
END
$$;
CREATE TRIGGER trials_stamp_txid BEFORE INSERT OR UPDATE ON trials
  FOR EACH ROW EXECUTE PROCEDURE sweep_stamp_txid();
CREATE TRIGGER intermediate_values_stamp_txid BEFORE INSERT OR UPDATE ON intermediate_values
  FOR EACH ROW EXECUTE PROCEDURE sweep_stamp_txid();
CREATE INDEX trials_by_sweep_txid ON trials (sweep_id, txid);
CREATE INDEX intermediate_values_by_name_txid ON intermediate_values (name, txid);
CREATE INDEX trials_queued_by_number ON trials (sweep_id, number) WHERE status = 'queued';
`;

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  { description: "sweeps, trials, intermediate_values and events tables", sql: VERSION_1 },
  {
    description: "user attributes of sweeps (sweeps.user_attrs_json)",
    sql: "ALTER TABLE sweeps ADD COLUMN user_attrs_json TEXT NOT NULL DEFAULT '{}'",
  },
  { description: "writing-transaction stamps on trials and intermediate values, for incremental reads; queued-trial index", sql: VERSION_3 },
];

/** The schema version this code writes and understands (numbered independently of SQLite's). */
export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;

/** The table that records applied migrations, one row per version. */
export const VERSION_TABLE = "sweep_schema_version";

/**
 * Key of the advisory lock that serialises migrations: any fixed 64-bit number no other application is
 * likely to use ("sweep" in ASCII, then a 1). Advisory locks are per database, so schemas share it — two
 * schemas migrating at once merely take turns.
 */
export const MIGRATION_LOCK_KEY = "32500899698966529"; // 0x73776565700001: "sweep" then 0x0001

const SWEEP_TABLES = ["sweeps", "trials", "intermediate_values", "events"];

/** Our tables that exist in the schema new tables go to (the first one on the search_path). */
async function existingTables(client: pg.PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_name = ANY($1::text[])
     ORDER BY table_name`,
    [[...SWEEP_TABLES, VERSION_TABLE]],
  );
  return rows.map((r) => r.table_name);
}

function notOursError(location: string, tables: readonly string[]): StorageError {
  return new StorageError(
    `${location} already has tables ${tables.join(", ")} but no ${VERSION_TABLE} table, so they were not ` +
      "made by sweep; use another database or schema",
  );
}

async function recordedVersion(client: pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${VERSION_TABLE}`);
  return rows[0]?.version ?? 0;
}

/**
 * For a read-only open: check, without creating, migrating or locking anything, that the schema holds sweep
 * tables of exactly POSTGRES_SCHEMA_VERSION. Refuses an empty schema (a read-only command creates nothing),
 * tables that are not ours, a newer version, and an older one (a reader does not migrate). Returns the version.
 */
export async function checkPostgresSchema(client: pg.PoolClient, location: string): Promise<number> {
  const tables = await existingTables(client);
  if (!tables.includes(VERSION_TABLE)) {
    if (tables.length > 0) throw notOursError(location, tables);
    throw new StorageError(
      `${location} has no sweep tables yet: nothing was ever stored there, and a read-only command creates ` +
        "nothing; check the URL and search_path, or run `sweep run` against it first",
    );
  }
  const found = await recordedVersion(client);
  if (found > POSTGRES_SCHEMA_VERSION) throw newerSchemaError(location, found, POSTGRES_SCHEMA_VERSION);
  if (found < POSTGRES_SCHEMA_VERSION) {
    throw new StorageError(
      `${location} has schema version ${found}, older than this version of sweep's ${POSTGRES_SCHEMA_VERSION}, and ` +
        "a read-only command does not upgrade it: run a write command (`sweep resume`, `sweep agent`) against it " +
        "once, then read it again",
    );
  }
  return found;
}

/**
 * Bring the database to POSTGRES_SCHEMA_VERSION in one transaction on `client`. Refuses a database written by
 * a newer version of this code, and a schema that has tables named like ours but no version table (not
 * ours: we would not know what they mean). Other tables in the database are fine — PostgreSQL databases are
 * often shared. Returns the version found before.
 */
export async function migratePostgres(client: pg.PoolClient, location: string): Promise<number> {
  await client.query("BEGIN");
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    const tables = await existingTables(client);
    let found = 0;
    if (tables.includes(VERSION_TABLE)) {
      found = await recordedVersion(client);
    } else if (tables.length > 0) {
      throw notOursError(location, tables);
    } else {
      await client.query(
        `CREATE TABLE ${VERSION_TABLE} (
           version     INTEGER PRIMARY KEY,
           description TEXT NOT NULL,
           applied_at  TEXT NOT NULL
         )`,
      );
    }
    if (found > POSTGRES_SCHEMA_VERSION) throw newerSchemaError(location, found, POSTGRES_SCHEMA_VERSION);
    for (let version = found + 1; version <= POSTGRES_SCHEMA_VERSION; version++) {
      const migration = POSTGRES_MIGRATIONS[version - 1]!;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${VERSION_TABLE} (version, description, applied_at) VALUES ($1, $2, $3)`, [
        version,
        migration.description,
        new Date().toISOString(),
      ]);
    }
    await client.query("COMMIT");
    return found;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined); // the connection may be gone; the error below says why
    throw err;
  }
}
