/**
 * A claimed trial that waits for room on the GPUs its per-model rule needs (`sweep.resources`) is `running`
 * in storage — it is claimed, and nothing else may take it — but nothing runs yet. The runner says so in
 * the trial's meta, under this key, and clears it (null) once the trial is placed or handed back, so
 * `sweep show`, the dashboard and the report can tell a waiting trial from a running one.
 */
export const WAITING_FOR_ROOM_META = "waiting_for_room";

/**
 * What the trial waits for ("2 GPUs to itself (sweep.resources[1])"), or null when it does not wait: only a
 * running trial can, so a leftover entry on a trial that ended means nothing.
 */
export function waitingForRoom(trial: { readonly status: string; readonly meta: Readonly<Record<string, unknown>> }): string | null {
  if (trial.status !== "running") return null;
  const value = trial.meta[WAITING_FOR_ROOM_META];
  return typeof value === "string" && value !== "" ? value : null;
}
