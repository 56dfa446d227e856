/**
 * Stopping a trainer and everything it started.
 *
 * Trainers are spawned as leaders of their own process group, so DataLoader workers and any other
 * descendants that do not deliberately leave the group receive the same signals: SIGTERM first (time to
 * save a checkpoint), SIGKILL once the grace period is over.
 */
import { processGroupAlive, signalGroup } from "./process-identity.js";

const POLL_MS = 25;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until group `pgid` has no live member, up to `timeoutMs`; true if it emptied. */
export async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!processGroupAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

export type TerminateOutcome = "already-gone" | "terminated" | "killed";

/**
 * SIGTERM to the group, SIGKILL to whatever is left after `graceMs`, then wait (bounded) until the kernel
 * has removed it. Safe to call for a group that is already gone.
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<TerminateOutcome> {
  if (!processGroupAlive(pgid)) return "already-gone";
  signalGroup(pgid, "SIGTERM");
  if (await waitForGroupExit(pgid, graceMs)) return "terminated";
  signalGroup(pgid, "SIGKILL");
  await waitForGroupExit(pgid, 5_000);
  return "killed";
}
