/**
 * The best trials per model, over one or many sweeps: the answer to "which lr, batch size, warmup and weight
 * decay should I use for each model?".
 *
 * A model is the value of a parameter (`--by`, else the first of `model_name`, `model`, `model_name_or_path`
 * the sweep has) or, for a sweep that trains one model, the sweep's name, so sweeps run one model at a time
 * and one sweep over several models give the same table.
 */
import type { Goal } from "../config/types.js";
import type { FlatParams } from "../space/types.js";
import type { TrialStatus } from "../storage/types.js";
import { isBetter } from "../study/objective.js";
import type { SweepData, TrialData } from "./data.js";
import { NoResultError, QueryError } from "./errors.js";
import { HYPERPARAMETER_ROLES, findModelKey, findRoleParam, type HyperparameterRole } from "./hyperparams.js";
import { resolveGoal, trialMetric, type Aggregation } from "./metrics.js";
import { countStatuses, describeCounts } from "./summary.js";
import { formatValue } from "./table.js";

export interface BestQuery {
  /** Any metric the trials reported; default: the sweeps' objective metric (they must share one). */
  readonly metric?: string;
  readonly goal?: Goal;
  /** The parameter that names the model. */
  readonly by?: string;
  /** Default: the sweep's own objective rule for its metric, `last` for any other. */
  readonly agg?: Aggregation;
  /** Trials shown per model (default 1). */
  readonly top?: number;
  /** Count pruned trials too, with the value they had when stopped (default: completed trials only). */
  readonly includePruned?: boolean;
}

export interface RoleValue {
  readonly name: string;
  readonly value: unknown;
}

export interface BestRow {
  readonly model: string;
  /** 1 for the model's best trial. */
  readonly rank: number;
  readonly value: number;
  readonly sweepId: string;
  readonly sweepName: string | null;
  readonly trialNumber: number;
  readonly trialId: number;
  readonly status: TrialStatus;
  readonly params: FlatParams;
  /** The parameter playing each role in the trial's sweep, with the trial's value; null when the sweep has none. */
  readonly roles: Readonly<Record<HyperparameterRole, RoleValue | null>>;
  /** How many of this model's trials had a value for the metric. */
  readonly candidates: number;
}

export interface BestResult {
  readonly metric: string;
  readonly goal: Goal;
  /** Where the goal came from: "given", "the sweep's metric", "inferred from the name". */
  readonly goalSource: string;
  /** The aggregation asked for; undefined = each sweep's objective rule for its metric, else `last`. */
  readonly agg: Aggregation | undefined;
  /** How models were told apart, for the header line ("parameter model_name", "sweep name"). */
  readonly modelSource: string;
  /** Models in order of their best value, best first; within a model, rank order. */
  readonly rows: readonly BestRow[];
  /** Parameters other than the role ones and the model key, in first-seen order. */
  readonly otherParams: readonly string[];
  /** Things the user should know about the answer (trials without the model key, sweeps without the metric). */
  readonly notes: readonly string[];
}

interface Candidate {
  readonly sweep: SweepData;
  readonly trial: TrialData;
  readonly model: string;
  readonly value: number;
}

export function bestPerModel(sweeps: readonly SweepData[], query: BestQuery = {}): BestResult {
  if (sweeps.length === 0) throw new NoResultError("there are no sweeps to look at");
  const top = query.top ?? 1;
  if (!Number.isInteger(top) || top < 1) throw new QueryError(`--top must be a positive integer, got ${top}`);
  const metric = query.metric ?? commonObjective(sweeps);
  const reported = new Set(sweeps.flatMap((s) => [...s.metricNames, ...(s.config.metric ? [s.config.metric.name] : [])]));
  if (!reported.has(metric)) {
    throw new NoResultError(`metric '${metric}' was never reported; metrics the trials reported: ${listOrNone([...reported])}`);
  }
  const resolution = resolveGoal(metric, sweeps, query.goal);
  if ("error" in resolution) throw new QueryError(resolution.error);
  const { goal } = resolution;
  const notes: string[] = [];

  const counted: TrialStatus[] = query.includePruned ? ["completed", "pruned"] : ["completed"];
  const eligible = sweeps.flatMap((s) => s.trials.filter((t) => counted.includes(t.record.status)).map((t) => ({ sweep: s, trial: t })));
  if (eligible.length === 0) {
    const where = sweeps.map((s) => `${sweepLabel(s)}: ${describeCounts(countStatuses(s.trials.map((t) => t.record)))}`).join("; ");
    throw new NoResultError(`no ${counted.join(" or ")} trial yet (${where})`);
  }

  const keyOf = modelKeys(sweeps, query.by, notes);
  const candidates: Candidate[] = [];
  for (const { sweep, trial } of eligible) {
    const value = trialMetric(sweep, trial, metric, query.agg, goal);
    if (value === null || !Number.isFinite(value)) continue;
    candidates.push({ sweep, trial, value, model: modelOf(sweep, trial, keyOf.get(sweep.sweep.id)) });
  }
  if (candidates.length === 0) {
    throw new NoResultError(`no ${counted.join(" or ")} trial reported '${metric}' (${eligible.length} such trials looked at)`);
  }
  for (const s of sweeps) {
    if (!candidates.some((c) => c.sweep === s)) notes.push(`sweep ${sweepLabel(s)} has no ${counted.join(" or ")} trial with '${metric}'`);
  }

  const byModel = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const list = byModel.get(c.model) ?? [];
    list.push(c);
    byModel.set(c.model, list);
  }
  const ranked = [...byModel.values()].map((list) => list.sort((a, b) => compareCandidates(goal, a, b)));
  ranked.sort((a, b) => compareCandidates(goal, a[0]!, b[0]!));
  const rows = ranked.flatMap((list) => list.slice(0, top).map((c, i) => toRow(c, i + 1, list.length)));

  return {
    metric,
    goal,
    goalSource: resolution.source,
    agg: query.agg,
    modelSource: describeModelSource(sweeps, keyOf),
    rows,
    otherParams: otherParams(rows, sweeps, keyOf),
    notes,
  };
}

function commonObjective(sweeps: readonly SweepData[]): string {
  const names = [...new Set(sweeps.map((s) => s.config.metric?.name).filter((n): n is string => n !== undefined))];
  if (names.length === 1 && sweeps.every((s) => s.config.metric)) return names[0]!;
  const reported = [...new Set(sweeps.flatMap((s) => s.metricNames))];
  if (names.length === 0) throw new QueryError(`the sweep has no metric; give --metric NAME (reported: ${listOrNone(reported)})`);
  throw new QueryError(`the sweeps optimise different metrics (${names.join(", ")}); give --metric NAME`);
}

/** Sweep id -> the parameter naming its models (undefined: the sweep's name stands for its one model). */
function modelKeys(sweeps: readonly SweepData[], by: string | undefined, notes: string[]): Map<string, string | undefined> {
  const keys = new Map<string, string | undefined>();
  if (by === undefined) {
    for (const s of sweeps) keys.set(s.sweep.id, findModelKey(s.paramNames));
    return keys;
  }
  const having = sweeps.filter((s) => s.paramNames.includes(by));
  if (having.length === 0) {
    const params = [...new Set(sweeps.flatMap((s) => s.paramNames))];
    throw new NoResultError(`no sweep has a parameter '${by}' to tell models apart; their parameters: ${listOrNone(params)}`);
  }
  for (const s of sweeps) {
    const has = s.paramNames.includes(by);
    keys.set(s.sweep.id, has ? by : undefined);
    if (!has) notes.push(`sweep ${sweepLabel(s)} has no parameter '${by}'; its trials are listed under the sweep's name`);
  }
  return keys;
}

function modelOf(sweep: SweepData, trial: TrialData, key: string | undefined): string {
  if (key !== undefined && trial.record.params[key] !== undefined) return formatValue(trial.record.params[key]);
  return sweepLabel(sweep);
}

function sweepLabel(s: SweepData): string {
  return s.sweep.name ?? s.sweep.id;
}

function compareCandidates(goal: Goal, a: Candidate, b: Candidate): number {
  if (a.value !== b.value) return isBetter(goal, a.value, b.value) ? -1 : 1;
  // Ties: the earlier trial, so the answer does not change when later trials are added with the same value.
  return a.trial.record.createdAt.localeCompare(b.trial.record.createdAt) || a.trial.record.number - b.trial.record.number;
}

function toRow(c: Candidate, rank: number, candidates: number): BestRow {
  const t = c.trial.record;
  const roles = Object.fromEntries(
    HYPERPARAMETER_ROLES.map((spec) => {
      const name = findRoleParam(c.sweep.paramNames, spec);
      return [spec.role, name === undefined ? null : { name, value: t.params[name] ?? null }];
    }),
  ) as Record<HyperparameterRole, RoleValue | null>;
  return {
    model: c.model,
    rank,
    value: c.value,
    sweepId: c.sweep.sweep.id,
    sweepName: c.sweep.sweep.name,
    trialNumber: t.number,
    trialId: t.id,
    status: t.status,
    params: t.params,
    roles,
    candidates,
  };
}

function otherParams(rows: readonly BestRow[], sweeps: readonly SweepData[], keyOf: Map<string, string | undefined>): string[] {
  const shown = new Set<string>();
  for (const row of rows) {
    for (const role of Object.values(row.roles)) if (role) shown.add(role.name);
    const key = keyOf.get(row.sweepId);
    if (key !== undefined) shown.add(key);
  }
  const sweepIds = new Set(rows.map((r) => r.sweepId));
  const names = sweeps.filter((s) => sweepIds.has(s.sweep.id)).flatMap((s) => s.paramNames);
  return [...new Set(names)].filter((n) => !shown.has(n));
}

function describeModelSource(sweeps: readonly SweepData[], keyOf: Map<string, string | undefined>): string {
  const keys = [...new Set(sweeps.map((s) => keyOf.get(s.sweep.id)))];
  const params = keys.filter((k): k is string => k !== undefined).map((k) => `parameter ${k}`);
  if (keys.includes(undefined)) params.push("sweep name");
  return params.join(", else ");
}

function listOrNone(names: readonly string[]): string {
  return names.length > 0 ? names.join(", ") : "none";
}
