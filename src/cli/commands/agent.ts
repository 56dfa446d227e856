/**
 * `sweep agent ID [--count N]`: one more worker on a sweep, from this or another terminal (or machine
 * sharing the storage), as `wandb agent` does. Agents split the trials through the storage.
 */
import type { Argv, CommandModule } from "yargs";
import { joinSweep } from "../../runner/session.js";
import { openExistingStorage, storageLocation, type GlobalArgs } from "../context.js";
import { withLogPath } from "../errors.js";
import { argument } from "../flags.js";
import { controllerLog, sessionIo, toRunnerFlags, withRunnerOptions, type RunnerArgs } from "./run.js";

interface AgentArgs extends RunnerArgs {
  readonly id?: string;
  readonly count?: string;
  readonly requeueOnTerm?: boolean;
}

export const agentCommand: CommandModule<GlobalArgs, AgentArgs> = {
  command: "agent <id>",
  describe: "Join a running sweep and run some of its trials",
  builder: (y) =>
    withRunnerOptions(
      y
        .positional("id", { type: "string", demandOption: true, describe: "Sweep id (see `sweep ls`)" })
        .option("count", { requiresArg: true, describe: "Run at most this many trials (a whole number >= 1), then exit" })
        .option("requeue-on-term", { type: "boolean", describe: "Trials stopped by SIGTERM go back to the queue at once (batch jobs: time limit, preemption)" }),
    ) as unknown as Argv<AgentArgs>,
  handler: async (args) => {
    // Flags first; the GPUs are checked by joinSweep before it recovers or claims anything.
    const flags = { ...toRunnerFlags(args), requeueOnTerm: args.requeueOnTerm === true };
    const io = sessionIo(args);
    const id = argument(args.id, "id");
    const location = storageLocation(args);
    const storage = await openExistingStorage(location);
    try {
      const summary = await joinSweep(storage, id, flags, io);
      process.exitCode = summary.exitCode;
    } catch (error) {
      throw withLogPath(error, controllerLog(location, id));
    } finally {
      await storage.close();
    }
  },
};
