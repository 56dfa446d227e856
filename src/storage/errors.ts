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
