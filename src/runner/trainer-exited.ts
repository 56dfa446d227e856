/**
 * Whether a trainer's leader process has already exited on its own, so that a stop decision reaching it
 * now (a prune decision computed from its last report) would stop nothing: its outcome is its exit status.
 */
import { readProcessStartTime } from "./process-identity.js";
import type { TrainerProcess } from "./trainer-process.js";

/** True once the leader exited: Node saw the exit, or the kernel holds it as a zombie not yet reaped. */
export function trainerHasExited(proc: TrainerProcess | null): boolean {
  if (proc === null) return false;
  if (!proc.running) return true;
  return readProcessStartTime(proc.pid) === null;
}
