/**
 * Errors the CLI turns into a message and a documented exit code, instead of a stack trace.
 */
import { ConfigError } from "../config/index.js";
import { StorageError } from "../storage/errors.js";
import { SweepBusyError } from "../runner/session.js";
import { SweepNotFoundError } from "../study/index.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import { escapeControl } from "../terminal-text.js";

/** An error whose message is already fit for the user, with the exit code it stands for. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/**
 * The exit code and user-facing text for anything a command threw. Messages quote ids, paths and names
 * the user typed or stored, so control characters in them are escaped (lines are kept).
 */
export function describeFailure(error: unknown): { exitCode: ExitCodeValue; message: string; internal: boolean } {
  const failure = classify(error);
  return { ...failure, message: escapeControl(failure.message, { keepLayout: true }) };
}

function classify(error: unknown): { exitCode: ExitCodeValue; message: string; internal: boolean } {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message, internal: false };
  if (error instanceof ConfigError) return { exitCode: ExitCode.invalidConfig, message: error.message, internal: false };
  if (error instanceof SweepNotFoundError) return { exitCode: ExitCode.notFound, message: error.message, internal: false };
  if (error instanceof SweepBusyError) return { exitCode: ExitCode.sweepBusy, message: error.message, internal: false };
  if (error instanceof StorageError) return { exitCode: ExitCode.storageUnavailable, message: error.message, internal: false };
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { exitCode: ExitCode.internal, message: `internal error: ${message}`, internal: true };
}
