/**
 * Everything the result commands read about one sweep, loaded once: its resolved config and space, its
 * trials, and every metric each trial reported, as curves per metric name.
 *
 * Only the current attempt's values are kept: a retried trial's earlier attempt may have stopped half-way,
 * and mixing its points into the new curve would make "last value" mean nothing.
 *
 * Parameters named like secrets (`api_key`, `db_password`; config/secrets.ts) are read as `***`, and
 * their entries are left out of the space (a categorical one would list its values): every command built
 * on this — best, export, report, the dashboard — shows them as `sweep show` and the logs do.
 */
import { isSecretName, redactSecrets } from "../config/secrets.js";
import type { SweepConfig } from "../config/types.js";
import type { SearchSpace } from "../space/types.js";
import type { IntermediateRecord, Storage, SweepRecord, TrialRecord } from "../storage/types.js";
import type { StepValue } from "../study/objective.js";
import { storedConfig } from "./summary.js";

export interface TrialData {
  readonly record: TrialRecord;
  /** Metric name -> values reported by the current attempt, steps ascending. */
  readonly curves: ReadonlyMap<string, readonly StepValue[]>;
}

export interface SweepData {
  readonly sweep: SweepRecord;
  readonly config: SweepConfig;
  /** The resolved search space stored with the sweep; null for a record written by something else. */
  readonly space: SearchSpace | null;
  readonly trials: readonly TrialData[];
  /** Every metric name any trial reported, in first-seen order. */
  readonly metricNames: readonly string[];
  /** Every parameter name: the space's in sweep-file order, then any a trial carries beyond it. */
  readonly paramNames: readonly string[];
}

/** The search space stored beside the config (see study/sweep.ts), if the record has one. */
export function storedSpace(sweep: SweepRecord): SearchSpace | null {
  const space = (sweep.config as { space?: SearchSpace } | null)?.space;
  return space && Array.isArray(space.params) ? space : null;
}

export async function loadSweepData(storage: Storage, sweep: SweepRecord): Promise<SweepData> {
  const [trials, intermediates] = await Promise.all([
    storage.listTrials(sweep.id),
    storage.listIntermediates({ sweepId: sweep.id }),
  ]);
  return assembleSweepData(sweep, trials, intermediates);
}

/** The same as `loadSweepData`, from records already in hand. */
export function assembleSweepData(
  sweep: SweepRecord,
  trials: readonly TrialRecord[],
  intermediates: readonly IntermediateRecord[],
): SweepData {
  const attemptOf = new Map(trials.map((t) => [t.id, t.attempt]));
  const curvesById = new Map<number, Map<string, StepValue[]>>();
  const metricNames = new Set<string>();
  for (const r of intermediates) {
    if (attemptOf.get(r.trialId) !== r.attempt) continue;
    metricNames.add(r.name);
    let byName = curvesById.get(r.trialId);
    if (!byName) curvesById.set(r.trialId, (byName = new Map()));
    let curve = byName.get(r.name);
    if (!curve) byName.set(r.name, (curve = []));
    curve.push({ step: r.step, value: r.value });
  }
  for (const byName of curvesById.values()) for (const curve of byName.values()) curve.sort((a, b) => a.step - b.step);

  const stored = storedSpace(sweep);
  const space = stored && { ...stored, params: stored.params.filter((p) => !isSecretName(p.name)) };
  const paramNames = new Set(stored?.params.map((p) => p.name) ?? []);
  for (const t of trials) for (const name of Object.keys(t.params)) paramNames.add(name);
  return {
    sweep,
    config: storedConfig(sweep),
    space,
    trials: trials.map((record) => ({ record: { ...record, params: redactSecrets(record.params) }, curves: curvesById.get(record.id) ?? new Map() })),
    metricNames: [...metricNames],
    paramNames: [...paramNames],
  };
}
