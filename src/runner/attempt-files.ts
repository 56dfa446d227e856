/**
 * The files of one trial attempt, in its trial folder. They are the durable half of a running trial: the
 * supervisor writes them whether or not a controller is alive, so a controller that starts later can follow a
 * running trainer (re-attach) or take over the result of one that finished unwatched (adopt).
 *
 *   attempt-K.stdout.log / attempt-K.stderr.log  the trainer's output (capped)
 *   attempt-K.metrics                           every metric line, in arrival order, one per line:
 *                                               "p <json>" from the fd-3 pipe, "s <json>" from `@@sweep` stdout,
 *                                               "! <p|s> <error>\t<start of the line>" for a line too long
 *   attempt-K.exit.json                         how the trainer ended; written last, atomically (rename)
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface AttemptFiles {
  readonly stdout: string;
  readonly stderr: string;
  readonly metrics: string;
  readonly exit: string;
}

export function attemptFiles(trialDir: string, attempt: number): AttemptFiles {
  const base = join(trialDir, `attempt-${attempt}`);
  return { stdout: `${base}.stdout.log`, stderr: `${base}.stderr.log`, metrics: `${base}.metrics`, exit: `${base}.exit.json` };
}

/** What the supervisor knows when the trainer has ended. */
export interface ExitRecord {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: string;
  /** Set when the trainer could not be started at all (ENOENT, EACCES). */
  readonly launchError?: string;
  readonly endedAt: string;
}

export function writeExitRecord(path: string, record: ExitRecord): void {
  // tmp + rename: a reader sees either no file or the whole record, never half of one.
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(record));
  renameSync(tmp, path);
}

export function readExitRecord(path: string): ExitRecord | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  try {
    const r = JSON.parse(text) as Partial<ExitRecord>;
    return {
      code: typeof r.code === "number" ? r.code : null,
      signal: typeof r.signal === "string" ? (r.signal as NodeJS.Signals) : null,
      stderrTail: typeof r.stderrTail === "string" ? r.stderrTail : "",
      ...(typeof r.launchError === "string" ? { launchError: r.launchError } : {}),
      endedAt: typeof r.endedAt === "string" ? r.endedAt : new Date().toISOString(),
    };
  } catch {
    return null;
  }
}

export type MetricSource = "pipe" | "stdout";

export type MetricFileLine =
  | { readonly kind: "line"; readonly source: MetricSource; readonly text: string }
  | { readonly kind: "overlong"; readonly source: MetricSource; readonly prefix: string };

export function encodeMetricFileLine(entry: MetricFileLine): string {
  const src = entry.source === "pipe" ? "p" : "s";
  // A metric line is one line by construction (split on \n); \r and other bytes pass through untouched.
  if (entry.kind === "line") return `${src} ${entry.text}\n`;
  return `! ${src} line longer than 64 KiB\t${entry.prefix.replace(/[\n\t]/g, " ")}\n`;
}

export function decodeMetricFileLine(line: string): MetricFileLine | null {
  if (line.startsWith("p ") || line.startsWith("s ")) {
    return { kind: "line", source: line[0] === "p" ? "pipe" : "stdout", text: line.slice(2) };
  }
  if (line.startsWith("! ")) {
    const source: MetricSource = line[2] === "p" ? "pipe" : "stdout";
    const tab = line.indexOf("\t");
    return { kind: "overlong", source, prefix: tab === -1 ? "" : line.slice(tab + 1) };
  }
  return null;
}
