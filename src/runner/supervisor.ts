/**
 * The supervisor: a small process between the controller and one trainer, so a trainer never depends on its
 * controller staying alive.
 *
 *   node supervisor.js <trial dir> <attempt> <log cap bytes> -- <trainer argv...>
 *
 * The controller spawns it as the leader of a new process group; it starts the trainer in that group (argv,
 * never a shell), relays the trainer's stdout, stderr and fd-3 metrics pipe into the attempt's files
 * (attempt-files.ts), and, when the trainer ends, writes attempt-K.exit.json and exits. The trainer's pipes end
 * here, so a controller killed with -9, or one whose terminal went away, costs the trainer nothing: no EPIPE,
 * no SIGPIPE, nothing lost. A later controller re-attaches to the files, or adopts the result.
 *
 * SIGTERM, SIGINT and SIGHUP sent to the group reach the trainer; the supervisor ignores them so that it can
 * still record how the trainer ended. Only SIGKILL ends it early (then there is no exit record, and the
 * attempt counts as stopped).
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import type { Readable } from "node:stream";
import { attemptFiles, encodeMetricFileLine, writeExitRecord, type MetricFileLine, type MetricSource } from "./attempt-files.js";
import { spawned } from "./spawned.js";
import { CappedLogFile, TailBuffer } from "./capped-log.js";
import { LineSplitter, STDOUT_PREFIX } from "./metric-protocol.js";

async function main(argv: readonly string[]): Promise<number> {
  const sep = argv.indexOf("--");
  const [trialDir, attemptText, capText] = argv.slice(0, sep);
  const command = argv.slice(sep + 1);
  if (sep !== 3 || !trialDir || command.length === 0) {
    process.stderr.write("usage: supervisor.js <trial dir> <attempt> <log cap bytes> -- <command...>\n");
    return 2;
  }
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => undefined);

  const files = attemptFiles(trialDir, Number(attemptText));
  const cap = Number(capText);
  const stdoutLog = new CappedLogFile(files.stdout, cap);
  const stderrLog = new CappedLogFile(files.stderr, cap);
  const tail = new TailBuffer();
  const metricsFd = openSync(files.metrics, "a");
  const writeMetric = (entry: MetricFileLine) => {
    try {
      writeSync(metricsFd, encodeMetricFileLine(entry));
    } catch {
      // A full disk: the line is lost, the trial goes on (its stderr log says as much when it can).
    }
  };
  const finish = async (record: { code: number | null; signal: NodeJS.Signals | null; launchError?: string }) => {
    await Promise.all([stdoutLog.close(), stderrLog.close()]);
    closeSync(metricsFd);
    try {
      writeExitRecord(files.exit, { ...record, stderrTail: tail.text(), endedAt: new Date().toISOString() });
    } catch {
      // No room for the record: the controller sees no exit record and treats the attempt as stopped.
    }
  };

  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe", "pipe"], shell: false, windowsHide: true });
  try {
    await spawned(child);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === "ENOENT" ? ` (is ${JSON.stringify(file)} installed and on PATH?)` : "";
    await finish({ code: null, signal: null, launchError: `could not start ${JSON.stringify(file)}: ${e.code ?? e.message}${hint}` });
    return 0;
  }
  child.on("error", () => undefined);

  const lines = (source: MetricSource, keep: (line: string) => string | null) =>
    new LineSplitter(
      (line) => {
        const text = keep(line);
        if (text !== null && text.trim() !== "") writeMetric({ kind: "line", source, text });
      },
      (prefix) => {
        if (keep(prefix) !== null) writeMetric({ kind: "overlong", source, prefix: keep(prefix)! });
      },
    );
  const pipeLines = lines("pipe", (line) => line);
  const stdoutLines = lines("stdout", (line) => (line.startsWith(STDOUT_PREFIX) ? line.slice(STDOUT_PREFIX.length) : null));

  const pipe = child.stdio[3] as Readable;
  pipe.on("data", (chunk: Buffer) => pipeLines.push(chunk));
  pipe.on("error", () => undefined);
  child.stdout!.on("data", (chunk: Buffer) => {
    stdoutLog.write(chunk);
    stdoutLines.push(chunk);
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderrLog.write(chunk);
    tail.push(chunk);
  });

  const closed = (stream: Readable) =>
    new Promise<void>((resolve) => (stream.destroyed || stream.readableEnded ? resolve() : stream.once("close", () => resolve())));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("exit", (c, s) => resolve([c, s])));
  // Descendants may still hold the pipes (a forked worker); they are stopped by the controller, which waits for
  // this process. The bound keeps the exit record timely either way.
  await Promise.race([Promise.all([closed(child.stdout!), closed(child.stderr!), closed(pipe)]), new Promise((r) => setTimeout(r, 2_000))]);
  pipeLines.end();
  stdoutLines.end();
  await finish({ code, signal });
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
// Pipes still held by a stray descendant must not keep the supervisor alive once the record is written.
process.exit();
