/**
 * What the progress views know about a running sweep, built from the controller's events alone (no
 * storage reads, no clock: `now` comes with each event), so every view is a pure function of it.
 */
import type { Trial } from "../../study/index.js";
import type { RunnerEvent, SweepTally, TrialCounts } from "../progress.js";
import type { Slot } from "../slots.js";

export interface RunningTrial {
  readonly trial: Trial;
  readonly slot: Slot;
  readonly startedAt: number;
  step: number | null;
  /** Latest value of the sweep metric (or of the first metric reported, for a sweep without one). */
  metric: number | null;
  /** Re-attached after its controller died: it holds no slot of this controller. */
  readonly followed: boolean;
}

/** Trials that are over and will not run again: completed, pruned or failed. */
export function doneCount(c: TrialCounts): number {
  return c.completed + c.pruned + c.failed;
}

export class LiveState {
  sweepId: string | null = null;
  name: string | null = null;
  storage = "";
  logFile: string | null = null;
  slots: readonly Slot[] = [];
  /** By trial id. */
  readonly running = new Map<number, RunningTrial>();
  tally: SweepTally | null = null;
  plannedTrials: number | null = null;
  startedAt: number | null = null;
  /** Done trials when this controller started: only those done since count towards the ETA's pace. */
  doneAtStart = 0;

  apply(e: RunnerEvent, now: number): void {
    switch (e.type) {
      case "sweep_started":
        this.sweepId = e.sweepId;
        this.name = e.name;
        this.storage = e.storage;
        this.logFile = e.logFile;
        this.slots = e.slots;
        this.tally = e.tally;
        this.plannedTrials = e.plannedTrials ?? null;
        this.startedAt = now;
        this.doneAtStart = doneCount(e.tally.counts);
        return;
      case "trial_started":
        this.running.set(e.trial.id, { trial: e.trial, slot: e.slot, startedAt: now, step: null, metric: null, followed: false });
        if (e.tally) this.tally = e.tally;
        return;
      case "trial_metrics": {
        let row = this.running.get(e.trial.id);
        if (!row) {
          // A trial followed after its controller died announces itself with its first report.
          row = { trial: e.trial, slot: e.slot, startedAt: now, step: null, metric: null, followed: true };
          this.running.set(e.trial.id, row);
        }
        row.step = e.step;
        const name = this.tally?.metricName;
        row.metric = name !== undefined && name in e.metrics ? e.metrics[name]! : name === undefined ? (Object.values(e.metrics)[0] ?? null) : row.metric;
        return;
      }
      case "trial_finished":
        this.running.delete(e.trial.id);
        this.tally = e.tally;
        return;
      case "notice":
        return;
      case "sweep_finished":
        this.tally = e.tally;
        this.running.clear();
        return;
    }
  }
}

export interface ProgressFigures {
  /** Completed, pruned and failed trials of the sweep (all workers). */
  readonly done: number;
  /** The trials the sweep will run (run_cap, the grid's size, `--count`), or null when it has no end. */
  readonly total: number | null;
  readonly running: number;
  readonly elapsedMs: number;
  /**
   * Time left at the pace of the trials finished since this controller started (all workers, so agents
   * speed it up): remaining trials × elapsed / trials done meanwhile. Null until one has finished, or when
   * the sweep has no end.
   */
  readonly etaMs: number | null;
}

export function progressFigures(state: LiveState, now: number): ProgressFigures {
  const counts = state.tally?.counts;
  const done = counts ? doneCount(counts) : 0;
  const total = state.plannedTrials;
  const elapsedMs = state.startedAt === null ? 0 : Math.max(0, now - state.startedAt);
  const doneHere = done - state.doneAtStart;
  const etaMs = total === null || doneHere <= 0 || elapsedMs <= 0 ? null : (Math.max(0, total - done) * elapsedMs) / doneHere;
  return { done, total, running: counts?.running ?? state.running.size, elapsedMs, etaMs };
}
