/**
 * A per-storage-instance copy of each sweep's decoded history (trials, and intermediate values of the metrics
 * a sampler asked for), brought up to date from only the rows that changed since the last read. Shared by the
 * SQLite and PostgreSQL backends; each finds "what changed" its own way and hands the rows here with a new
 * watermark:
 * - SQLite stamps every changed row with the sweep's revision (triggers); the watermark is that revision and
 *   a read asks for rows with a newer stamp (src/storage/sqlite/schema.ts, version 2).
 * - PostgreSQL stamps every changed row with the writing transaction's id; the watermark is the oldest
 *   transaction still running when the read began, and a read asks for rows stamped at or after it
 *   (src/storage/postgres/schema.ts, version 3, explains why that never misses a row).
 *
 * Why: a claim hands the sampler the whole history under the write lock. Re-reading and re-decoding every row
 * on every claim made a claim cost O(trials) in reads and JSON parsing; with the cache a claim reads only what
 * changed since the last one, usually two rows, whichever process wrote them. A row may arrive twice (the
 * PostgreSQL watermark is conservative): merging is by key, so that is harmless. Records handed out from here
 * are frozen and shared, so no caller can alter the cache.
 */
import type { IntermediateRecord, TrialRecord } from "./types.js";

/** Where a reader stands: null before the first read (read everything), else the backend's watermark. */
export type Watermark = number | null;

/**
 * What the cache files a sweep under: its id and what tells this sweep apart from an earlier one of the same
 * id (its creation time in SQLite, its never-reused `seq` in PostgreSQL), so a sweep removed (by any process)
 * and made again under the same id starts from an empty cache instead of inheriting the old one's trials.
 */
export interface CachedSweepKey {
  readonly id: string;
  readonly incarnation: string;
}

function keyOf(sweep: CachedSweepKey): string {
  return `${sweep.id}\u0000${sweep.incarnation}`;
}

interface CachedSweep {
  mark: Watermark;
  /** Bumped whenever a merge changed a trial: the current-attempt view of intermediates depends on attempts. */
  version: number;
  trials: TrialRecord[];
  /** Trial id -> index in `trials` (ordered by number). */
  indexById: Map<number, number>;
  metrics: Map<string, CachedMetric>;
}

interface CachedMetric {
  mark: Watermark;
  /** `${trialId}:${attempt}:${step}` -> record */
  byKey: Map<string, IntermediateRecord>;
  /** Current-attempt records ordered by trial, step; rebuilt lazily after changes. */
  current: IntermediateRecord[] | null;
  /** The sweep version `current` was filtered against (a requeue changes which attempt is current). */
  versionSeen: number;
}

export class HistoryCache {
  private readonly sweeps = new Map<string, CachedSweep>();

  /** Where the trials of this sweep were last read up to. */
  trialsMark(key: CachedSweepKey): Watermark {
    return this.sweeps.get(keyOf(key))?.mark ?? null;
  }

  /** Where one metric's intermediate values of this sweep were last read up to. */
  metricMark(key: CachedSweepKey, name: string): Watermark {
    return this.sweeps.get(keyOf(key))?.metrics.get(name)?.mark ?? null;
  }

  /** Merges changed (or first-read) trial records and moves the sweep's watermark to `mark`. */
  mergeTrials(key: CachedSweepKey, changed: readonly TrialRecord[], mark: number): void {
    const sweep = this.sweep(key);
    sweep.mark = mark;
    if (changed.length === 0) return;
    let unordered = false;
    for (const fresh of changed) {
      const record = freezeTrial(fresh);
      const index = sweep.indexById.get(record.id);
      if (index === undefined) {
        // New trials normally arrive in number order after all known ones; only otherwise re-sort.
        const last = sweep.trials[sweep.trials.length - 1];
        if (last !== undefined && last.number > record.number) unordered = true;
        sweep.indexById.set(record.id, sweep.trials.length);
        sweep.trials.push(record);
      } else {
        sweep.trials[index] = record;
      }
    }
    if (unordered) {
      sweep.trials.sort((a, b) => a.number - b.number);
      sweep.trials.forEach((t, i) => sweep.indexById.set(t.id, i));
    }
    // A new array whenever anything changed, so a caller holding the old one sees a consistent snapshot.
    sweep.trials = sweep.trials.slice();
    sweep.version++;
  }

  /** Merges changed (or first-read) intermediate values of one metric, any attempt; moves its watermark. */
  mergeIntermediates(key: CachedSweepKey, name: string, changed: readonly IntermediateRecord[], mark: number): void {
    const metric = this.metric(key, name);
    metric.mark = mark;
    if (changed.length === 0) return;
    for (const record of changed) metric.byKey.set(`${record.trialId}:${record.attempt}:${record.step}`, Object.freeze(record));
    metric.current = null;
  }

  /** The sweep's trials, ordered by number, as of the last merge. */
  trials(key: CachedSweepKey): readonly TrialRecord[] {
    return this.sweeps.get(keyOf(key))?.trials ?? [];
  }

  /** Current-attempt intermediate values of one metric, ordered by trial id and step, as of the last merges. */
  intermediates(key: CachedSweepKey, name: string): readonly IntermediateRecord[] {
    const sweep = this.sweep(key);
    const metric = this.metric(key, name);
    if (metric.byKey.size === 0) return (metric.current = []);
    if (metric.current === null || metric.versionSeen !== sweep.version) {
      const attemptOf = new Map(sweep.trials.map((t) => [t.id, t.attempt]));
      metric.current = [...metric.byKey.values()]
        .filter((r) => attemptOf.get(r.trialId) === r.attempt)
        .sort((a, b) => a.trialId - b.trialId || a.step - b.step);
      metric.versionSeen = sweep.version;
    }
    return metric.current;
  }

  private sweep(key: CachedSweepKey): CachedSweep {
    let sweep = this.sweeps.get(keyOf(key));
    if (!sweep) this.sweeps.set(keyOf(key), (sweep = { mark: null, version: 0, trials: [], indexById: new Map(), metrics: new Map() }));
    return sweep;
  }

  private metric(key: CachedSweepKey, name: string): CachedMetric {
    const sweep = this.sweep(key);
    let metric = sweep.metrics.get(name);
    if (!metric) sweep.metrics.set(name, (metric = { mark: null, byKey: new Map(), current: null, versionSeen: -1 }));
    return metric;
  }
}

function freezeTrial(record: TrialRecord): TrialRecord {
  Object.freeze(record.params);
  Object.freeze(record.meta);
  return Object.freeze(record);
}
