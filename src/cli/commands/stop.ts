/**
 * `sweep stop ID [--wait]`: stop a sweep that runs in another terminal or on another host, through the storage.
 * Its controllers start nothing new and stop their running trials gracefully; `sweep resume ID` continues it.
 */
import type { CommandModule } from "yargs";
import type { Storage } from "../../storage/types.js";
import { requestStop } from "../../runner/session.js";
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
    const storage = await openExistingStorage(storageLocation(args));
    try {
      const request = await requestStop(storage, id);
      if (format === "json") {
        const stopped = request.previousStatus === "running";
        if (stopped && args.wait) await waitUntilIdle(storage, id);
        return printJson({ sweepId: id, previousStatus: request.previousStatus, stopped, runningTrials: request.running, waited: stopped && args.wait === true });
      }
      if (request.previousStatus !== "running") {
        process.stdout.write(`sweep ${id} is ${request.previousStatus}; nothing to stop\n`);
        return;
      }
      const workers = [...new Set(request.running.map((t) => t.worker ?? "?"))];
      process.stdout.write(
        `sweep ${id} stopped: no new trials; ${request.running.length} running trial(s)` +
          (workers.length > 0 ? ` (on ${workers.join(", ")})` : "") +
          ` are being stopped by their controllers. Continue with \`sweep resume ${id}\`.\n`,
      );
      if (!args.wait) return;
      await waitUntilIdle(storage, id);
      process.stdout.write("no trial is running any more\n");
    } finally {
      await storage.close();
    }
  },
};

async function waitUntilIdle(storage: Storage, id: string): Promise<void> {
  while ((await storage.listTrials(id, { status: ["running"] })).length > 0) await new Promise((r) => setTimeout(r, 250));
}
