/**
 * Connections to the PostgreSQL server: a `pg.Pool` configured for many agents sharing one database, and a
 * thin query layer that turns driver errors into StorageErrors naming the (password-free) location.
 */
import pg from "pg";
import { StorageError } from "../errors.js";
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  type PostgresStorageOptions,
} from "./options.js";

function assertNonNegativeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new StorageError(`${what} ${String(value)} is not valid: expected an integer >= 0`);
  }
}

const INT8_OID = 20;

/**
 * BIGINT columns (ids, steps, pids) come back as JS numbers, as from SQLite. The driver's default is a
 * string because int8 can exceed 2^53; every value we store was checked to be a safe integer on the way in.
 * Set per pool, not globally, so an application using `pg` for other things keeps the driver's default.
 */
const typesWithNumericInt8: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary" ? (text: string) => Number(text) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

export function createPool(url: string, options: PostgresStorageOptions): pg.Pool {
  const max = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const idleTimeoutMs = options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new StorageError(`maxConnections ${String(max)} is not valid: expected an integer >= 1`);
  }
  assertNonNegativeInteger(connectTimeoutMs, "connectTimeoutMs");
  assertNonNegativeInteger(idleTimeoutMs, "idleInTransactionTimeoutMs");
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    // Idle connections are closed after a while so a quiet agent does not hold server slots.
    idleTimeoutMillis: 30_000,
    // TCP keep-alive notices a dead network path to the server instead of waiting on it forever.
    keepAlive: true,
    types: typesWithNumericInt8,
    fallback_application_name: "sweep",
    ...(idleTimeoutMs > 0 ? { idle_in_transaction_session_timeout: idleTimeoutMs } : {}),
  });
  // An idle pooled connection that the server drops (restart, timeout) is reported here; without a listener
  // Node would crash the agent. The pool discards that connection and the next query opens a fresh one.
  pool.on("error", () => undefined);
  if (options.readOnly === true) {
    // A read-only storage's sessions cannot write even if a code path forgot to ask (SQLSTATE 25006). A
    // statement per new connection, not the `options` startup parameter, which a URL's ?options= overrides.
    // The driver runs it before anything else queued on that connection (assertWritable refuses writes anyway).
    pool.on("connect", (client) => {
      client.query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY").catch(() => undefined);
    });
  }
  return pool;
}

/** PostgreSQL's text types cannot hold U+0000 (SQLite's can); see Session.query. */
const NUL = /\u0000/g;

function sanitize(value: unknown): unknown {
  return typeof value === "string" && value.includes("\u0000") ? value.replace(NUL, "\uFFFD") : value;
}

/** One connection's queries; every statement goes through `query` so errors read the same everywhere. */
export class Session {
  /** Whether a statement on this connection failed; the pool then discards the connection. */
  failed = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly location: string,
  ) {}

  /**
   * Run one statement. `name` makes it a prepared statement on this connection (parsed and planned once).
   * NUL characters in text parameters (e.g. a trainer's binary stderr copied into `error`) become U+FFFD:
   * PostgreSQL refuses them, and refusing would leave the trial unfinishable.
   */
  async query<R extends pg.QueryResultRow>(name: string | undefined, text: string, values: unknown[] = []): Promise<R[]> {
    try {
      const config: pg.QueryConfig = { text, values: values.map(sanitize) };
      if (name !== undefined) config.name = name;
      return (await this.client.query<R>(config)).rows;
    } catch (err) {
      this.failed = true;
      throw wrapDriverError(err, this.location);
    }
  }
}

/** A driver or server error as a StorageError that names the database and, when there is one, the SQLSTATE. */
export function wrapDriverError(err: unknown, location: string, doing = ""): StorageError {
  if (err instanceof StorageError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  const detail = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : "";
  const hint =
    code === "42501"
      ? "; the database user needs the right to create tables in the schema (e.g. make it the database owner, " +
        "see docs/multi-host.md)"
      : "";
  return new StorageError(`PostgreSQL storage ${location}${doing}: ${message}${detail}${hint}`, { cause: err });
}
