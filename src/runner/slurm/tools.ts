/**
 * Slurm's own commands (sbatch, squeue, scancel, sinfo), run as child processes with argv (no shell), and
 * parsers for what they print. The parsers are pure and unit-tested; the runs are tested against a real
 * single-node Slurm (test/slurm/).
 */
import { execFile } from "node:child_process";

/** Slurm could not be reached or refused: its command is missing, failed or printed something unexpected. */
export class SlurmError extends Error {
  override readonly name = "SlurmError";
}

export interface ToolResult {
  readonly stdout: string;
  readonly stderr: string;
}

export interface ToolOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Runs a Slurm command; throws SlurmError naming it with its complaint when it is missing or fails. */
export function runSlurmTool(tool: string, args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(tool, [...args], { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err === null) return resolve({ stdout, stderr });
      const e = err as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
      if (e.code === "ENOENT") {
        return reject(new SlurmError(`${tool} not found on PATH: run this on a Slurm login node (or \`module load slurm\` first)`));
      }
      const said = (stderr || stdout).trim().split("\n").slice(-3).join(" / ");
      reject(new SlurmError(`${tool} ${args.join(" ")} failed${e.killed ? " (timed out)" : ""}: ${said || e.message}`));
    });
  });
}

/** `sbatch --parsable` prints `JOBID` or `JOBID;CLUSTER`. */
export function parseSbatchParsable(stdout: string): { readonly jobId: string; readonly cluster?: string } {
  const line = stdout.trim().split("\n").at(-1)?.trim() ?? "";
  const m = /^(\d+)(?:;(\S+))?$/.exec(line);
  if (!m) throw new SlurmError(`sbatch printed ${JSON.stringify(stdout.trim())}; expected a job id`);
  return m[2] === undefined ? { jobId: m[1]! } : { jobId: m[1]!, cluster: m[2] };
}

/**
 * Nodes of a partition from `sinfo -h -o %P|%N` (one line per partition and node state; the default partition
 * is marked `*`). Without a name: the default partition's. Null when the partition is not listed.
 */
export function parseSinfoNodes(stdout: string, partition: string | undefined, expand: (list: string) => string[]): string[] | null {
  const nodes = new Set<string>();
  let found = false;
  for (const line of stdout.split("\n")) {
    const [rawName, list] = line.trim().split("|");
    if (rawName === undefined || rawName === "" || list === undefined) continue;
    const isDefault = rawName.endsWith("*");
    const name = rawName.replace(/\*$/, "");
    if (partition !== undefined ? name !== partition : !isDefault) continue;
    found = true;
    for (const node of expand(list)) if (node !== "" && node !== "n/a") nodes.add(node);
  }
  return found ? [...nodes] : null;
}

/** One row of `squeue -h -r -t all -o %i|%T|%N|%R`: an array task (`123_4`) or a job, with its state. */
export interface SlurmTaskState {
  /** `123_4` (array task) or `123`; a pending array shows as `123_[0-3]` unless -r splits it, which we ask for. */
  readonly id: string;
  readonly state: string;
  readonly nodes: string;
  /** Why it waits or how it ended (squeue's %R). */
  readonly reason: string;
}

export const SQUEUE_FORMAT = "%i|%T|%N|%R";

export function parseSqueue(stdout: string): SlurmTaskState[] {
  const rows: SlurmTaskState[] = [];
  for (const line of stdout.split("\n")) {
    if (line.trim() === "") continue;
    const [id, state, nodes, ...reason] = line.trim().split("|");
    if (id === undefined || state === undefined) continue;
    rows.push({ id, state, nodes: nodes ?? "", reason: reason.join("|") });
  }
  return rows;
}

/** What a Slurm job state means for the sweep's workers, in the words `sweep slurm status` prints. */
export function describeJobState(state: string): string {
  switch (state.toUpperCase().replace(/\+$/, "")) {
    case "PENDING":
    case "CONFIGURING":
    case "REQUEUED":
    case "REQUEUE_HOLD":
    case "REQUEUE_FED":
    case "RESV_DEL_HOLD":
      return "waiting for resources: its worker has not started";
    case "RUNNING":
      return "worker running trials";
    case "COMPLETING":
    case "SIGNALING":
    case "STAGE_OUT":
      return "worker ending";
    case "SUSPENDED":
    case "STOPPED":
      return "suspended: its trials pause; other workers take them over once their heartbeat is stale";
    case "COMPLETED":
      return "worker finished (no trial left for it)";
    case "CANCELLED":
      return "cancelled: its running trials were stopped and requeued (or are recovered by other workers)";
    case "TIMEOUT":
    case "DEADLINE":
      return "time limit: its trials were stopped and requeued; submit again to go on";
    case "PREEMPTED":
      return "preempted: its trials were stopped and requeued";
    case "NODE_FAIL":
    case "BOOT_FAIL":
      return "node failure: other workers recover its trials once their heartbeat is stale";
    case "OUT_OF_MEMORY":
      return "out of memory (the job's memory limit): its trials are recovered by other workers";
    case "FAILED":
      return "failed: see its output file";
    default:
      return state.toLowerCase();
  }
}
