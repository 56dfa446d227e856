/** Waiting for a child process to have started (or failed to), as one promise. */
import type { ChildProcess } from "node:child_process";

/** Resolves once `child` is running; rejects with the spawn error (ENOENT, EACCES …) if it never started. */
export function spawned(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
}
