/**
 * What the user sees while a sweep runs. The controller emits events; a reporter renders them:
 *   tty   — a live table, one row per slot, redrawn in place (stderr is a terminal)
 *   lines — one line per event (logs, CI, `| tee`)
 *   json  — one JSON object per event on stdout, for scripts
 *   quiet — warnings, errors and the final summary only
 *
 * Sweep names, parameter values, metric names and trainer output reach the terminal here, so every
 * line is passed through `escapeControl`: names and values with their newlines escaped too, whole lines
 * (whose notices may span lines) keeping newlines and tabs. JSON events escape what JSON.stringify leaves raw.
 * Parameters named like secrets (`api_key`, `hf_token`) show as `***`, and the values of secret-named
 * environment variables (`HF_TOKEN`) are hidden from everything written (config/secrets.ts).
 */
import { envSecretValues, isSecretName, REDACTED, redactSecrets, redactText } from "../config/secrets.js";
import { escapeControl, escapeControlInJson } from "../terminal-text.js";
import { snakeCaseKeys } from "../json-keys.js";
import type { Trial } from "../study/index.js";
import type { Slot } from "./slots.js";

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
  | { readonly type: "sweep_started"; readonly sweepId: string; readonly name: string | null; readonly worker: string; readonly storage: string; readonly slots: readonly Slot[]; readonly logFile: string | null; readonly tally: SweepTally }
  | { readonly type: "trial_started"; readonly trial: Trial; readonly slot: Slot; readonly logDir: string }
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

export type ProgressMode = "tty" | "lines" | "json" | "quiet";

export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return "-";
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3 ? value.toExponential(3) : String(Number(value.toPrecision(4)));
}

/** One-line text for a name or value from a user or a trainer. */
function oneLine(text: string): string {
  return escapeControl(text);
}

export function formatParams(params: Readonly<Record<string, unknown>>, maxLength = Infinity): string {
  const show = (k: string, v: unknown) => (isSecretName(k) ? REDACTED : typeof v === "number" ? formatValue(v) : typeof v === "string" ? v : JSON.stringify(v));
  const text = Object.entries(params)
    .map(([k, v]) => oneLine(`${k}=${show(k, v)}`))
    .join(" ");
  return text.length > maxLength ? `${text.slice(0, Math.max(0, maxLength - 1))}…` : text;
}

function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(sec).padStart(2, "0")}s` : `${sec}s`;
}

function formatCounts(c: TrialCounts): string {
  const parts = [`${c.completed} completed`, `${c.running} running`];
  if (c.queued) parts.push(`${c.queued} queued`);
  if (c.pruned) parts.push(`${c.pruned} pruned`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.interrupted) parts.push(`${c.interrupted} interrupted`);
  return parts.join(", ");
}

function formatBest(tally: SweepTally): string {
  if (!tally.best) return "best: -";
  return `best: trial ${tally.best.number} ${oneLine(tally.metricName ?? "value")}=${formatValue(tally.best.value)} (${formatParams(tally.best.params, 60)})`;
}

function firstLine(text: string | null): string {
  return (text ?? "").split("\n")[0] ?? "";
}

function timestamp(): string {
  return new Date().toISOString().slice(11, 19);
}

type Write = (text: string) => void;

/** One human-readable line per event. */
export class LineReporter implements ProgressReporter {
  constructor(
    private readonly write: Write,
    private readonly verbose = true,
  ) {}

  emit(e: RunnerEvent): void {
    const line = this.describe(e);
    if (line !== null) this.write(`[${timestamp()}] ${escapeControl(line, { keepLayout: true })}\n`);
  }

  private describe(e: RunnerEvent): string | null {
    switch (e.type) {
      case "sweep_started":
        return `sweep ${e.sweepId}${e.name ? ` (${oneLine(e.name)})` : ""}: ${e.slots.length} slot(s) [${e.slots.map((s) => s.label).join(", ")}], storage ${e.storage}${e.logFile ? `, log ${e.logFile}` : ""}`;
      case "trial_started":
        return `trial ${e.trial.number}${e.trial.attempt > 1 ? ` (attempt ${e.trial.attempt})` : ""} started on ${e.slot.label}: ${formatParams(e.trial.params)} — logs ${e.logDir}`;
      case "trial_metrics":
        return this.verbose ? `trial ${e.trial.number} step ${e.step}: ${Object.entries(e.metrics).map(([k, v]) => `${oneLine(k)}=${formatValue(v)}`).join(" ")}` : null;
      case "trial_finished": {
        const what = e.state === "completed" ? `completed, value ${formatValue(e.value)}` : outcomeText(e);
        return `trial ${e.trial.number} ${what} (${formatDuration(e.elapsedMs)})${e.willRetry ? " — will retry" : ""}; ${formatCounts(e.tally.counts)}`;
      }
      case "notice":
        return `${e.level === "info" ? "" : `${e.level}: `}${e.trialNumber !== undefined ? `trial ${e.trialNumber}: ` : ""}${e.message}`;
      case "sweep_finished":
        return `sweep ${e.sweepId} ended: ${e.reason}; ${formatCounts(e.tally.counts)}; ${formatBest(e.tally)}`;
    }
  }

  close(): void {}
}

/** Only what needs attention, and the final summary. */
export class QuietReporter implements ProgressReporter {
  private readonly lines: LineReporter;
  constructor(write: Write) {
    this.lines = new LineReporter(write, false);
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

interface SlotRow {
  trial: Trial;
  startedAt: number;
  step: number | null;
  metric: number | null;
}

/**
 * The live table. Redraws in place (cursor up + clear) at most every `refreshMs` and on each trial start
 * or end; notices are printed above the table so they stay in the scrollback.
 */
export class TtyReporter implements ProgressReporter {
  private slots: readonly Slot[] = [];
  private readonly rows = new Map<number, SlotRow>();
  private tally: SweepTally | null = null;
  private header = "";
  private drawnLines = 0;
  private readonly timer: NodeJS.Timeout;
  private dirty = false;

  constructor(
    private readonly write: Write,
    private readonly columns: () => number,
    refreshMs = 1000,
  ) {
    this.timer = setInterval(() => this.render(), refreshMs);
    this.timer.unref();
  }

  emit(e: RunnerEvent): void {
    switch (e.type) {
      case "sweep_started":
        this.slots = e.slots;
        this.tally = e.tally;
        this.header = oneLine(`sweep ${e.sweepId}${e.name ? ` (${e.name})` : ""} — storage ${e.storage}${e.logFile ? ` — log ${e.logFile}` : ""}`);
        break;
      case "trial_started":
        this.rows.set(e.slot.index, { trial: e.trial, startedAt: Date.now(), step: null, metric: null });
        break;
      case "trial_metrics": {
        const row = this.rows.get(e.slot.index);
        if (row) {
          row.step = e.step;
          const name = this.tally?.metricName;
          row.metric = name !== undefined && name in e.metrics ? e.metrics[name]! : (Object.values(e.metrics)[0] ?? null);
        }
        this.dirty = true;
        return;
      }
      case "trial_finished":
        this.rows.delete(e.slot.index);
        this.tally = e.tally;
        if (e.state !== "completed") this.printAbove(`trial ${e.trial.number} ${outcomeText(e)}`);
        break;
      case "notice":
        this.printAbove(`${e.level === "info" ? "" : `${e.level}: `}${e.trialNumber !== undefined ? `trial ${e.trialNumber}: ` : ""}${e.message}`);
        break;
      case "sweep_finished":
        this.tally = e.tally;
        this.render();
        this.write(`${escapeControl(`sweep ${e.sweepId} ended: ${e.reason}; ${formatCounts(e.tally.counts)}; ${formatBest(e.tally)}`, { keepLayout: true })}\n`);
        this.drawnLines = 0;
        return;
    }
    this.render();
  }

  private printAbove(text: string): void {
    this.clear();
    this.write(`${escapeControl(text, { keepLayout: true })}\n`);
    this.drawnLines = 0;
  }

  private clear(): void {
    if (this.drawnLines > 0) this.write(`\x1b[${this.drawnLines}F\x1b[J`);
    this.drawnLines = 0;
  }

  private render(): void {
    if (this.slots.length === 0 && !this.dirty) return;
    this.dirty = false;
    const width = Math.max(60, this.columns());
    const metricName = oneLine(this.tally?.metricName ?? "metric");
    const lines = [this.header, `${"SLOT".padEnd(10)} ${"TRIAL".padEnd(6)} ${"STEP".padStart(6)} ${metricName.slice(0, 12).padStart(12)} ${"ELAPSED".padStart(8)}  PARAMS`];
    for (const slot of this.slots) {
      const row = this.rows.get(slot.index);
      if (!row) {
        lines.push(`${slot.label.padEnd(10)} ${"-".padEnd(6)} ${"".padStart(6)} ${"".padStart(12)} ${"".padStart(8)}  (idle)`);
        continue;
      }
      const fixed = `${slot.label.padEnd(10)} ${String(row.trial.number).padEnd(6)} ${(row.step === null ? "-" : String(row.step)).padStart(6)} ${formatValue(row.metric).padStart(12)} ${formatDuration(Date.now() - row.startedAt).padStart(8)}  `;
      lines.push(fixed + formatParams(row.trial.params, width - fixed.length - 1));
    }
    if (this.tally) lines.push(`${formatCounts(this.tally.counts)} — ${formatBest(this.tally)}`);
    this.clear();
    const clipped = lines.map(oneLine).map((l) => (l.length > width - 1 ? `${l.slice(0, width - 2)}…` : l));
    this.write(`${clipped.join("\n")}\n`);
    this.drawnLines = clipped.length;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/** Where a reporter writes: process.stdout/stderr, or any stream-like sink (tests). */
export interface TextSink {
  write(text: string): unknown;
  readonly columns?: number;
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
      return new TtyReporter(toStderr, () => streams.stderr.columns ?? 100);
    case "lines":
      return new LineReporter(toStderr);
  }
}

/** "pruned at step 4 (W&B hyperband band 1 …)", "failed: exited with code 1": how a trial that did not complete ended. */
function outcomeText(e: Extract<RunnerEvent, { type: "trial_finished" }>): string {
  if (e.state === "pruned") {
    const at = e.pruneStep !== undefined && e.pruneStep !== null ? ` at step ${e.pruneStep}` : "";
    return `pruned${at}${e.pruneReason ? ` (${e.pruneReason})` : ""}`;
  }
  return `${e.state}${e.error ? `: ${firstLine(e.error)}` : ""}`;
}
