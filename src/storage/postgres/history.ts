/**
 * PostgreSQL's side of the shared history cache (src/storage/history-cache.ts): the rows stamped by a
 * transaction at or after the cache's watermark (schema version 3 explains why that misses nothing).
 *
 * Refreshes of one storage run one at a time: two interleaved refreshes could merge an older snapshot's rows
 * over a newer one's and hand a proposer a stale view.
 */
import { HistoryCache, type CachedSweepKey } from "../history-cache.js";
import type { IntermediateRecord, TrialRecord } from "../types.js";
import { toIntermediateRecord, toTrialRecord, type IntermediateRow, type TrialRow } from "../sqlite/rows.js";
import type { Session } from "./connection.js";
import { SQL } from "./statements.js";

export interface PostgresHistoryView {
  readonly trials: readonly TrialRecord[];
  readonly intermediates: readonly IntermediateRecord[];
}

export class PostgresHistory {
  private readonly cache = new HistoryCache();
  private tail: Promise<unknown> = Promise.resolve();

  /** The sweep's trials (by number) and current-attempt values of `metricName`, as stored now. */
  read(session: Session, sweepRow: { readonly id: string; readonly seq: string | number }, metricName?: string): Promise<PostgresHistoryView> {
    const sweep: CachedSweepKey = { id: sweepRow.id, incarnation: String(sweepRow.seq) };
    const next = this.tail.then(() => this.refresh(session, sweep, metricName));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async refresh(session: Session, sweep: CachedSweepKey, metricName?: string): Promise<PostgresHistoryView> {
    const [{ mark: markText }] = (await session.query<{ mark: string }>("historyWatermark", SQL.historyWatermark)) as [{ mark: string }];
    const mark = Number(markText);
    const trialsMark = this.cache.trialsMark(sweep);
    const trialRows =
      trialsMark === null
        ? await session.query<TrialRow>("listTrials", SQL.listTrials, [sweep.id])
        : await session.query<TrialRow>("changedTrials", SQL.changedTrials, [sweep.id, trialsMark]);
    this.cache.mergeTrials(sweep, trialRows.map(toTrialRecord), mark);
    if (metricName === undefined) return { trials: this.cache.trials(sweep), intermediates: [] };

    const metricMark = this.cache.metricMark(sweep, metricName);
    const valueRows =
      metricMark === null
        ? await session.query<IntermediateRow>("allIntermediatesOfSweep", SQL.allIntermediatesOfSweep, [sweep.id, metricName])
        : await session.query<IntermediateRow>("changedIntermediatesOfSweep", SQL.changedIntermediatesOfSweep, [sweep.id, metricName, metricMark]);
    this.cache.mergeIntermediates(sweep, metricName, valueRows.map(toIntermediateRecord), mark);
    return { trials: this.cache.trials(sweep), intermediates: this.cache.intermediates(sweep, metricName) };
  }
}
