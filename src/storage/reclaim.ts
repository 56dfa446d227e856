/**
 * What every backend records when `reclaimStaleTrials` takes a trial back from an agent that stopped
 * heartbeating, so `sweep show` and the report read the same event whichever storage wrote it.
 */

export const TRIAL_RECLAIMED_EVENT = "trial_reclaimed";

export interface TrialReclaimedData {
  /** The agent that held the trial (and may still be alive, e.g. behind a network partition). */
  readonly worker: string | null;
  /** The attempt that was abandoned; the trial now waits in the queue as attempt + 1. */
  readonly attempt: number;
  /** The trial's heartbeat, or its start time when it never sent one: the last time the agent was seen. */
  readonly lastSeenAt: string;
  /** The cut-off the caller passed: anything last seen before it was considered dead. */
  readonly staleBefore: string;
}

export function reclaimEventData(
  worker: string | null,
  attempt: number,
  lastSeenAt: string,
  staleBefore: string,
): TrialReclaimedData {
  return { worker, attempt, lastSeenAt, staleBefore };
}
