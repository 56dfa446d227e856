/**
 * Errors the CLI turns into a message and a documented exit code, instead of a stack trace.
 */
import { ConfigError } from "../config/index.js";
import { GpuSelectionError } from "../runner/gpus.js";
import { SlotPlanError } from "../runner/slots.js";
import { StorageError } from "../storage/errors.js";
import { SweepBusyError } from "../runner/session.js";
import { SbatchSpecError, SlurmError, SlurmStorageError } from "../runner/slurm/index.js";
import { SweepNotFoundError } from "../study/index.js";
import { SweepExtendError } from "../study/extend.js";
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
 * Bad command-line usage (exit 2): an unknown option, a missing argument, a bad value. Thrown from yargs'
 * `.fail()` too, so a command whose arguments do not parse never reaches its handler.
 */
export class UsageError extends CliError {
  constructor(
    message: string,
    /** The command whose usage to point at (`sweep run --help`), when known. */
    readonly command?: string,
  ) {
    super(message, ExitCode.usage);
    this.name = "UsageError";
  }
}

/** Something failed that a user cannot have caused, with where its log is ("the controller log /x/y.log"). */
export class InternalFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly log: string,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "InternalFailure";
  }
}

export interface Failure {
  readonly exitCode: ExitCodeValue;
  readonly message: string;
  /** A bug (exit 1): the message carries the stack trace. */
  readonly internal: boolean;
}

/**
 * The exit code and user-facing text for anything a command threw. Messages quote ids, paths and names
 * the user typed or stored, so control characters in them are escaped (lines are kept).
 */
export function describeFailure(error: unknown): Failure {
  const failure = classify(error);
  return { ...failure, message: escapeControl(failure.message, { keepLayout: true }) };
}

function classify(error: unknown): Failure {
  if (error instanceof SweepBusyError) return { exitCode: ExitCode.sweepBusy, message: error.message, internal: false };
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message, internal: false };
  // `sweep resume --run-cap N` with an N the sweep cannot take: the flag asks for something impossible.
  if (error instanceof SweepExtendError) return { exitCode: ExitCode.usage, message: error.message, internal: false };
  if (error instanceof ConfigError) return { exitCode: ExitCode.invalidConfig, message: error.message, internal: false };
  if (error instanceof SweepNotFoundError) {
    return { exitCode: ExitCode.notFound, message: `${error.message} (\`sweep ls --storage ${error.location}\` lists its sweeps)`, internal: false };
  }
  // A GPU selection that cannot work on this machine (--gpus 5 on a 4-GPU host, --gpus-per-trial 3 of 2
  // usable GPUs): the flags (or the sweep file's `sweep:` block) ask for something impossible.
  if (error instanceof GpuSelectionError || error instanceof SlotPlanError) return { exitCode: ExitCode.usage, message: error.message, internal: false };
  if (error instanceof StorageError) return { exitCode: ExitCode.storageUnavailable, message: error.message, internal: false };
  if (error instanceof SlurmStorageError) return { exitCode: ExitCode.storageUnavailable, message: error.message, internal: false };
  if (error instanceof SlurmError) return { exitCode: ExitCode.slurmFailed, message: error.message, internal: false };
  if (error instanceof SbatchSpecError) return { exitCode: ExitCode.usage, message: error.message, internal: false };
  if (error instanceof InternalFailure) {
    const inner = describeFailure(error.cause);
    return inner.internal ? { ...inner, message: `${inner.message}\nsee also ${error.log}` } : inner;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    exitCode: ExitCode.internal,
    message: `internal error (a bug in sweep; please report it with this message): ${message}`,
    internal: true,
  };
}

/** `error` with where its log is attached when it is a bug (exit 1); user errors pass through unchanged. */
export function withLogPath(error: unknown, log: string): unknown {
  return describeFailure(error).internal ? new InternalFailure(error, log) : error;
}
