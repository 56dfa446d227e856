/**
 * One running trainer, seen from a controller: either launched by this controller, or re-attached after the
 * controller that launched it died.
 *
 * A trainer always runs under a supervisor (supervisor.ts) that leads its own process group and writes the
 * attempt's files (attempt-files.ts). This side only follows those files: metric lines as they are appended,
 * the exit record once the supervisor is gone. Because nothing of the trainer's depends on this process, a
 * later controller can follow the same files exactly as this one does.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, readSync, statSync, watch, type FSWatcher } from "node:fs";
import { fileURLToPath } from "node:url";
import { attemptFiles, decodeMetricFileLine, readExitRecord, type AttemptFiles, type MetricSource } from "./attempt-files.js";
import { DEFAULT_LOG_CAP_BYTES, TailBuffer } from "./capped-log.js";
import { findTokenProcesses, LAUNCH_TOKEN_VAR, stopTokenProcesses } from "./launch-token.js";
import { decodeMetricLine, type MetricReport } from "./metric-protocol.js";
import { terminateGroup } from "./process-group.js";
import { isSameProcess, readProcessStartTime } from "./process-identity.js";
import { spawned } from "./spawned.js";

export type { MetricSource } from "./attempt-files.js";

const SUPERVISOR = fileURLToPath(new URL("./supervisor.js", import.meta.url));

/** How often a followed metrics file is read when no change notification came (fs.watch can miss some). */
const FOLLOW_POLL_MS = 200;
/** How often a re-attached supervisor (not our child, so no exit event) is checked. */
const ATTACHED_POLL_MS = 200;

interface FollowSpec {
  /** Trial folder and attempt: where the attempt's files are. */
  readonly trialDir: string;
  readonly attempt: number;
  /** SWEEP_LAUNCH_TOKEN of this attempt. */
  readonly token: string;
  /** Called for every decoded metric line, in arrival order. */
  readonly onReport: (report: MetricReport, source: MetricSource) => void;
  /** Called for a line that could not be decoded; the trial goes on. */
  readonly onBadLine: (error: string, line: string, source: MetricSource) => void;
  /** After the supervisor exits, how long leftover processes of the trial get between SIGTERM and SIGKILL. */
  readonly leftoverGraceMs?: number;
}

export interface LaunchSpec extends FollowSpec {
  readonly argv: readonly string[];
  /** Must carry SWEEP_LAUNCH_TOKEN = `token`. */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly logCapBytes?: number;
}

export interface TrainerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Last lines of stderr, for the error message of a failed trial. */
  readonly stderrTail: string;
  /** Set when the trainer could not be started at all. */
  readonly launchError?: string;
}

export class LaunchError extends Error {
  override readonly name = "LaunchError";
}

/** Reads complete lines appended to a file since the last read. */
class FileFollower {
  private offset = 0;
  private partial = "";
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly path: string,
    private readonly onLine: (line: string) => void,
  ) {}

  start(): void {
    try {
      this.watcher = watch(this.path, () => this.read());
      this.watcher.on("error", () => undefined);
    } catch {
      // No notifications (a file system without inotify): the timer alone reads the file.
    }
    this.timer = setInterval(() => this.read(), FOLLOW_POLL_MS);
    this.timer.unref();
  }

  /** Everything appended so far, including a last line without newline when `final`. */
  read(final = false): void {
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch {
      return;
    }
    try {
      const size = statSync(this.path).size;
      while (this.offset < size) {
        const buf = Buffer.alloc(Math.min(1 << 20, size - this.offset));
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        this.partial += buf.subarray(0, n).toString("utf8");
        const lines = this.partial.split("\n");
        this.partial = lines.pop()!;
        for (const line of lines) this.onLine(line);
      }
    } finally {
      closeSync(fd);
    }
    if (final && this.partial !== "") {
      const last = this.partial;
      this.partial = "";
      this.onLine(last);
    }
  }

  stop(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }
}

/** The last lines of a stderr log, for a trainer whose supervisor left no exit record. */
function stderrTailOf(path: string): string {
  const tail = new TailBuffer();
  try {
    const text = readFileSync(path);
    tail.push(text.subarray(Math.max(0, text.length - 8192)));
  } catch {
    // no log
  }
  return tail.text();
}

/** True for the supervisor process of an attempt (the group leader that runs supervisor.js). */
function isSupervisor(pid: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return argv.some((a) => a.endsWith("supervisor.js"));
  } catch {
    return false;
  }
}

/** The live supervisor of the attempt carrying `token`, if there is one. */
export function findSupervisor(token: string): { pid: number; startTime: string } | null {
  for (const p of findTokenProcesses({ token })) {
    if (!isSupervisor(p.pid)) continue;
    const startTime = readProcessStartTime(p.pid);
    if (startTime) return { pid: p.pid, startTime };
  }
  return null;
}

export class TrainerProcess {
  /** Resolves once the trainer has ended, every process of the attempt is gone and its metrics are read. */
  readonly exited: Promise<TrainerExit>;
  private done = false;

  private constructor(
    /** The supervisor's pid: leader of the attempt's process group. */
    readonly pid: number,
    /** See process-identity.ts; null only if the supervisor exited before it could be read. */
    readonly startTime: string | null,
    readonly token: string,
    exited: Promise<TrainerExit>,
  ) {
    this.exited = exited;
    void this.exited.then(() => (this.done = true));
  }

  get running(): boolean {
    return !this.done;
  }

  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves when the trainer has fully exited. */
  async stop(graceMs: number): Promise<TrainerExit> {
    if (!this.done) await terminateGroup(this.pid, graceMs);
    return this.exited;
  }

  /** Starts a supervised trainer; rejects with LaunchError if not even the supervisor can be started. */
  static async launch(spec: LaunchSpec): Promise<TrainerProcess> {
    if (spec.argv.length === 0 || !spec.argv[0]) throw new LaunchError("the trainer command is empty");
    if (spec.env[LAUNCH_TOKEN_VAR] !== spec.token) throw new Error(`the trainer environment must carry ${LAUNCH_TOKEN_VAR}=${spec.token}`);
    const files = attemptFiles(spec.trialDir, spec.attempt);
    closeSync(openSync(files.metrics, "a"));
    const child = spawn(process.execPath, [SUPERVISOR, spec.trialDir, String(spec.attempt), String(spec.logCapBytes ?? DEFAULT_LOG_CAP_BYTES), "--", ...spec.argv], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: "ignore",
      // Leader of a new process group, so a stop reaches the trainer and every descendant with one kill(-pid).
      detached: true,
      shell: false,
      windowsHide: true,
    });
    try {
      await spawned(child);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new LaunchError(`could not start the trial supervisor (${process.execPath}): ${e.code ?? e.message}`);
    }
    child.on("error", () => undefined);
    const pid = child.pid!;
    const supervisorExit = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    return new TrainerProcess(pid, readProcessStartTime(pid), spec.token, follow(spec, files, pid, supervisorExit));
  }

  /**
   * Follows an attempt launched by another controller (now dead) whose supervisor is still running: its
   * metrics from the first line on (storing them again is idempotent), its exit, its leftovers.
   */
  static attach(spec: FollowSpec, supervisor: { pid: number; startTime: string }): TrainerProcess {
    const files = attemptFiles(spec.trialDir, spec.attempt);
    const gone = new Promise<NodeJS.Signals | null>((resolve) => {
      const timer = setInterval(() => {
        if (isSameProcess(supervisor.pid, supervisor.startTime)) return;
        clearInterval(timer);
        resolve(null);
      }, ATTACHED_POLL_MS);
    });
    return new TrainerProcess(supervisor.pid, supervisor.startTime, spec.token, follow(spec, files, supervisor.pid, gone));
  }

  /** The outcome of an attempt that ended while no controller watched it (no process of it is left). */
  static collect(spec: FollowSpec): TrainerExit | null {
    const files = attemptFiles(spec.trialDir, spec.attempt);
    const record = readExitRecord(files.exit);
    if (!record) return null;
    const reader = metricReader(spec);
    new FileFollower(files.metrics, reader).read(true);
    return toExit(record);
  }
}

function toExit(record: NonNullable<ReturnType<typeof readExitRecord>>): TrainerExit {
  return { code: record.code, signal: record.signal, stderrTail: record.stderrTail, ...(record.launchError !== undefined ? { launchError: record.launchError } : {}) };
}

/** Decodes metric-file lines into reports, with one step counter per attempt shared by both sources. */
function metricReader(spec: FollowSpec): (line: string) => void {
  let previousStep = 0;
  return (line: string) => {
    const entry = decodeMetricFileLine(line);
    if (entry === null) return;
    if (entry.kind === "overlong") {
      spec.onBadLine("line longer than 64 KiB", `${entry.prefix}…`, entry.source);
      return;
    }
    const decoded = decodeMetricLine(entry.text, previousStep);
    if (decoded.ok) {
      previousStep = decoded.report.step;
      spec.onReport(decoded.report, entry.source);
    } else {
      spec.onBadLine(decoded.error, decoded.line, entry.source);
    }
  };
}

async function follow(spec: FollowSpec, files: AttemptFiles, supervisorPid: number, supervisorGone: Promise<NodeJS.Signals | null>): Promise<TrainerExit> {
  const follower = new FileFollower(files.metrics, metricReader(spec));
  follower.start();
  follower.read();
  const supervisorSignal = await supervisorGone;
  // Anything of the attempt still alive (a forked worker, a daemon that left the group with setsid) would hold
  // the GPU: the same SIGTERM-then-SIGKILL treatment, found by token and by group.
  await terminateGroup(supervisorPid, spec.leftoverGraceMs ?? 2_000);
  await stopTokenProcesses(spec.token, spec.leftoverGraceMs ?? 2_000);
  follower.stop();
  follower.read(true);
  const record = readExitRecord(files.exit);
  if (record) return toExit(record);
  // No record: the supervisor itself was killed (SIGKILL to the group after the grace period, the OOM killer).
  return { code: null, signal: supervisorSignal ?? "SIGKILL", stderrTail: stderrTailOf(files.stderr) };
}
