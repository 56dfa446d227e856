/**
 * What the user sees while a sweep runs. The controller emits events; a reporter renders them:
 *   tty   — the live view (live/terminal.ts): a block redrawn at the bottom of the terminal (slots grouped
 *           per GPU, counts, progress bar, elapsed/ETA, the best trial), finished trials scrolling above it
 *   lines — off a terminal (logs, CI, `| tee`): one line per trial event and notice, and a summary line
 *           every SUMMARY_EVERY_MS (SWEEP_SUMMARY_INTERVAL seconds); metric reports print nothing
 *   json  — one JSON object per event on stdout, for scripts
 *   quiet — warnings, errors and the final summary only
 *
 * Sweep names, parameter values, metric names and trainer output reach the terminal here, so every
 * line is passed through `escapeControl`: names and values with their newlines escaped too, whole lines
 * (whose notices may span lines) keeping newlines and tabs. JSON events escape what JSON.stringify leaves raw.
 * Parameters named like secrets (`api_key`, `hf_token`) show as `***`, and the values of secret-named
 * environment variables (`HF_TOKEN`) are hidden from everything written (config/secrets.ts).
 */
import { envSecretValues, redactSecrets, redactText } from "../config/secrets.js";
import { escapeControl, escapeControlInJson } from "../terminal-text.js";
import { snakeCaseKeys } from "../json-keys.js";
import type { Trial } from "../study/index.js";
import { finishedLine, formatBest, formatCounts, formatParams, formatValue, noticeText, oneLine } from "./live/format.js";
import { summaryText } from "./live/layout.js";
import { LiveState } from "./live/state.js";
import { LiveTerminalReporter } from "./live/terminal.js";
import type { Slot } from "./slots.js";

export { formatParams, formatValue } from "./live/format.js";

export interface TrialCounts {
  readonly queued: number;
  readonly running: number;
  readonly completed: number;
  readonly pruned: number;
  readonly failed: number;
  readonly interrupted: number;
}

export interface BestSoFar {
  readonly number: number;
  readonly value: number;
  readonly params: Record<string, unknown>;
}

export interface SweepTally {
  readonly counts: TrialCounts;
  readonly best: BestSoFar | null;
  readonly metricName?: string;
}

export type RunnerEvent =
  | { readonly type: "sweep_started"; readonly sweepId: string; readonly name: string | null; readonly worker: string; readonly storage: string; readonly slots: readonly Slot[]; readonly logFile: string | null; readonly tally: SweepTally; readonly plannedTrials?: number | null }
  | { readonly type: "trial_started"; readonly trial: Trial; readonly slot: Slot; readonly logDir: string; readonly tally?: SweepTally }
  | { readonly type: "trial_metrics"; readonly trial: Trial; readonly slot: Slot; readonly step: number; readonly metrics: Readonly<Record<string, number>> }
  | {
      readonly type: "trial_finished";
      readonly trial: Trial;
      readonly slot: Slot;
      readonly state: string;
      readonly value: number | null;
      readonly error: string | null;
      /** For a pruned trial: the step it was stopped at and the rule that stopped it. */
      readonly pruneStep?: number | null;
      readonly pruneReason?: string | null;
      readonly elapsedMs: number;
      readonly willRetry: boolean;
      readonly tally: SweepTally;
    }
  | { readonly type: "notice"; readonly level: "info" | "warn" | "error"; readonly message: string; readonly trialNumber?: number }
  | { readonly type: "sweep_finished"; readonly sweepId: string; readonly reason: string; readonly tally: SweepTally };

export interface ProgressReporter {
  emit(event: RunnerEvent): void;
  /** Stops timers and leaves the terminal clean. */
  close(): void;
}

export interface ProgressReporter {
  emit(event: RunnerEvent): void;
  /** Stops timers and leaves the terminal clean. */
  close(): void;
}

export type ProgressMode = "tty" | "lines" | "json" | "quiet";

/** How often the line mode prints its summary line. */
export const SUMMARY_EVERY_MS = 30_000;
/** Seconds between summary lines in the line mode, instead of SUMMARY_EVERY_MS (tests use a fraction of one). */
export const SUMMARY_INTERVAL_ENV = "SWEEP_SUMMARY_INTERVAL";

function timestamp(): string {
  return new Date().toISOString().slice(11, 19);
}

type Write = (text: string) => void;

export interface LineReporterOptions {
  /** Also a line per metric report (default: no; a trainer reporting every step would flood the log). */
  readonly metrics?: boolean;
  /** Milliseconds between summary lines while the sweep runs; null: none. Default SUMMARY_EVERY_MS. */
  readonly summaryEveryMs?: number | null;
  readonly now?: () => number;
}

/**
 * One human-readable line per trial event (started, completed, pruned, failed, requeued) and notice, and
 * a summary line (counts, N of run_cap, elapsed/ETA, the best trial) every so often.
 */
export class LineReporter implements ProgressReporter {
  private readonly state = new LiveState();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly write: Write,
    private readonly options: LineReporterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  emit(e: RunnerEvent): void {
    this.state.apply(e, this.now());
    if (e.type === "sweep_started") this.startSummaries();
    if (e.type === "sweep_finished") this.stopSummaries();
    const line = this.describe(e);
    if (line !== null) this.line(line);
  }

  private line(text: string): void {
    this.write(`[${timestamp()}] ${escapeControl(text, { keepLayout: true })}\n`);
  }

  private startSummaries(): void {
    const every = this.options.summaryEveryMs === undefined ? SUMMARY_EVERY_MS : this.options.summaryEveryMs;
    if (every === null || every <= 0 || this.timer) return;
    this.timer = setInterval(() => this.line(summaryText(this.state, this.now())), every);
    this.timer.unref();
  }

  private stopSummaries(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private describe(e: RunnerEvent): string | null {
    switch (e.type) {
      case "sweep_started":
        return `sweep ${e.sweepId}${e.name ? ` (${oneLine(e.name)})` : ""}: ${e.slots.length} slot(s) [${e.slots.map((s) => s.label).join(", ")}], ${e.plannedTrials ? `${e.plannedTrials} trials planned, ` : ""}storage ${e.storage}${e.logFile ? `, log ${e.logFile}` : ""}`;
      case "trial_started":
        return `trial ${e.trial.number}${e.trial.attempt > 1 ? ` (attempt ${e.trial.attempt})` : ""} started on ${e.slot.label}: ${formatParams(e.trial.params, { exact: true })} — logs ${e.logDir}`;
      case "trial_metrics":
        return this.options.metrics ? `trial ${e.trial.number} step ${e.step}: ${Object.entries(e.metrics).map(([k, v]) => `${oneLine(k)}=${formatValue(v)}`).join(" ")}` : null;
      case "trial_finished":
        return `${finishedLine(e)}; ${formatCounts(e.tally.counts)}`;
      case "notice":
        return noticeText(e);
      case "sweep_finished":
        return `sweep ${e.sweepId} ended: ${e.reason}; ${formatCounts(e.tally.counts)}; ${formatBest(e.tally)}`;
    }
  }

  close(): void {
    this.stopSummaries();
  }
}

/** Only what needs attention, and the final summary. */
export class QuietReporter implements ProgressReporter {
  private readonly lines: LineReporter;
  constructor(write: Write) {
    this.lines = new LineReporter(write, { summaryEveryMs: null });
  }
  emit(e: RunnerEvent): void {
    if ((e.type === "notice" && e.level !== "info") || e.type === "sweep_finished") this.lines.emit(e);
  }
  close(): void {}
}

/** One JSON object per event (`--format json`), with the event type in `event`; keys in snake_case as all CLI JSON. */
export class JsonReporter implements ProgressReporter {
  constructor(private readonly write: Write) {}
  emit(e: RunnerEvent): void {
    const { type, ...rest } = e;
    const payload: Record<string, unknown> = { event: type, time: new Date().toISOString() };
    for (const [k, v] of Object.entries(rest)) {
      if (k === "trial") {
        const t = v as Trial;
        payload.trial = { id: t.id, number: t.number, attempt: t.attempt, params: t.params };
      } else if (k === "slot") {
        payload.slot = (v as Slot).label;
        payload.gpus = (v as Slot).cudaVisibleDevices;
      } else if (k === "slots") {
        payload.slots = (v as Slot[]).map((s) => s.label);
      } else payload[k] = v;
    }
    const json = JSON.stringify(redactSecrets(snakeCaseKeys(payload)), (_k, val) => (typeof val === "number" && !Number.isFinite(val) ? String(val) : val));
    this.write(`${escapeControlInJson(json)}\n`);
  }
  close(): void {}
}

/** The live view (live/terminal.ts), under the name the runner has always exported. */
export { LiveTerminalReporter as TtyReporter } from "./live/terminal.js";

/** Where a reporter writes: process.stdout/stderr, or any stream-like sink (tests). */
export interface TextSink {
  write(text: string): unknown;
  readonly columns?: number;
  readonly rows?: number;
}

/** SWEEP_SUMMARY_INTERVAL in milliseconds, when it is a positive number of seconds. */
function summaryInterval(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env[SUMMARY_INTERVAL_ENV]);
  return env[SUMMARY_INTERVAL_ENV] !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : SUMMARY_EVERY_MS;
}

export function createReporter(mode: ProgressMode, streams: { stdout: TextSink; stderr: TextSink }, env: NodeJS.ProcessEnv = process.env): ProgressReporter {
  const secrets = envSecretValues(env);
  const hide = (text: string) => (secrets.length === 0 ? text : redactText(text, secrets));
  const toStderr: Write = (t) => void streams.stderr.write(hide(t));
  switch (mode) {
    case "json":
      return new JsonReporter((t) => void streams.stdout.write(hide(t)));
    case "quiet":
      return new QuietReporter(toStderr);
    case "tty":
      return new LiveTerminalReporter(streams.stderr, { filter: hide });
    case "lines":
      return new LineReporter(toStderr, { summaryEveryMs: summaryInterval(env) });
  }
}
