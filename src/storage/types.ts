/**
 * The storage contract. Every algorithm and every process goes through it; nothing about a sweep lives only
 * in process memory, so any agent (or a resumed controller) can pick up where another stopped.
 *
 * Asynchronous on purpose: SQLite answers synchronously, but a PostgreSQL backend cannot.
 */
import type { FlatParams } from "../space/types.js";

export type SweepStatus = "running" | "paused" | "finished" | "stopped" | "failed";

export type TrialStatus = "queued" | "running" | "completed" | "pruned" | "failed" | "interrupted";

export interface SweepRecord {
  readonly id: string;
  readonly name: string | null;
  /** The sweep file exactly as written (YAML or JSON text). */
  readonly configRaw: string;
  /** The validated config with defaults filled in (plain JSON). */
  readonly config: unknown;
  readonly status: SweepStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Attributes a user attached to the sweep (`setSweepUserAttr`): key -> JSON value; {} when none. */
  readonly userAttrs: Readonly<Record<string, unknown>>;
}

export interface TrialRecord {
  /** Unique in the storage. */
  readonly id: number;
  readonly sweepId: string;
  /** 0, 1, 2 … per sweep, in creation order; never reused. */
  readonly number: number;
  readonly status: TrialStatus;
  readonly params: FlatParams;
  /** Sampler bookkeeping (e.g. `gridIndex`) and anything a caller attaches. */
  readonly meta: Record<string, unknown>;
  /** Objective value once the trial has one. */
  readonly value: number | null;
  /** 1 for the first run; incremented each time the trial is re-queued (retry, resume). */
  readonly attempt: number;
  readonly worker: string | null;
  /** GPU ids the trial was pinned to, as put in CUDA_VISIBLE_DEVICES ("" for CPU). */
  readonly gpus: string | null;
  readonly pid: number | null;
  /** Process start time as the OS reports it, so a stale pid is never mistaken for our process. */
  readonly pidStartTime: string | null;
  readonly logPath: string | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly error: string | null;
  readonly pruneStep: number | null;
  readonly pruneReason: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly heartbeatAt: string | null;
}

export interface IntermediateRecord {
  readonly trialId: number;
  readonly attempt: number;
  readonly step: number;
  readonly name: string;
  readonly value: number;
  readonly createdAt: string;
}

export interface EventRecord {
  readonly id: number;
  readonly sweepId: string;
  readonly trialId: number | null;
  readonly kind: string;
  readonly data: unknown;
  readonly createdAt: string;
}

export interface NewSweep {
  /** Generated (8 lowercase base-36 characters, like W&B) when omitted. */
  readonly id?: string;
  readonly name?: string | null;
  readonly configRaw: string;
  readonly config: unknown;
  readonly status?: SweepStatus;
}

/** What `updateSweepConfig`'s edit sees, under the storage's write lock. */
export interface SweepEditContext {
  readonly sweep: SweepRecord;
  /** Trials the sweep holds, any status: what a run_cap counts (claimTrial's `maxTrials`). */
  readonly trialCount: number;
}

/** What an edit writes: the new config (plain JSON) and, when given, the new status. */
export interface SweepEdit {
  readonly config: unknown;
  readonly status?: SweepStatus;
}

/** A sweep's trials and one metric's intermediate values, read together. */
export interface SweepHistory {
  readonly trials: readonly TrialRecord[];
  readonly intermediates: readonly IntermediateRecord[];
}

/**
 * What a sampler sees while the storage holds its write lock. Read-only: backends may share (frozen) records
 * between claims instead of copying the whole history each time.
 */
export interface ClaimContext {
  readonly sweep: SweepRecord;
  /** Every trial of the sweep, any status, ordered by number. */
  readonly trials: readonly TrialRecord[];
  /** Current-attempt intermediate values of `ClaimOptions.metricName` for those trials (empty if none asked). */
  readonly intermediates: readonly IntermediateRecord[];
  /** The number the new trial would get. */
  readonly nextNumber: number;
}

export type Proposal =
  | { readonly params: FlatParams; readonly meta?: Record<string, unknown> }
  | { readonly stop: true; readonly reason: string };

export interface ClaimOptions {
  readonly worker: string;
  /** Name of the metric whose intermediate values the proposer needs (TPE uses pruned trials' curves). */
  readonly metricName?: string;
  /** Hard cap on trials in the sweep (W&B `run_cap`), counted over all trials in storage, not per process. */
  readonly maxTrials?: number;
  /**
   * Called, synchronously, under the storage's write lock, only when no queued trial is waiting.
   * Must be a pure function of its argument (plus a seeded RNG) so that concurrent agents never propose
   * from a stale view.
   */
  readonly propose: (ctx: ClaimContext) => Proposal;
}

export type ClaimResult =
  | { readonly trial: TrialRecord; readonly fresh: boolean }
  | { readonly stop: true; readonly reason: string };

/** Fields a running trial may update while it runs. */
export interface TrialPatch {
  readonly worker?: string | null;
  readonly gpus?: string | null;
  readonly pid?: number | null;
  readonly pidStartTime?: string | null;
  readonly logPath?: string | null;
  readonly heartbeatAt?: string | null;
  readonly meta?: Record<string, unknown>;
  /**
   * Parameters added while the trial runs (define-by-run `suggest*` calls), merged key by key into the
   * stored params like `meta`.
   */
  readonly params?: FlatParams;
}

export interface TrialOutcome {
  readonly status: "completed" | "pruned" | "failed" | "interrupted";
  readonly value?: number | null;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly error?: string | null;
  readonly pruneStep?: number | null;
  readonly pruneReason?: string | null;
  /**
   * The attempt this outcome belongs to. When given, the outcome only applies if the trial is still on that
   * attempt: an agent whose trial was reclaimed (and re-run elsewhere) while it was stalled cannot overwrite
   * the new attempt's result. Omitted: applies to whatever attempt is running.
   */
  readonly attempt?: number;
}

export interface IntermediateQuery {
  readonly sweepId?: string;
  readonly trialId?: number;
  readonly name?: string;
}

export interface Storage {
  /** "sqlite", "memory" or "postgresql". */
  readonly kind: string;
  /** Where it lives (a file path, a URL, or ":memory:"), for messages. */
  readonly location: string;
  /**
   * The current time on the storage's clock (ISO-8601 UTC, as Date#toISOString writes it). Heartbeats are
   * written and judged on this clock, never on each host's own: on PostgreSQL it is the server's.
   */
  now(): string;
  /** The storage's clock minus this host's, in ms (0 for a local file or memory). */
  readonly clockSkewMs: number;
  /**
   * Opened read-only (`openStorage(location, {readOnly: true})`): every write method fails with a
   * StorageError and nothing is ever written. Absent means false.
   */
  readonly readOnly?: boolean;

  createSweep(input: NewSweep): Promise<SweepRecord>;
  /**
   * The sweep named `input.name` if there is one (nothing is created; several of that name: an error listing
   * their ids), else createSweep(input). The look-up and the insert are one atomic step, so processes doing
   * this at the same moment with one name end up with one sweep (Optuna's `load_if_exists`).
   */
  createOrLoadNamedSweep(input: NewSweep & { readonly name: string }): Promise<{ readonly sweep: SweepRecord; readonly created: boolean }>;
  getSweep(id: string): Promise<SweepRecord | null>;
  listSweeps(): Promise<SweepRecord[]>;
  setSweepStatus(id: string, status: SweepStatus): Promise<void>;
  /**
   * Set one user attribute of a sweep (any JSON value), keeping the others: an atomic read-merge-write, so
   * two processes setting different keys both keep theirs. Throws when the sweep is unknown.
   */
  setSweepUserAttr(id: string, key: string, value: unknown): Promise<void>;
  /** Remove a sweep with its trials, intermediate values and events (one transaction). Throws when unknown. */
  deleteSweep(id: string): Promise<void>;
  /**
   * Atomically rewrite a sweep's stored config, and its status when the edit says so: `edit` runs synchronously
   * under the same write lock as claimTrial's proposer, so no trial is created between what it sees and what is
   * written. An edit that throws changes nothing (its error leaves as thrown). Returns the updated record.
   * The storage never reads the config: what the edit changes (run_cap, for `sweep resume --run-cap`) is the
   * caller's business (study/extend.ts).
   */
  updateSweepConfig(id: string, edit: (ctx: SweepEditContext) => SweepEdit): Promise<SweepRecord>;

  /**
   * Atomically hand `opts.worker` a trial: the oldest queued one if any, else a new one from
   * `opts.propose`, else a stop. Two processes sharing one storage never get the same trial, and
   * `maxTrials` holds exactly across processes.
   */
  claimTrial(sweepId: string, opts: ClaimOptions): Promise<ClaimResult>;
  /** Add a trial with given params in `queued` state (e.g. user-enqueued points). */
  enqueueTrial(sweepId: string, params: FlatParams, meta?: Record<string, unknown>): Promise<TrialRecord>;
  getTrial(id: number): Promise<TrialRecord | null>;
  listTrials(sweepId: string, opts?: { readonly status?: readonly TrialStatus[] }): Promise<TrialRecord[]>;
  updateTrial(id: number, patch: TrialPatch): Promise<TrialRecord>;
  /**
   * Move a running trial to a final state. Returns null (and changes nothing) if the trial is not running,
   * so two parties racing to finish a trial cannot overwrite each other.
   */
  finishTrial(id: number, outcome: TrialOutcome): Promise<TrialRecord | null>;
  /** Put an interrupted or failed trial back in the queue with the same params; attempt + 1. */
  requeueTrial(id: number): Promise<TrialRecord>;
  /**
   * Re-queue (attempt + 1, like requeueTrial) every running trial of the sweep whose agent stopped
   * heartbeating: its `heartbeatAt` — or `startedAt` when it has none — is earlier than `staleBefore` (an
   * ISO-8601 UTC time as Date#toISOString writes it). Records a `trial_reclaimed` event per trial with the
   * old worker and attempt. Atomic and exactly-once: agents calling it at the same time never reclaim one
   * trial twice. Returns the re-queued trials, ordered by number.
   */
  reclaimStaleTrials(sweepId: string, staleBefore: string): Promise<TrialRecord[]>;

  /**
   * The sweep's history as a proposer sees it (trials by number, current-attempt values of `metricName`),
   * for decisions outside a claim such as pruning. Read-only: backends may hand out shared, frozen records and
   * read only what changed since the last call.
   */
  readHistory(sweepId: string, metricName?: string): Promise<SweepHistory>;

  /**
   * Store one step's metrics for the trial's current attempt (all in one transaction). With `attempt`, a
   * report from any other attempt (a stalled agent whose trial was reclaimed) is ignored: nothing is written.
   */
  addIntermediate(
    trialId: number,
    step: number,
    metrics: Readonly<Record<string, number>>,
    attempt?: number,
  ): Promise<void>;
  listIntermediates(query: IntermediateQuery): Promise<IntermediateRecord[]>;

  addEvent(sweepId: string, kind: string, data?: unknown, trialId?: number | null): Promise<void>;
  listEvents(sweepId: string): Promise<EventRecord[]>;

  close(): Promise<void>;
}
