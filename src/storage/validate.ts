/**
 * Input checks shared by every backend. They run before anything is written, so a bad call fails with a
 * message that quotes the bad value instead of leaving a half-valid row (or, in SQLite, a CHECK failure).
 */
import { StorageError, readOnlyStorageError } from "./errors.js";
import { describe, encodeJson } from "./json.js";
import { paramProblems } from "../space/check-params.js";
import type { Distribution, FlatParams, SearchSpace } from "../space/types.js";
import type { ClaimOptions, NewSweep, Proposal, SweepEdit, SweepRecord, SweepStatus, TrialOutcome, TrialStatus } from "./types.js";

export const SWEEP_STATUSES: readonly SweepStatus[] = ["running", "paused", "finished", "stopped", "failed"];
export const TRIAL_STATUSES: readonly TrialStatus[] = [
  "queued",
  "running",
  "completed",
  "pruned",
  "failed",
  "interrupted",
];
const OUTCOME_STATUSES: readonly TrialOutcome["status"][] = ["completed", "pruned", "failed", "interrupted"];
/** Statuses `requeueTrial` accepts: a trial that did not finish cleanly, or one whose runner vanished. */
export const REQUEUEABLE_STATUSES: readonly TrialStatus[] = ["interrupted", "failed", "running"];

/**
 * Every backend's write methods start here: a storage opened read-only (`openStorage(location, {readOnly:
 * true})`) refuses the write before any statement runs, in the same words whichever backend it is.
 */
export function assertWritable(storage: { readonly readOnly: boolean; readonly location: string }, operation: string): void {
  if (storage.readOnly) throw readOnlyStorageError(storage.location, operation);
}

const SWEEP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function assertSweepId(id: unknown): asserts id is string {
  if (typeof id !== "string" || !SWEEP_ID_PATTERN.test(id)) {
    throw new StorageError(
      `sweep id ${describe(id)} is not valid: expected 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit)`,
    );
  }
}

export function assertSweepStatus(status: unknown): asserts status is SweepStatus {
  if (!SWEEP_STATUSES.includes(status as SweepStatus)) {
    throw new StorageError(`sweep status ${describe(status)} is not one of ${SWEEP_STATUSES.join(", ")}`);
  }
}

export function assertTrialStatuses(statuses: readonly unknown[]): asserts statuses is readonly TrialStatus[] {
  for (const status of statuses) {
    if (!TRIAL_STATUSES.includes(status as TrialStatus)) {
      throw new StorageError(`trial status ${describe(status)} is not one of ${TRIAL_STATUSES.join(", ")}`);
    }
  }
}

export function assertTrialId(id: unknown): asserts id is number {
  if (!Number.isSafeInteger(id) || (id as number) < 1) {
    throw new StorageError(`trial id ${describe(id)} is not valid: expected a positive integer`);
  }
}

/** An attempt number as TrialRecord.attempt holds it (1 for the first run); `undefined` means "any attempt". */
export function assertOptionalAttempt(attempt: unknown): asserts attempt is number | undefined {
  if (attempt !== undefined && (!Number.isSafeInteger(attempt) || (attempt as number) < 1)) {
    throw new StorageError(`attempt ${describe(attempt)} is not valid: expected an integer >= 1`);
  }
}

/**
 * The exact form Date#toISOString (and so nowIso) writes. Every backend compares stored times as text, which
 * orders correctly only when all of them share this one form: no offsets, always milliseconds.
 */
const ISO_UTC_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export function assertIsoTime(value: unknown, what: string): asserts value is string {
  if (typeof value !== "string" || !ISO_UTC_MS.test(value) || Number.isNaN(Date.parse(value))) {
    throw new StorageError(
      `${what} ${describe(value)} is not valid: expected an ISO-8601 UTC time such as 2025-01-31T12:34:56.789Z ` +
        "(as Date#toISOString writes it)",
    );
  }
}

export function assertStep(step: unknown): asserts step is number {
  if (!Number.isSafeInteger(step) || (step as number) < 0) {
    throw new StorageError(`step ${describe(step)} is not valid: expected an integer >= 0`);
  }
}

/** Metric names must be non-empty strings; values any number, NaN and ±Infinity included (stored faithfully). */
export function assertMetrics(metrics: unknown): asserts metrics is Readonly<Record<string, number>> {
  if (metrics === null || typeof metrics !== "object" || Array.isArray(metrics)) {
    throw new StorageError(`metrics must be an object of name -> number, got ${describe(metrics)}`);
  }
  for (const [name, value] of Object.entries(metrics)) {
    if (name === "") throw new StorageError("metric name must not be empty");
    if (typeof value !== "number") {
      throw new StorageError(`metric '${name}' must be a number, got ${describe(value)}`);
    }
  }
}

function assertNullableInteger(value: unknown, what: string): void {
  if (value !== undefined && value !== null && !Number.isSafeInteger(value)) {
    throw new StorageError(`${what} ${describe(value)} is not valid: expected an integer or null`);
  }
}

function assertNullableString(value: unknown, what: string): void {
  if (value !== undefined && value !== null && typeof value !== "string") {
    throw new StorageError(`${what} ${describe(value)} is not valid: expected a string or null`);
  }
}

export function assertOutcome(outcome: TrialOutcome): void {
  if (!OUTCOME_STATUSES.includes(outcome.status)) {
    throw new StorageError(
      `finished trial status ${describe(outcome.status)} is not one of ${OUTCOME_STATUSES.join(", ")}`,
    );
  }
  if (outcome.value !== undefined && outcome.value !== null && typeof outcome.value !== "number") {
    throw new StorageError(`trial value ${describe(outcome.value)} is not valid: expected a number or null`);
  }
  assertNullableInteger(outcome.exitCode, "exit code");
  assertNullableString(outcome.signal, "signal");
  assertNullableString(outcome.error, "error");
  assertNullableInteger(outcome.pruneStep, "prune step");
  assertNullableString(outcome.pruneReason, "prune reason");
  assertOptionalAttempt(outcome.attempt);
}

export function assertPatch(patch: {
  readonly worker?: unknown;
  readonly gpus?: unknown;
  readonly pid?: unknown;
  readonly pidStartTime?: unknown;
  readonly logPath?: unknown;
  readonly heartbeatAt?: unknown;
}): void {
  assertNullableString(patch.worker, "worker");
  assertNullableString(patch.gpus, "gpus");
  assertNullableInteger(patch.pid, "pid");
  assertNullableString(patch.pidStartTime, "pid start time");
  assertNullableString(patch.logPath, "log path");
  assertNullableString(patch.heartbeatAt, "heartbeat time");
}

export function assertClaimOptions(opts: ClaimOptions): void {
  if (typeof opts.worker !== "string" || opts.worker === "") {
    throw new StorageError(`claim worker ${describe(opts.worker)} is not valid: expected a non-empty string`);
  }
  if (opts.maxTrials !== undefined && (!Number.isSafeInteger(opts.maxTrials) || opts.maxTrials < 0)) {
    throw new StorageError(`maxTrials ${describe(opts.maxTrials)} is not valid: expected an integer >= 0`);
  }
  if (typeof opts.propose !== "function") {
    throw new StorageError(`claim propose must be a function, got ${describe(opts.propose)}`);
  }
}

/** What a proposer returned, checked; a malformed proposal must not become a trial with garbage params. */
export function checkProposal(proposal: unknown): Proposal {
  if (proposal !== null && typeof proposal === "object" && "stop" in proposal) {
    const { stop, reason } = proposal as { stop: unknown; reason: unknown };
    if (stop === true && typeof reason === "string") return { stop: true, reason };
    throw new StorageError(
      `proposal {stop: ${describe(stop)}, reason: ${describe(reason)}} is not valid: expected {stop: true, reason: string}`,
    );
  }
  if (proposal !== null && typeof proposal === "object" && "params" in proposal) {
    const { params, meta } = proposal as { params: unknown; meta: unknown };
    const isPlainObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
    if (isPlainObject(params) && (meta === undefined || isPlainObject(meta))) return proposal as Proposal;
  }
  throw new StorageError(
    `proposal ${describe(proposal)} is not valid: expected {params: {...}, meta?: {...}} or {stop: true, reason}`,
  );
}

/** `updateSweepConfig`'s edit function, checked before any lock is taken. */
export function assertSweepEditor(edit: unknown): void {
  if (typeof edit !== "function") throw new StorageError(`sweep config edit must be a function, got ${describe(edit)}`);
}

/**
 * What a sweep config edit returned, checked and encoded the same way for every backend: the config as the
 * JSON text to store, and the status (undefined: unchanged).
 */
export function checkSweepEdit(edit: unknown): { readonly configJson: string; readonly status: SweepStatus | undefined } {
  if (edit === null || typeof edit !== "object" || !("config" in edit)) {
    throw new StorageError(`sweep config edit ${describe(edit)} is not valid: expected {config, status?}`);
  }
  const { config, status } = edit as SweepEdit;
  if (status !== undefined) assertSweepStatus(status);
  const configJson = encodeJson(config, "sweep config");
  if (configJson === null) throw new StorageError("sweep config is missing (undefined)");
  return { configJson, status };
}

/**
 * Params enqueued for a sweep, checked against the sweep's stored space before anything is written: every
 * value must be one its distribution can produce, and every name must be a declared parameter or a
 * define-by-run one whose distribution comes with the trial (`meta.distributions`, as `Sweep.enqueue`
 * writes it). A sweep with no declared parameters (pure define-by-run) takes any name; its values are
 * checked when the objective suggests them. Missing names are allowed: `Sweep.enqueue` samples them, a
 * direct caller gets a partial trial. Sweeps whose stored config is not the study's (no `space`) are not
 * checked.
 */
export function assertEnqueueParams(sweepId: string, storedConfig: unknown, params: FlatParams, meta: Record<string, unknown>): void {
  const space = (storedConfig as { space?: SearchSpace } | null)?.space;
  if (space === undefined || space === null || !Array.isArray(space.params)) return;
  const extra = meta.distributions as Record<string, Distribution> | undefined;
  const problems = paramProblems(space, params, {
    extra: extra !== null && typeof extra === "object" ? extra : undefined,
    allowUnknown: space.params.length === 0,
  });
  if (problems.length > 0) {
    throw new StorageError(`cannot enqueue a trial for sweep '${sweepId}': ${problems.join("; ")}`);
  }
}

export function assertUserAttrKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key === "") throw new StorageError(`user attribute key ${describe(key)} is not valid: expected a non-empty string`);
}

/** What every backend checks of a new sweep before writing it; returns the values it writes. */
export function checkNewSweep(input: NewSweep): { readonly name: string | null; readonly status: SweepStatus; readonly configJson: string } {
  if (typeof input.configRaw !== "string") {
    throw new StorageError(`sweep configRaw must be the sweep file text, got ${typeof input.configRaw}`);
  }
  if (input.name !== undefined && input.name !== null && typeof input.name !== "string") {
    throw new StorageError(`sweep name must be a string or null, got ${typeof input.name}`);
  }
  const status = input.status ?? "running";
  assertSweepStatus(status);
  if (input.id !== undefined) assertSweepId(input.id);
  const configJson = encodeJson(input.config, "sweep config");
  if (configJson === null) throw new StorageError("sweep config is missing (undefined)");
  return { name: input.name ?? null, status, configJson };
}

/** createOrLoadNamedSweep's input needs a name to look up by. */
export function assertSweepName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name === "") throw new StorageError(`a sweep to create or load by name needs a name, got ${describe(name)}`);
}

/**
 * createOrLoadNamedSweep's answer from the sweeps already named so (oldest first): the one, none (create it),
 * or an error naming every id when several share the name, so no process silently picks another's sweep.
 */
export function pickNamedSweep(name: string, named: readonly SweepRecord[], location: string): SweepRecord | null {
  if (named.length > 1) {
    throw new StorageError(`${named.length} sweeps are named '${name}' in ${location} (${named.map((m) => m.id).join(", ")}); load one by id`);
  }
  return named[0] ?? null;
}
