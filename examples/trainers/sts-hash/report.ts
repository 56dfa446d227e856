/**
 * The sweep metric protocol, trainer side. Copy this module into any Node trainer.
 *
 * Each call reports one step's metrics as one JSON line: {"step": <int >= 1>, "<name>": <number>, ...}
 * (numbers may also be NaN, Infinity or -Infinity, written as bare words the way Python's json.dumps does).
 *  - If SWEEP_METRICS_FD is set, the controller opened that file descriptor for us; the line goes there, so
 *    the trainer's own stdout stays free for anything it likes.
 *  - Otherwise the line goes to stdout prefixed by "@@sweep ", which the controller picks out of the output.
 * Writes are synchronous so a line is never lost when the process exits right after reporting.
 */
import { writeSync } from "node:fs";

export const METRICS_FD_ENV = "SWEEP_METRICS_FD";
export const STDOUT_PREFIX = "@@sweep ";

export function reportMetrics(step: number, metrics: Readonly<Record<string, number>>): void {
  const line = formatMetricsLine(step, metrics);
  const fdSetting = process.env[METRICS_FD_ENV];
  if (fdSetting !== undefined && fdSetting !== "") {
    writeAll(parseFd(fdSetting), line);
  } else {
    writeAll(1, STDOUT_PREFIX + line);
  }
}

/**
 * The line (with its newline) for one step. NaN and ±Infinity are written as the bare words NaN, Infinity
 * and -Infinity, as Python's json.dumps writes them and the controller's decoder accepts, so a diverged run
 * is reported as such; JSON.stringify would turn them into null, which reads like a bug in the trainer.
 */
export function formatMetricsLine(step: number, metrics: Readonly<Record<string, number>>): string {
  if (!Number.isInteger(step) || step < 1) throw new Error(`metrics step must be an integer >= 1, got ${step}`);
  let line = `{"step":${step}`;
  for (const [name, value] of Object.entries(metrics)) {
    if (name === "step") throw new Error(`"step" is reserved for the step number; rename that metric`);
    if (typeof value !== "number") throw new Error(`metric ${JSON.stringify(name)} must be a number, got ${JSON.stringify(value)}`);
    line += `,${JSON.stringify(name)}:${formatNumber(value)}`;
  }
  return line + "}\n";
}

function formatNumber(value: number): string {
  if (Number.isFinite(value)) return JSON.stringify(value);
  if (Number.isNaN(value)) return "NaN";
  return value > 0 ? "Infinity" : "-Infinity";
}

function parseFd(setting: string): number {
  if (!/^\d+$/.test(setting)) {
    throw new Error(`${METRICS_FD_ENV} must be a file descriptor number, got ${JSON.stringify(setting)}`);
  }
  return Number(setting);
}

/** writeSync until every byte is out: pipes may take a line in parts, or say EAGAIN when non-blocking and full. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EAGAIN") {
        // Wait for the reader without spinning the CPU; lines are tiny, so this is rare and short.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      throw new Error(`cannot write metrics to fd ${fd}: ${(err as Error).message}`);
    }
  }
}
