/**
 * Telling "our" process from a stranger that happens to have the same pid.
 *
 * A pid is recycled once its process is gone, so the storage records pid *and* start time, and nothing is
 * ever signalled unless both still match. On Linux the start time is `<boot_id>:<starttime>`, where
 * starttime is field 22 of /proc/<pid>/stat (clock ticks since boot) and boot_id comes from
 * /proc/sys/kernel/random/boot_id, so the pair stays unique across reboots. Elsewhere it is the
 * `ps -o lstart=` text (second resolution), prefixed `ps:`.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

let bootIdCache: string | undefined;

function bootId(): string {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      bootIdCache = "unknown-boot";
    }
  }
  return bootIdCache;
}

interface ProcStat {
  readonly state: string;
  readonly pgrp: number;
  readonly startTicks: string;
}

/** Parses /proc/<pid>/stat; the command name (field 2) may contain spaces and parentheses, so split after the last ")". */
function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); field N is fields[N - 3].
  return { state: fields[0] ?? "?", pgrp: Number(fields[2]), startTicks: fields[19] ?? "" };
}

const hasProcFs = (() => {
  try {
    readFileSync("/proc/self/stat", "utf8");
    return true;
  } catch {
    return false;
  }
})();

/** The start-time token for `pid`, or null if no such (live) process exists. */
export function readProcessStartTime(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (hasProcFs) {
    const stat = readProcStat(pid);
    if (!stat || stat.state === "Z" || stat.state === "X") return null;
    return `${bootId()}:${stat.startTicks}`;
  }
  try {
    const out = execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return out === "" ? null : `ps:${out}`;
  } catch {
    return null;
  }
}

/**
 * True when `pid` is alive and is the very process recorded with `startTime`. With no recorded start time
 * this cannot be proved, so the answer is false: better to leave a stray process than to kill a stranger.
 */
export function isSameProcess(pid: number | null | undefined, startTime: string | null | undefined): boolean {
  if (!pid || !startTime) return false;
  return readProcessStartTime(pid) === startTime;
}

/** True while any process is left in process group `pgid` (zombies excluded where /proc can tell). */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    // EPERM means the group exists but is not ours to signal; it is alive all the same.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  if (!hasProcFs) return true;
  // kill(-pgid, 0) also succeeds when the only members left are zombies waiting for their parent.
  return listGroupMembers(pgid).some((pid) => {
    const stat = readProcStat(pid);
    return stat !== null && stat.state !== "Z" && stat.state !== "X";
  });
}

/** Every pid in /proc (Linux only; empty elsewhere), live or not. */
export function listPids(): number[] {
  if (!hasProcFs) return [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries.filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57).map(Number);
}

/** Pids in process group `pgid` (Linux only; empty elsewhere). */
export function listGroupMembers(pgid: number): number[] {
  return listPids().filter((pid) => readProcStat(pid)?.pgrp === pgid);
}

/** Sends `signal` to the whole group; false if the group is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
