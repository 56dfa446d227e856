/**
 * The SQLite schema as an ordered list of migrations. The version lives in the file header
 * (`PRAGMA user_version`): 0 for a new file, N after migration N. Opening a database applies every missing
 * migration in one IMMEDIATE transaction, so a crash mid-migration leaves the old version intact, and two
 * processes opening the same new file at once migrate it exactly once (the second waits for the write lock,
 * then re-reads the version and finds nothing to do).
 *
 * Rules for adding a migration: append, never edit a released one; it must run inside a transaction (no
 * VACUUM, no journal_mode changes); rebuild a table (create new, copy, drop, rename) when SQLite's ALTER
 * TABLE cannot express the change.
 */
import Database from "better-sqlite3";
import { StorageError, newerSchemaError } from "../errors.js";

export interface Migration {
  /** What the migration does, for `docs/storage.md` and error messages. */
  readonly description: string;
  readonly up: (db: Database.Database) => void;
}

/*
 * Real values (trials.value, intermediate_values.value) hold finite numbers and ±Infinity as REAL. NaN, which
 * SQLite would turn into NULL, is stored as the TEXT 'NaN' — the CHECK constraints admit nothing else.
 */
const VERSION_1 = `
CREATE TABLE sweeps (
  id           TEXT PRIMARY KEY,
  name         TEXT,
  config_raw   TEXT NOT NULL,
  config_json  TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('running', 'paused', 'finished', 'stopped', 'failed')),
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);

CREATE TABLE trials (
  id             INTEGER PRIMARY KEY,
  sweep_id       TEXT NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  number         INTEGER NOT NULL CHECK (number >= 0),
  status         TEXT NOT NULL
                   CHECK (status IN ('queued', 'running', 'completed', 'pruned', 'failed', 'interrupted')),
  params_json    TEXT NOT NULL,
  meta_json      TEXT NOT NULL,
  value          REAL CHECK (value IS NULL OR typeof(value) = 'real' OR value = 'NaN'),
  attempt        INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  worker         TEXT,
  gpus           TEXT,
  pid            INTEGER,
  pid_start_time TEXT,
  log_path       TEXT,
  exit_code      INTEGER,
  signal         TEXT,
  error          TEXT,
  prune_step     INTEGER,
  prune_reason   TEXT,
  created_at     TEXT NOT NULL,
  started_at     TEXT,
  finished_at    TEXT,
  heartbeat_at   TEXT,
  UNIQUE (sweep_id, number)
);
CREATE INDEX trials_by_sweep_status ON trials (sweep_id, status);

CREATE TABLE intermediate_values (
  trial_id   INTEGER NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
  attempt    INTEGER NOT NULL,
  step       INTEGER NOT NULL CHECK (step >= 0),
  name       TEXT NOT NULL,
  value      REAL NOT NULL CHECK (typeof(value) = 'real' OR value = 'NaN'),
  created_at TEXT NOT NULL,
  PRIMARY KEY (trial_id, attempt, step, name)
) WITHOUT ROWID;

CREATE TABLE events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  sweep_id   TEXT NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  trial_id   INTEGER REFERENCES trials (id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,
  data_json  TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX events_by_sweep ON events (sweep_id, id);
CREATE INDEX events_by_trial ON events (trial_id) WHERE trial_id IS NOT NULL;
`;

/*
 * Revisions: every change to a sweep's trials or intermediate values bumps the sweep's revision and stamps the
 * changed row with it, so a reader that has seen revision R can fetch exactly what changed since (rows with
 * revision > R) instead of re-reading and re-decoding the whole history on every claim. Triggers, not code,
 * so no write path (ours, a future one, or another process running an older build of this version) can
 * forget it. recursive_triggers is off (SQLite's default), so the stamping UPDATE does not fire the trigger
 * again; the WHEN clause makes that explicit.
 */
const VERSION_2 = `
ALTER TABLE sweeps ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trials ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE intermediate_values ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX trials_by_sweep_revision ON trials (sweep_id, revision);
CREATE INDEX intermediate_values_by_revision ON intermediate_values (revision);

CREATE TRIGGER trials_revision_on_insert AFTER INSERT ON trials
BEGIN
  UPDATE sweeps SET revision = revision + 1 WHERE id = NEW.sweep_id;
  UPDATE trials SET revision = (SELECT revision FROM sweeps WHERE id = NEW.sweep_id) WHERE id = NEW.id;
END;

CREATE TRIGGER trials_revision_on_update AFTER UPDATE ON trials WHEN NEW.revision = OLD.revision
BEGIN
  UPDATE sweeps SET revision = revision + 1 WHERE id = NEW.sweep_id;
  UPDATE trials SET revision = (SELECT revision FROM sweeps WHERE id = NEW.sweep_id) WHERE id = NEW.id;
END;

CREATE TRIGGER intermediate_values_revision_on_insert AFTER INSERT ON intermediate_values
BEGIN
  UPDATE sweeps SET revision = revision + 1 WHERE id = (SELECT sweep_id FROM trials WHERE id = NEW.trial_id);
  UPDATE intermediate_values
     SET revision = (SELECT s.revision FROM sweeps s JOIN trials t ON t.sweep_id = s.id WHERE t.id = NEW.trial_id)
   WHERE trial_id = NEW.trial_id AND attempt = NEW.attempt AND step = NEW.step AND name = NEW.name;
END;

-- A re-reported step is an upsert, which is an UPDATE.
CREATE TRIGGER intermediate_values_revision_on_update AFTER UPDATE ON intermediate_values
  WHEN NEW.revision = OLD.revision
BEGIN
  UPDATE sweeps SET revision = revision + 1 WHERE id = (SELECT sweep_id FROM trials WHERE id = NEW.trial_id);
  UPDATE intermediate_values
     SET revision = (SELECT s.revision FROM sweeps s JOIN trials t ON t.sweep_id = s.id WHERE t.id = NEW.trial_id)
   WHERE trial_id = NEW.trial_id AND attempt = NEW.attempt AND step = NEW.step AND name = NEW.name;
END;
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    description: "sweeps, trials, intermediate_values and events tables",
    up: (db) => db.exec(VERSION_1),
  },
  {
    description: "revision stamps on trials and intermediate values, for incremental reads",
    up: (db) => db.exec(VERSION_2),
  },
  {
    description: "user attributes of sweeps (sweeps.user_attrs_json)",
    up: (db) => db.exec("ALTER TABLE sweeps ADD COLUMN user_attrs_json TEXT NOT NULL DEFAULT '{}';"),
  },
];

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * PRAGMA application_id of a sweep storage: "SwPd" in ASCII. Written when a file is created or migrated;
 * files made before it existed keep 0 and are recognised by their tables. Any other non-zero id is another
 * application's file format (https://www.sqlite.org/fileformat2.html#application_id) and is refused unread.
 */
export const APPLICATION_ID = 0x53775064;

/** The refusal of a file whose application_id names another application's format. */
export function foreignApplicationError(location: string, applicationId: number): StorageError {
  return new StorageError(
    `${location} is an SQLite database of another application (application_id 0x${(applicationId >>> 0).toString(16)}), ` +
      "not a sweep storage; pass another path (it was left untouched)",
  );
}

function pragmaNumber(db: Database.Database, name: string): number {
  return db.pragma(name, { simple: true }) as number;
}

/** Tables a database has that SQLite did not create itself. */
function userTables(db: Database.Database): string[] {
  const query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
  return db.prepare(query).pluck().all() as string[];
}

/** Table -> column names, for every table of `db` that SQLite did not create itself. */
function columnsByTable(db: Database.Database): Map<string, Set<string>> {
  const rows = db
    .prepare(
      `SELECT m.name AS tbl, p.name AS col FROM sqlite_master m JOIN pragma_table_info(m.name) p
        WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`,
    )
    .all() as { tbl: string; col: string }[];
  const tables = new Map<string, Set<string>>();
  for (const { tbl, col } of rows) {
    let columns = tables.get(tbl);
    if (!columns) tables.set(tbl, (columns = new Set()));
    columns.add(col);
  }
  return tables;
}

const expectedColumns = new Map<number, Map<string, Set<string>>>();

/** The tables and columns a file of schema `version` has: the migrations applied to an empty in-memory database. */
function columnsOfVersion(version: number): Map<string, Set<string>> {
  let columns = expectedColumns.get(version);
  if (!columns) {
    const db = new Database(":memory:");
    try {
      for (let v = 1; v <= version; v++) MIGRATIONS[v - 1]!.up(db);
      columns = columnsByTable(db);
    } finally {
      db.close();
    }
    expectedColumns.set(version, columns);
  }
  return columns;
}

/** What `inspectSchema` found in a file it accepts. */
export interface SchemaState {
  /** PRAGMA user_version: 0 for a new, empty file; 1..SCHEMA_VERSION for a sweep storage. */
  readonly version: number;
  readonly applicationId: number;
}

/**
 * Check, without writing, that `db` is a sweep storage this code can use: empty (a new file), or of a known
 * schema version with every table and column that version has. Refuses another application's database, one
 * written by a newer sweep, and one whose tables were altered, naming `location` and what was found.
 */
export function inspectSchema(db: Database.Database, location: string): SchemaState {
  const version = pragmaNumber(db, "user_version");
  const applicationId = pragmaNumber(db, "application_id");
  if (applicationId !== 0 && applicationId !== APPLICATION_ID) throw foreignApplicationError(location, applicationId);
  if (version > SCHEMA_VERSION) {
    // Every sweep from schema 2 on stamps APPLICATION_ID when it migrates, so a newer sweep storage has it,
    // or at least a sweeps table; a user_version alone is what many applications set.
    const tables = userTables(db);
    if (applicationId === APPLICATION_ID || tables.includes("sweeps")) throw newerSchemaError(location, version, SCHEMA_VERSION);
    throw new StorageError(
      `${location} is an SQLite database but not a sweep storage (it has ${tables.length > 0 ? `tables ${tables.join(", ")}` : "no tables"}, ` +
        `user_version ${version} and no sweeps table); pass another path (it was left untouched)`,
    );
  }
  if (version === 0) {
    const tables = userTables(db);
    if (tables.length > 0) {
      throw new StorageError(
        `${location} is an SQLite database but not a sweep storage (it has tables ${tables.join(", ")} and no ` +
          "sweep schema version); pass another path (it was left untouched)",
      );
    }
    return { version, applicationId };
  }
  const found = columnsByTable(db);
  const problems: string[] = [];
  for (const [table, columns] of columnsOfVersion(version)) {
    const have = found.get(table);
    if (!have) {
      problems.push(`no table ${table}`);
      continue;
    }
    const missing = [...columns].filter((c) => !have.has(c));
    if (missing.length > 0) problems.push(`table ${table} lacks ${missing.join(", ")}`);
  }
  if (problems.length > 0) {
    const tables = [...found.keys()].sort();
    throw new StorageError(
      `${location} is not a sweep storage of schema version ${version}, although its user_version says so ` +
        `(${problems.slice(0, 3).join("; ")}${problems.length > 3 ? "; ..." : ""}; it has tables ` +
        `${tables.length > 0 ? tables.join(", ") : "none"}): it belongs to another application or was altered; ` +
        "pass another path (it was left untouched)",
    );
  }
  return { version, applicationId };
}

/**
 * Bring the database at `location` to SCHEMA_VERSION, re-checking it (inspectSchema) under the write lock so
 * nothing is written to a file that is not ours, and stamp APPLICATION_ID. Returns the version the file had
 * before.
 */
export function migrate(db: Database.Database, location: string): number {
  const run = db.transaction((): number => {
    const { version: found, applicationId } = inspectSchema(db, location);
    for (let version = found + 1; version <= SCHEMA_VERSION; version++) {
      MIGRATIONS[version - 1]!.up(db);
    }
    // PRAGMA cannot take a bound parameter; the values are our own integers.
    if (found !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    if (applicationId !== APPLICATION_ID) db.pragma(`application_id = ${APPLICATION_ID}`);
    return found;
  });
  return run.immediate();
}
