/**
 * Runs the compiled sts-hash trainer as a real child process and collects what it reports, for the tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { buildRoot } from "../helpers/paths.js";

export const trainerMain = join(buildRoot, "examples", "trainers", "sts-hash", "train.js");

export interface MetricsLine {
  readonly step: number;
  readonly [metric: string]: number;
}

export interface TrainerRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Parsed metric lines: from stdout's "@@sweep " lines, or from fd 3 in fd mode. */
  readonly reports: MetricsLine[];
}

export interface RunOptions {
  /** Report through SWEEP_METRICS_FD=3 instead of the stdout fallback. */
  readonly fdMode?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  /** Called after each parsed report. */
  readonly onReport?: (line: MetricsLine, child: ChildProcess) => void;
  /** Called with all stderr so far, each time more arrives. */
  readonly onStderr?: (stderrSoFar: string, child: ChildProcess) => void;
}

/** The parent's environment minus anything that would change how the trainer reports. */
function cleanEnv(extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (extra?.SWEEP_METRICS_FD === undefined) delete env.SWEEP_METRICS_FD;
  if (extra?.SWEEP_PARAMS === undefined) delete env.SWEEP_PARAMS;
  return env;
}

export function runTrainer(args: readonly string[], options: RunOptions = {}): Promise<TrainerRun> {
  const env = cleanEnv(options.fdMode ? { ...options.env, SWEEP_METRICS_FD: "3" } : options.env);
  const child = spawn(process.execPath, [trainerMain, ...args], {
    env,
    stdio: options.fdMode ? ["ignore", "pipe", "pipe", "pipe"] : ["ignore", "pipe", "pipe"],
  });
  const reports: MetricsLine[] = [];
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    options.onStderr?.(stderr, child);
  });

  const metricsStream = options.fdMode ? (child.stdio[3] as Readable) : child.stdout!;
  const prefix = options.fdMode ? "" : "@@sweep ";
  let pending = "";
  metricsStream.setEncoding("utf8");
  metricsStream.on("data", (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (!line.startsWith(prefix)) continue;
      const parsed = JSON.parse(line.slice(prefix.length)) as MetricsLine;
      reports.push(parsed);
      options.onReport?.(parsed, child);
    }
  });

  return new Promise((resolve, reject) => {
    child.on("error", reject);
    // "close", not "exit": it waits until every pipe has been read to the end.
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, reports }));
  });
}

/** The trainer's metric names, in the order it reports them. */
export const METRIC_NAMES = ["train_loss", "val_loss", "val_pearson", "val_spearman"] as const;
