/**
 * PostgresStorage's options and the URL redaction, kept apart from the driver: `openStorage` loads the `pg`
 * package (about 50 ms) only when a location actually names PostgreSQL, so SQLite users never pay for it.
 */

export interface PostgresStorageOptions {
  /** Most connections one storage (one agent process) holds open. Default 4. */
  readonly maxConnections?: number;
  /** How long to wait for the server to accept a connection before failing. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /**
   * The server ends a session that sits inside an open transaction for this long, releasing its locks — so an
   * agent frozen mid-claim (a stopped VM, a partitioned host) cannot block every other agent's claims
   * forever. Must exceed the slowest proposer call. Default 60 s; 0 turns it off.
   */
  readonly idleInTransactionTimeoutMs?: number;
  /**
   * Only read (the CLI's ls, show, best, export, report): the schema is checked but never created or
   * migrated, sessions are read-only on the server, and every write method fails with a StorageError.
   */
  readonly readOnly?: boolean;
}

export const DEFAULT_MAX_CONNECTIONS = 4;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

/** Hide passwords (in the user-info part or a `password=` parameter) before a URL goes into a message. */
export function redactPostgresUrl(url: string): string {
  return url
    .replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:/@]*):[^@]*@/, "$1:***@")
    .replace(/([?&]password=)[^&]*/gi, "$1***");
}
