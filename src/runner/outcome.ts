/**
 * How a trainer run ended, in the terms the study records: completed, pruned, failed (with the cause
 * and the tail of stderr) or interrupted. Also decides which failures deserve a retry, and spots a
 * trainer that is simply broken.
 */
import type { TellResult } from "../study/index.js";
import type { TrainerExit } from "./trainer-process.js";

/** Why the controller stopped a trial itself (as opposed to the trainer ending on its own). */
export type StopCause =
  | { readonly kind: "pruned"; readonly step: number | null; readonly reason: string }
  | { readonly kind: "timeout"; readonly seconds: number }
  /** The sweep metric came back NaN or infinite: the trial diverged. */
  | { readonly kind: "nan"; readonly metric: string; readonly value: string; readonly step: number }
  /** Ctrl-C, SIGTERM, `--count` reached mid-trial: the trial is requeued by `sweep resume`. */
  | { readonly kind: "interrupt"; readonly reason: string }
  /** The sweep was stopped because its first trials all failed the same way. */
  | { readonly kind: "broken-trainer" };

export interface TrialRunFacts {
  readonly exit: TrainerExit | null;
  /** Set when the trainer could not be started at all. */
  readonly launchError?: string;
  readonly stopCause: StopCause | null;
  /** The sweep metric's name, if the sweep has one. */
  readonly metricName?: string;
  /** Names of every metric the trainer reported in this attempt. */
  readonly reportedMetrics: ReadonlySet<string>;
  /**
   * The run's summary, if the trainer sent one (docs/protocol.md; the W&B shim sends `run.summary`). Its
   * value of the sweep metric is the trial's objective, as W&B takes a run's value from its summary.
   */
  readonly summary?: Readonly<Record<string, number>> | null;
}

export interface ClassifiedOutcome {
  readonly result: Exclude<TellResult, number>;
  /** Worth running again with the same params (crashes), as opposed to deterministic outcomes. */
  readonly retryable: boolean;
  /** Same string for "the same way of failing": used to detect a broken trainer. Null unless failed. */
  readonly signature: string | null;
}

function withTail(message: string, tail: string): string {
  return tail ? `${message}\n--- last lines of stderr ---\n${tail}` : message;
}

/** The last stderr line with numbers masked, so "pid 123" and "pid 456" count as the same failure. */
function lastLineShape(tail: string): string {
  const last = tail.split("\n").filter((l) => l.trim() !== "").at(-1) ?? "";
  return last.replace(/0x[0-9a-f]+/gi, "#").replace(/\d+(\.\d+)?/g, "#").trim();
}

export function classifyOutcome(facts: TrialRunFacts): ClassifiedOutcome {
  const tail = facts.exit?.stderrTail ?? "";
  const exitCode = facts.exit?.code ?? null;
  const signal = facts.exit?.signal ?? null;
  const failed = (error: string, retryable: boolean, signature: string): ClassifiedOutcome => ({
    result: { state: "failed", error, exitCode, signal },
    retryable,
    signature,
  });

  if (facts.launchError !== undefined) return failed(facts.launchError, false, `launch:${facts.launchError}`);

  const cause = facts.stopCause;
  if (cause) {
    switch (cause.kind) {
      case "pruned":
        return { result: { state: "pruned", pruneStep: cause.step, pruneReason: cause.reason, exitCode, signal }, retryable: false, signature: null };
      case "interrupt":
        return { result: { state: "interrupted", error: cause.reason, exitCode, signal }, retryable: false, signature: null };
      case "broken-trainer":
        return { result: { state: "interrupted", error: "stopped: the sweep's trainer looks broken (its last runs all failed)", exitCode, signal }, retryable: false, signature: null };
      case "timeout":
        // A timeout would most likely repeat with the same params, so it is not retried.
        return failed(withTail(`timed out after ${cause.seconds} s (--trial-timeout)`, tail), false, "timeout");
      case "nan":
        // Divergence is a property of the params, not bad luck: not retried.
        return failed(withTail(`metric '${cause.metric}' was ${cause.value} at step ${cause.step}`, tail), false, `nan:${cause.metric}`);
    }
  }

  if (signal !== null) {
    return failed(withTail(`killed by signal ${signal}`, tail), true, `signal:${signal}:${lastLineShape(tail)}`);
  }
  if (exitCode !== 0) {
    return failed(withTail(`exited with code ${exitCode}`, tail), true, `exit:${exitCode}:${lastLineShape(tail)}`);
  }
  const summaryValue = facts.metricName !== undefined ? facts.summary?.[facts.metricName] : undefined;
  if (facts.metricName !== undefined && !facts.reportedMetrics.has(facts.metricName) && summaryValue === undefined) {
    const seen = [...facts.reportedMetrics];
    const what = seen.length === 0 ? "no metric at all" : `only ${seen.map((m) => `'${m}'`).join(", ")}`;
    return failed(
      withTail(`exited with code 0 without reporting the sweep metric '${facts.metricName}' (it reported ${what}); see docs/protocol.md`, tail),
      true,
      `no-metric:${seen.sort().join(",")}`,
    );
  }
  return { result: summaryValue !== undefined ? { state: "completed", value: summaryValue } : { state: "completed" }, retryable: false, signature: null };
}

/**
 * Fail-fast: a trainer that is broken (a typo, a missing package, a wrong path, a disk that filled up on
 * trial 40) burns GPU hours for nothing. The sweep stops when the last N trainer runs of this controller all
 * failed the same way, or when 2N runs in a row failed in any way, at any point of the sweep, not only at its
 * start. Retries count as runs, so a broken trainer with retries is caught after N runs rather than N trials.
 * A success, or a pruned run, breaks the streak; interrupted runs say nothing about the trainer.
 */
export class BrokenTrainerDetector {
  private streak: string[] = [];

  constructor(readonly threshold: number) {}

  /** Records one finished run; returns true when the sweep should stop now. */
  record(outcome: ClassifiedOutcome): boolean {
    if (this.threshold <= 0 || outcome.result.state === "interrupted") return false;
    if (outcome.signature === null) {
      this.streak = [];
      return false;
    }
    this.streak.push(outcome.signature);
    const last = this.streak.slice(-this.threshold);
    if (last.length === this.threshold && last.every((s) => s === last[0])) return true;
    return this.streak.length >= 2 * this.threshold;
  }

  /** The failing streak in words, for the message that stops the sweep. */
  describe(): string {
    const last = this.streak.slice(-this.threshold);
    return last.length === this.threshold && last.every((s) => s === last[0])
      ? `the last ${this.threshold} trial runs all failed the same way`
      : `${this.streak.length} trial runs in a row failed`;
  }
}
