/**
 * A per-connection copy of each sweep's decoded history (trials, and intermediate values of the metrics the
 * sampler asked for), brought up to date from the rows whose revision stamp is newer than what it has seen.
 *
 * Why: `claimTrial` hands the sampler the whole history under the write lock. Re-reading and re-decoding every
 * row on every claim made a claim cost O(trials) in SQLite reads and JSON parsing (about 10 ms at 1,000
 * trials); with the cache a claim reads only what changed since the last one, usually two rows, whichever
 * process wrote them. Records handed out from here are frozen and shared, so no caller can alter the cache.
 */
import type Database from "better-sqlite3";
import type { IntermediateRecord, TrialRecord } from "../types.js";
import { toIntermediateRecord, toTrialRecord, type IntermediateRow, type TrialRow } from "./rows.js";

interface SweepHistory {
  revision: number;
  trials: TrialRecord[];
  /** Trial id -> index in `trials` (ordered by number). */
  indexById: Map<number, number>;
  metrics: Map<string, MetricHistory>;
}

interface MetricHistory {
  revision: number;
  /** `${trialId}:${attempt}:${step}` -> record */
  byKey: Map<string, IntermediateRecord>;
  /** Current-attempt records ordered by trial, step; rebuilt lazily after changes. */
  current: IntermediateRecord[] | null;
  /** The trials revision `current` was filtered against (a requeue changes which attempt is current). */
  trialsSeen: number;
}

export class HistoryCache {
  private readonly sweeps = new Map<string, SweepHistory>();
  private readonly changedTrials: Database.Statement<[string, number], TrialRow>;
  private readonly changedIntermediates: Database.Statement<[string, string, number], IntermediateRow>;

  constructor(db: Database.Database) {
    this.changedTrials = db.prepare("SELECT * FROM trials WHERE sweep_id = ? AND revision > ?");
    this.changedIntermediates = db.prepare(
      // CROSS JOIN keeps intermediate_values outside, read by its revision index: only the changed rows. With a
      // plain JOIN SQLite walked every trial of the sweep on every claim (O(trials); 0.2 ms at 4,000 trials).
      `SELECT iv.* FROM intermediate_values iv CROSS JOIN trials t ON t.id = iv.trial_id
        WHERE t.sweep_id = ? AND iv.name = ? AND iv.revision > ?`,
    );
  }

  /** The sweep's trials, ordered by number, as of `revision` (the sweep row's current revision). */
  trials(sweepId: string, revision: number): readonly TrialRecord[] {
    const history = this.refreshTrials(sweepId, revision);
    return history.trials;
  }

  /** Current-attempt intermediate values of one metric, ordered by trial id and step. */
  intermediates(sweepId: string, revision: number, name: string): readonly IntermediateRecord[] {
    const history = this.refreshTrials(sweepId, revision);
    let metric = history.metrics.get(name);
    if (!metric) history.metrics.set(name, (metric = { revision: -1, byKey: new Map(), current: null, trialsSeen: -1 }));
    if (metric.revision !== revision) {
      for (const row of this.changedIntermediates.all(sweepId, name, metric.revision)) {
        const record = Object.freeze(toIntermediateRecord(row));
        metric.byKey.set(`${record.trialId}:${record.attempt}:${record.step}`, record);
      }
      metric.revision = revision;
      metric.current = null;
    }
    // Attempts change with trial rows (a requeue), so the current-attempt view depends on both.
    if (metric.byKey.size === 0) {
      metric.current = [];
    } else if (metric.current === null || metric.trialsSeen !== history.revision) {
      const attemptOf = new Map(history.trials.map((t) => [t.id, t.attempt]));
      metric.current = [...metric.byKey.values()]
        .filter((r) => attemptOf.get(r.trialId) === r.attempt)
        .sort((a, b) => a.trialId - b.trialId || a.step - b.step);
      metric.trialsSeen = history.revision;
    }
    return metric.current;
  }

  private refreshTrials(sweepId: string, revision: number): SweepHistory {
    let history = this.sweeps.get(sweepId);
    if (!history) {
      history = { revision: -1, trials: [], indexById: new Map(), metrics: new Map() };
      this.sweeps.set(sweepId, history);
    }
    if (history.revision === revision) return history;
    let unordered = false;
    for (const row of this.changedTrials.all(sweepId, history.revision)) {
      const record = freezeTrial(toTrialRecord(row));
      const index = history.indexById.get(record.id);
      if (index === undefined) {
        // New trials normally arrive in number order after all known ones; only otherwise re-sort.
        const last = history.trials[history.trials.length - 1];
        if (last !== undefined && last.number > record.number) unordered = true;
        history.indexById.set(record.id, history.trials.length);
        history.trials.push(record);
      } else {
        history.trials[index] = record;
      }
    }
    if (unordered) {
      history.trials.sort((a, b) => a.number - b.number);
      history.trials.forEach((t, i) => history!.indexById.set(t.id, i));
    }
    // A new array whenever anything changed, so a caller holding the old one sees a consistent snapshot.
    history.trials = history.trials.slice();
    history.revision = revision;
    return history;
  }
}

function freezeTrial(record: TrialRecord): TrialRecord {
  Object.freeze(record.params);
  Object.freeze(record.meta);
  return Object.freeze(record);
}
