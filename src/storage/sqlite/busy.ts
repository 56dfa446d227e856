/**
 * Last line of defence against "database is locked".
 *
 * The first line is SQLite's own busy timeout (every connection waits up to `busyTimeoutMs` for a lock) plus
 * write transactions that start with BEGIN IMMEDIATE, so a transaction never has to upgrade a read lock to a
 * write lock halfway (the case where SQLite gives up at once instead of waiting). SQLITE_BUSY can still
 * surface, e.g. while another process recovers a WAL after a crash or when the timeout expires under a heavy
 * burst; then the whole operation — always a complete transaction, so it is safe to re-run — is retried
 * after a growing, jittered pause.
 */
import { StorageError } from "../errors.js";

export interface BusyRetryPolicy {
  /** Retries after the first failed try. */
  readonly retries: number;
  /** Pause before the first retry; doubled each time, with ±50 % jitter so processes do not retry in step. */
  readonly initialDelayMs: number;
}

export const DEFAULT_BUSY_RETRY: BusyRetryPolicy = { retries: 6, initialDelayMs: 25 };

/** SQLITE_BUSY and its extended codes (SQLITE_BUSY_RECOVERY, SQLITE_BUSY_SNAPSHOT, ...), and SQLITE_LOCKED. */
export function isBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Run `operation` (synchronous, one whole transaction) and re-run it while it fails with SQLITE_BUSY, at
 * most `policy.retries` more times. `location` names the database in the final error.
 */
export async function withBusyRetry<T>(operation: () => T, location: string, policy: BusyRetryPolicy): Promise<T> {
  let delay = policy.initialDelayMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return operation();
    } catch (err) {
      if (!isBusyError(err)) throw err;
      if (attempt >= policy.retries) {
        throw new StorageError(
          `${location} stayed locked by another process through ${attempt + 1} tries (${(err as Error).message}); ` +
            "is a process holding a long transaction on it?",
          { cause: err },
        );
      }
      await sleep(delay * (0.5 + Math.random()));
      delay *= 2;
    }
  }
}
