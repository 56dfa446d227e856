/**
 * One running trainer: spawned from an argv array (never a shell) as the leader of its own process group,
 * with stdout/stderr going to capped log files and metrics arriving on fd 3 or prefixed stdout lines.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import { CappedLogFile, DEFAULT_LOG_CAP_BYTES, TailBuffer } from "./capped-log.js";
import { LineSplitter, STDOUT_PREFIX, decodeMetricLine, type MetricReport } from "./metric-protocol.js";
import { terminateGroup } from "./process-group.js";
import { readProcessStartTime } from "./process-identity.js";

export type MetricSource = "pipe" | "stdout";

export interface LaunchSpec {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdoutLog: string;
  readonly stderrLog: string;
  readonly logCapBytes?: number;
  /** Called for every decoded metric line, in arrival order per source. */
  readonly onReport: (report: MetricReport, source: MetricSource) => void;
  /** Called for a line that could not be decoded; the trial goes on. */
  readonly onBadLine: (error: string, line: string, source: MetricSource) => void;
  /** After the leader exits, how long leftover group members get between SIGTERM and SIGKILL. */
  readonly leftoverGraceMs?: number;
}

export interface TrainerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Last lines of stderr, for the error message of a failed trial. */
  readonly stderrTail: string;
}

export class LaunchError extends Error {
  override readonly name = "LaunchError";
}

export class TrainerProcess {
  /** Resolves once the leader has exited, leftovers in its group are gone and the logs are flushed. */
  readonly exited: Promise<TrainerExit>;
  private leaderExited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    /** See process-identity.ts; null only if the trainer exited before it could be read. */
    readonly startTime: string | null,
    exited: Promise<TrainerExit>,
  ) {
    this.exited = exited;
    void this.exited.then(() => (this.leaderExited = true));
  }

  get running(): boolean {
    return !this.leaderExited && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves when the trainer has fully exited. */
  async stop(graceMs: number): Promise<TrainerExit> {
    await terminateGroup(this.pid, graceMs);
    return this.exited;
  }

  /** Starts the trainer; rejects with LaunchError if the executable cannot be started at all. */
  static async launch(spec: LaunchSpec): Promise<TrainerProcess> {
    const [file, ...args] = spec.argv;
    if (!file) throw new LaunchError("the trainer command is empty");
    const stdoutLog = new CappedLogFile(spec.stdoutLog, spec.logCapBytes ?? DEFAULT_LOG_CAP_BYTES);
    const stderrLog = new CappedLogFile(spec.stderrLog, spec.logCapBytes ?? DEFAULT_LOG_CAP_BYTES);
    const stderrTail = new TailBuffer();

    const child = spawn(file, args, {
      cwd: spec.cwd,
      env: spec.env,
      // fd 3 is the metrics pipe (SWEEP_METRICS_FD=3).
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      // Leader of a new process group, so a stop reaches every descendant with one kill(-pid).
      detached: true,
      shell: false,
      windowsHide: true,
    });

    try {
      await new Promise<void>((resolve, reject) => {
        child.once("spawn", resolve);
        child.once("error", reject);
      });
    } catch (err) {
      await Promise.all([stdoutLog.close(), stderrLog.close()]);
      const e = err as NodeJS.ErrnoException;
      const hint = e.code === "ENOENT" ? ` (is ${JSON.stringify(file)} installed and on PATH?)` : "";
      throw new LaunchError(`could not start ${JSON.stringify(file)}: ${e.code ?? e.message}${hint}`);
    }
    // Later 'error' events (none expected: we signal with process.kill) must not crash the controller.
    child.on("error", () => undefined);
    const pid = child.pid!;
    const startTime = readProcessStartTime(pid);

    // One step counter per attempt, shared by both sources, so a trainer may mix them.
    let previousStep = 0;
    const handleLine = (line: string, source: MetricSource) => {
      const decoded = decodeMetricLine(line, previousStep);
      if (decoded.ok) {
        previousStep = decoded.report.step;
        spec.onReport(decoded.report, source);
      } else {
        spec.onBadLine(decoded.error, decoded.line, source);
      }
    };
    const overlong = (source: MetricSource) => (prefix: string) => spec.onBadLine("line longer than 64 KiB", `${prefix}…`, source);

    const pipe = child.stdio[3] as Readable;
    const pipeLines = new LineSplitter((line) => line.trim() !== "" && handleLine(line, "pipe"), overlong("pipe"));
    pipe.on("data", (chunk: Buffer) => pipeLines.push(chunk));
    // A trainer that closes fd 3 early, or grandchildren racing on it, must not crash the controller.
    pipe.on("error", () => undefined);

    const stdoutLines = new LineSplitter(
      (line) => {
        if (line.startsWith(STDOUT_PREFIX)) handleLine(line.slice(STDOUT_PREFIX.length), "stdout");
      },
      // An over-long stdout line is ordinary output unless it claims to be a metric line.
      (prefix) => prefix.startsWith(STDOUT_PREFIX) && overlong("stdout")(prefix),
    );
    child.stdout!.on("data", (chunk: Buffer) => {
      stdoutLog.write(chunk);
      stdoutLines.push(chunk);
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      stderrLog.write(chunk);
      stderrTail.push(chunk);
    });

    const streamClosed = (stream: Readable) =>
      new Promise<void>((resolve) => {
        if (stream.destroyed || stream.readableEnded) resolve();
        else stream.once("close", () => resolve());
      });

    const exited = new Promise<TrainerExit>((resolve) => {
      child.once("exit", (code, signal) => {
        void (async () => {
          // The leader is gone; anything left in its group (a forked worker, a daemon it started) is a
          // stray that would hold the GPU. It gets the same SIGTERM-then-SIGKILL treatment.
          await terminateGroup(pid, spec.leftoverGraceMs ?? 2_000);
          // With every writer gone the pipes reach EOF; the bound only guards against a descendant that
          // escaped the group (setsid) while holding our pipes.
          await Promise.race([
            Promise.all([streamClosed(child.stdout!), streamClosed(child.stderr!), streamClosed(pipe)]),
            new Promise((r) => setTimeout(r, 2_000)),
          ]);
          pipeLines.end();
          stdoutLines.end();
          child.stdout!.destroy();
          child.stderr!.destroy();
          pipe.destroy();
          await Promise.all([stdoutLog.close(), stderrLog.close()]);
          resolve({ code, signal, stderrTail: stderrTail.text() });
        })();
      });
    });

    return new TrainerProcess(child, pid, startTime, exited);
  }
}
