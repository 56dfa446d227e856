/**
 * `sweep stop ID [--wait]`: stop a sweep that runs in another terminal or on another host, through the storage.
 * Its controllers start nothing new and stop their running trials gracefully; `sweep resume ID` continues it.
 */
import type { CommandModule } from "yargs";
import { requestStop } from "../../runner/session.js";
import { openExistingStorage, storageLocation, type GlobalArgs } from "../context.js";
import { argument } from "../flags.js";

interface StopArgs extends GlobalArgs {
  readonly id?: string;
  readonly wait?: boolean;
}

export const stopCommand: CommandModule<GlobalArgs, StopArgs> = {
  command: "stop <id>",
  describe: "Stop a running sweep (from any terminal or host); `sweep resume` continues it",
  builder: (y) =>
    y
      .positional("id", { type: "string", demandOption: true, describe: "Sweep id (see `sweep ls`)" })
      .option("wait", { type: "boolean", default: false, describe: "Return only once no trial of the sweep is running" }),
  handler: async (args) => {
    const id = argument(args.id, "id");
    const storage = await openExistingStorage(storageLocation(args));
    try {
      const request = await requestStop(storage, id);
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
      while ((await storage.listTrials(id, { status: ["running"] })).length > 0) await new Promise((r) => setTimeout(r, 250));
      process.stdout.write("no trial is running any more\n");
    } finally {
      await storage.close();
    }
  },
};
