/** Row shapes as better-sqlite3 returns them, and their conversion to the contract's records. */
import { decodeJson } from "../json.js";
import type { EventRecord, IntermediateRecord, SweepRecord, TrialRecord, SweepStatus, TrialStatus } from "../types.js";
import type { FlatParams } from "../../space/types.js";
import { fromSqlReal } from "./values.js";

export interface SweepRow {
  id: string;
  name: string | null;
  config_raw: string;
  config_json: string;
  status: string;
  created_at: string;
  updated_at: string;
  /** Bumped by triggers on every change to the sweep's trials or intermediate values (schema v2). */
  revision: number;
  /** JSON object of user attributes (SQLite schema v3, PostgreSQL v2). */
  user_attrs_json: string;
}

export interface TrialRow {
  id: number;
  sweep_id: string;
  number: number;
  status: string;
  params_json: string;
  meta_json: string;
  value: number | string | null;
  attempt: number;
  worker: string | null;
  gpus: string | null;
  pid: number | null;
  pid_start_time: string | null;
  log_path: string | null;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  prune_step: number | null;
  prune_reason: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
}

export interface IntermediateRow {
  trial_id: number;
  attempt: number;
  step: number;
  name: string;
  value: number | string;
  created_at: string;
}

export interface EventRow {
  id: number;
  sweep_id: string;
  trial_id: number | null;
  kind: string;
  data_json: string | null;
  created_at: string;
}

export function toSweepRecord(row: SweepRow): SweepRecord {
  return {
    id: row.id,
    name: row.name,
    configRaw: row.config_raw,
    config: decodeJson(row.config_json, `config of sweep '${row.id}'`),
    status: row.status as SweepStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    userAttrs: decodeJson(row.user_attrs_json ?? "{}", `user attributes of sweep '${row.id}'`) as Record<string, unknown>,
  };
}

export function toTrialRecord(row: TrialRow): TrialRecord {
  return {
    id: row.id,
    sweepId: row.sweep_id,
    number: row.number,
    status: row.status as TrialStatus,
    params: decodeJson(row.params_json, `params of trial ${row.id}`) as FlatParams,
    meta: decodeJson(row.meta_json, `meta of trial ${row.id}`) as Record<string, unknown>,
    value: fromSqlReal(row.value, `trials.value of trial ${row.id}`),
    attempt: row.attempt,
    worker: row.worker,
    gpus: row.gpus,
    pid: row.pid,
    pidStartTime: row.pid_start_time,
    logPath: row.log_path,
    exitCode: row.exit_code,
    signal: row.signal,
    error: row.error,
    pruneStep: row.prune_step,
    pruneReason: row.prune_reason,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    heartbeatAt: row.heartbeat_at,
  };
}

export function toIntermediateRecord(row: IntermediateRow): IntermediateRecord {
  return {
    trialId: row.trial_id,
    attempt: row.attempt,
    step: row.step,
    name: row.name,
    value: fromSqlReal(row.value, `intermediate value '${row.name}' of trial ${row.trial_id}`) as number,
    createdAt: row.created_at,
  };
}

export function toEventRecord(row: EventRow): EventRecord {
  return {
    id: row.id,
    sweepId: row.sweep_id,
    trialId: row.trial_id,
    kind: row.kind,
    data: decodeJson(row.data_json, `data of event ${row.id}`),
    createdAt: row.created_at,
  };
}
