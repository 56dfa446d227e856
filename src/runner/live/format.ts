/**
 * The words every progress mode shares: values, parameters, durations, counts, the best trial, how a trial
 * ended. Text from users and trainers is escaped here (`escapeControl`), and secret-named parameters show
 * as `***` (config/secrets.ts).
 */
import { isSecretName, REDACTED } from "../../config/secrets.js";
import { escapeControl } from "../../terminal-text.js";
import type { RunnerEvent, SweepTally, TrialCounts } from "../progress.js";

/** A metric value, short: at most 4 significant digits. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return "-";
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3 ? value.toExponential(3) : String(Number(value.toPrecision(4)));
}

/** One-line text for a name or value from a user or a trainer. */
export function oneLine(text: string): string {
  return escapeControl(text);
}

export interface ParamFormat {
  /**
   * Numbers as they are (`lr=0.000123456789`), for the best trial and the logs; otherwise rounded to 4
   * significant digits (`lr=1.235e-4`), for the narrow live table.
   */
  readonly exact?: boolean;
}

/** `name=value` for each parameter, escaped, secrets hidden. */
export function paramWords(params: Readonly<Record<string, unknown>>, format: ParamFormat = {}): string[] {
  const show = (k: string, v: unknown) =>
    isSecretName(k) ? REDACTED : typeof v === "number" ? (format.exact ? String(v) : formatValue(v)) : typeof v === "string" ? v : JSON.stringify(v);
  return Object.entries(params).map(([k, v]) => oneLine(`${k}=${show(k, v)}`));
}

/** Every parameter on one line, in full. */
export function formatParams(params: Readonly<Record<string, unknown>>, format: ParamFormat = {}): string {
  return paramWords(params, format).join(" ");
}

/** "4s", "1m05s", "2h03m". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(sec).padStart(2, "0")}s` : `${sec}s`;
}

/** "2 completed, 1 running, 1 failed": the counts that are not zero (completed and running always). */
export function formatCounts(c: TrialCounts): string {
  const parts = [`${c.completed} completed`, `${c.running} running`];
  if (c.queued) parts.push(`${c.queued} queued`);
  if (c.pruned) parts.push(`${c.pruned} pruned`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.interrupted) parts.push(`${c.interrupted} interrupted`);
  return parts.join(", ");
}

/** "best: trial 3 val_acc=0.8123 (lr=0.000123456789 model=…)", with every parameter in full. */
export function formatBest(tally: SweepTally): string {
  if (!tally.best) return "best: -";
  return `${bestHead(tally)} (${formatParams(tally.best.params, { exact: true })})`;
}

/** "best: trial 3 val_acc=0.8123", without the parameters. */
export function bestHead(tally: SweepTally): string {
  if (!tally.best) return "best: -";
  return `best: trial ${tally.best.number} ${oneLine(tally.metricName ?? "value")}=${formatValue(tally.best.value)}`;
}

function firstLine(text: string | null): string {
  return (text ?? "").split("\n")[0] ?? "";
}

/** "pruned at step 4 (W&B hyperband band 1 …)", "failed: exited with code 1": how a trial that did not complete ended. */
export function outcomeText(e: Extract<RunnerEvent, { type: "trial_finished" }>): string {
  if (e.state === "pruned") {
    const at = e.pruneStep !== undefined && e.pruneStep !== null ? ` at step ${e.pruneStep}` : "";
    return `pruned${at}${e.pruneReason ? ` (${e.pruneReason})` : ""}`;
  }
  return `${e.state}${e.error ? `: ${firstLine(e.error)}` : ""}`;
}

/**
 * The line a finished trial leaves in the scrollback and in the logs: how it ended, its value, how long it
 * took, where it ran, its parameters in full; "requeued" when it will be run again.
 */
export function finishedLine(e: Extract<RunnerEvent, { type: "trial_finished" }>): string {
  const what = e.state === "completed" ? `completed, value ${formatValue(e.value)}` : outcomeText(e);
  const retry = e.willRetry ? ` — will retry (requeued for attempt ${e.trial.attempt + 1})` : "";
  return `trial ${e.trial.number} ${what} (${formatDuration(e.elapsedMs)} on ${e.slot.label})${retry}: ${formatParams(e.trial.params, { exact: true })}`;
}

/** A notice as one (possibly multi-line) message: "warn: trial 3: …". */
export function noticeText(e: Extract<RunnerEvent, { type: "notice" }>): string {
  return `${e.level === "info" ? "" : `${e.level}: `}${e.trialNumber !== undefined ? `trial ${e.trialNumber}: ` : ""}${e.message}`;
}
