/**
 * `sweep stop ID [--wait]`: stop a sweep that runs in another terminal or on another host, through the storage.
 * Its controllers start nothing new and stop their running trials gracefully; `sweep resume ID` continues it.
 * A sweep run by Slurm workers also has its jobs cancelled (scancel) once the workers stopped their trials.
 */
import type { CommandModule } from "yargs";
import type { Storage } from "../../storage/types.js";
import { requestStop } from "../../runner/session.js";
import { cancelSweepJobs, slurmSubmissions, SlurmError } from "../../runner/slurm/index.js";
import { openExistingStorage, printJson, storageLocation, type GlobalArgs } from "../context.js";
import { argument, choice } from "../flags.js";

interface StopArgs extends GlobalArgs {
  readonly id?: string;
  readonly wait?: boolean;
  readonly format?: string;
}

const FORMATS = ["text", "json"] as const;

export const stopCommand: CommandModule<GlobalArgs, StopArgs> = {
  command: "stop <id>",
  describe: "Stop a running sweep (from any terminal or host); `sweep resume` continues it",
  builder: (y) =>
    y
      .positional("id", { type: "string", demandOption: true, describe: "Sweep id (see `sweep ls`)" })
      .option("wait", { type: "boolean", default: false, describe: "Return only once no trial of the sweep is running" })
      .option("format", { choices: FORMATS, requiresArg: true, default: "text", describe: "json: one JSON document on stdout once done" }),
  handler: async (args) => {
    const id = argument(args.id, "id");
    const format = choice(args.format, "--format", FORMATS) ?? "text";
    const text = (line: string) => {
      if (format === "text") process.stdout.write(line);
    };
    const storage = await openExistingStorage(storageLocation(args));
    try {
      const request = await requestStop(storage, id);
      const stopped = request.previousStatus === "running";
      const slurmJobs = await slurmSubmissions(storage, id);
      let cancelled: CancelResult | null = null;
      if (!stopped) {
        text(`sweep ${id} is ${request.previousStatus}; nothing to stop\n`);
        // Stopped earlier: its Slurm jobs may still be pending (a scancel that failed, or jobs submitted by hand
        // since): they have nothing to do. A finished or failed sweep's workers have left on their own.
        if (request.previousStatus === "stopped" && slurmJobs.length > 0) cancelled = await cancelSlurm(storage, id, text);
      } else {
        const workers = [...new Set(request.running.map((t) => t.worker ?? "?"))];
        text(
          `sweep ${id} stopped: no new trials; ${request.running.length} running trial(s)` +
            (workers.length > 0 ? ` (on ${workers.join(", ")})` : "") +
            ` are being stopped by their controllers. Continue with \`sweep resume ${id}\`.\n`,
        );
        if (slurmJobs.length > 0) {
          text(`waiting for the workers to stop their trials, then cancelling Slurm job(s) ${slurmJobs.map((j) => j.jobId).join(", ")}\n`);
          cancelled = await cancelSlurm(storage, id, text);
        }
        if (args.wait) {
          await waitUntilIdle(storage, id);
          text("no trial is running any more\n");
        }
      }
      if (format === "json") {
        printJson({
          sweepId: id,
          previousStatus: request.previousStatus,
          stopped,
          runningTrials: request.running,
          waited: stopped && args.wait === true,
          slurmJobsCancelled: cancelled?.jobIds ?? [],
        });
      }
    } finally {
      await storage.close();
    }
  },
};

async function waitUntilIdle(storage: Storage, id: string): Promise<void> {
  while ((await storage.listTrials(id, { status: ["running"] })).length > 0) await new Promise((r) => setTimeout(r, 250));
}

/** How long `sweep stop` waits for Slurm workers to stop their trials before it cancels their jobs anyway. */
const SLURM_STOP_WAIT_MS = 120_000;

type CancelResult = NonNullable<Awaited<ReturnType<typeof cancelSweepJobs>>>;

/**
 * scancel the sweep's jobs once its workers stopped their trials (recorded interrupted), so pending array
 * tasks never start. A failing scancel (stopping from a machine outside the cluster) leaves the sweep stopped
 * and says how to cancel by hand.
 */
async function cancelSlurm(storage: Storage, id: string, text: (line: string) => void): Promise<CancelResult | null> {
  try {
    const result = await cancelSweepJobs(storage, id, { waitMs: SLURM_STOP_WAIT_MS });
    if (result === null) return null;
    text(
      `cancelled Slurm job(s) ${result.jobIds.join(", ")} (scancel)` +
        (result.stillRunning.length > 0 ? `; trial(s) ${result.stillRunning.join(", ")} had not stopped yet: they are recovered as interrupted` : "") +
        "\n",
    );
    return result;
  } catch (err) {
    if (!(err instanceof SlurmError)) throw err;
    const jobs = (await slurmSubmissions(storage, id)).map((j) => j.jobId).join(" ");
    throw new SlurmError(`sweep ${id} is stopped, but its Slurm jobs could not be cancelled: ${err.message}; cancel them on the cluster with \`scancel ${jobs}\``);
  }
}
