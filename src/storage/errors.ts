/**
 * One error class for everything the storage layer refuses, so callers (the CLI, the runner) can tell a
 * storage problem — unknown id, newer schema, bad value — from a bug, and print the message as is.
 */
export class StorageError extends Error {
  override readonly name = "StorageError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function noSweepError(sweepId: string, location: string): StorageError {
  return new StorageError(`no sweep '${sweepId}' in ${location}`);
}

export function noTrialError(trialId: number, location: string): StorageError {
  return new StorageError(`no trial with id ${trialId} in ${location}`);
}

/**
 * A stored value that cannot be decoded (JSON that does not parse, text where a number belongs): the
 * file was damaged or changed by another program. Each backend adds the location and what to do.
 */
export class StoredValueError extends StorageError {}

/** Every backend refuses a storage written by a newer version of sweep, in these words, and leaves it untouched. */
export function newerSchemaError(location: string, found: number, known: number): StorageError {
  return new StorageError(
    `${location} has schema version ${found}, but this version of sweep only knows up to ${known}; ` +
      "upgrade sweep to use it (refusing, so nothing in it is changed)",
  );
}

/** A write on a storage opened read-only (`openStorage(location, {readOnly: true})`, as `sweep ls` does). */
export function readOnlyStorageError(location: string, operation: string): StorageError {
  return new StorageError(
    `${location} was opened read-only, so it cannot ${operation}; open it without readOnly (a write command ` +
      "such as `sweep run` or `sweep resume`) to change it",
  );
}
