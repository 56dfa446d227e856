/**
 * SQLite's side of the shared history cache (src/storage/history-cache.ts): rows whose revision stamp is
 * newer than the cache's watermark, the sweep row's revision being the new watermark. Call it inside a
 * transaction, so the revision and the rows come from one snapshot.
 */
import type Database from "better-sqlite3";
import { HistoryCache, type CachedSweepKey } from "../history-cache.js";
import type { IntermediateRecord, TrialRecord } from "../types.js";
import { toIntermediateRecord, toTrialRecord, type IntermediateRow, type TrialRow } from "./rows.js";

/** What the sweep row tells: its id, creation time and current revision (the watermark). */
export interface SweepStamp {
  readonly id: string;
  readonly created_at: string;
  readonly revision: number;
}

const keyOf = (sweep: SweepStamp): CachedSweepKey => ({ id: sweep.id, incarnation: sweep.created_at });

export class SqliteHistory {
  private readonly cache = new HistoryCache();
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

  /** The sweep's trials, ordered by number, as of its row's current revision. */
  trials(sweep: SweepStamp): readonly TrialRecord[] {
    this.refreshTrials(sweep);
    return this.cache.trials(keyOf(sweep));
  }

  /** Current-attempt intermediate values of one metric, ordered by trial id and step. */
  intermediates(sweep: SweepStamp, name: string): readonly IntermediateRecord[] {
    this.refreshTrials(sweep);
    const key = keyOf(sweep);
    const mark = this.cache.metricMark(key, name);
    if (mark !== sweep.revision) {
      const rows = this.changedIntermediates.all(sweep.id, name, mark ?? -1);
      this.cache.mergeIntermediates(key, name, rows.map(toIntermediateRecord), sweep.revision);
    }
    return this.cache.intermediates(key, name);
  }

  private refreshTrials(sweep: SweepStamp): void {
    const key = keyOf(sweep);
    const mark = this.cache.trialsMark(key);
    if (mark === sweep.revision) return;
    this.cache.mergeTrials(key, this.changedTrials.all(sweep.id, mark ?? -1).map(toTrialRecord), sweep.revision);
  }
}
