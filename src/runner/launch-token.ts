/**
 * Launch tokens: how a trial's processes are found again without trusting a pid that may never have been saved.
 *
 * Every process of a trial attempt (the supervisor, the trainer, and every descendant, also one that calls
 * setsid or double-forks) inherits `SWEEP_LAUNCH_TOKEN=<sweep>.<trial id>.<attempt>` in its environment. The
 * token is a pure function of the claimed trial row, which is committed before anything is spawned, so there
 * is no instant at which a trainer exists without a durable record that finds it: recovery scans
 * /proc/<pid>/environ for the token. A pid and a process group are only shortcuts; the token is the truth.
 *
 * Limits (docs/reliability.md): a descendant that rebuilds its environment from scratch (`env -i`) drops the
 * token; /proc is Linux-only (elsewhere recovery falls back to the recorded process group).
 */
import { readFileSync } from "node:fs";
import { listPids, readProcessStartTime } from "./process-identity.js";

export const LAUNCH_TOKEN_VAR = "SWEEP_LAUNCH_TOKEN";

export function launchToken(sweepId: string, trialId: number, attempt: number): string {
  return `${sweepId}.${trialId}.${attempt}`;
}

/** Every token of one sweep starts with this (for "no process of this sweep is left"). */
export function sweepTokenPrefix(sweepId: string): string {
  return `${sweepId}.`;
}

/** The launch token in a process's environment, or null (none, gone, or not ours to read). */
export function tokenOf(pid: number): string | null {
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
  const needle = Buffer.from(`${LAUNCH_TOKEN_VAR}=`);
  let at = environ.indexOf(needle);
  while (at !== -1) {
    if (at === 0 || environ[at - 1] === 0) {
      const end = environ.indexOf(0, at);
      return environ.subarray(at + needle.length, end === -1 ? environ.length : end).toString("utf8");
    }
    at = environ.indexOf(needle, at + 1);
  }
  return null;
}

export interface TokenProcess {
  readonly pid: number;
  readonly token: string;
}

/**
 * Live (non-zombie) processes whose token matches: exactly `token`, or any token starting with `prefix`.
 * Our own process is never listed.
 */
export function findTokenProcesses(match: { readonly token?: string; readonly prefix?: string }): TokenProcess[] {
  const found: TokenProcess[] = [];
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    const token = tokenOf(pid);
    if (token === null) continue;
    if (match.token !== undefined ? token !== match.token : !token.startsWith(match.prefix ?? "\u0000")) continue;
    // A zombie has an empty environ already, but check: it holds no GPU and cannot be signalled away.
    if (readProcessStartTime(pid) === null) continue;
    found.push({ pid, token });
  }
  return found;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Stops every process carrying `token`: SIGTERM, then SIGKILL after `graceMs`, re-scanning until none is
 * left (a process forked during the scan is caught by the next one). Returns the pids that were signalled.
 */
export async function stopTokenProcesses(token: string, graceMs: number): Promise<number[]> {
  const signalled = new Set<number>();
  const signalAll = (signal: NodeJS.Signals) => {
    const live = findTokenProcesses({ token });
    for (const p of live) {
      try {
        process.kill(p.pid, signal);
        signalled.add(p.pid);
      } catch {
        // gone in the meantime
      }
    }
    return live.length;
  };
  if (signalAll("SIGTERM") === 0) return [];
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(25);
    if (findTokenProcesses({ token }).length === 0) return [...signalled];
  }
  // Bounded: a process that survives 40 rounds of SIGKILL is in uninterruptible sleep (a GPU driver call);
  // it will go when the kernel lets it, and its lease stays held until then.
  for (let round = 0; round < 40 && signalAll("SIGKILL") > 0; round++) await sleep(25);
  return [...signalled];
}
