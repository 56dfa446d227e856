/**
 * `sweep agent ID [--count N]`: one more worker on a sweep, from this or another terminal (or machine
 * sharing the storage), as `wandb agent` does. Agents split the trials through the storage.
 */
import type { Argv, CommandModule } from "yargs";
import { joinSweep } from "../../runner/session.js";
import { openExistingStorage, storageLocation, type GlobalArgs } from "../context.js";
import { sessionIo, toRunnerFlags, withRunnerOptions, type RunnerArgs } from "./run.js";

interface AgentArgs extends RunnerArgs {
  readonly id: string;
  readonly count?: number;
}

export const agentCommand: CommandModule<GlobalArgs, AgentArgs> = {
  command: "agent <id>",
  describe: "Join a running sweep and run some of its trials",
  builder: (y) =>
    withRunnerOptions(
      y
        .positional("id", { type: "string", demandOption: true, describe: "Sweep id (see `sweep ls`)" })
        .option("count", { type: "number", describe: "Run at most this many trials, then exit" }),
    ) as unknown as Argv<AgentArgs>,
  handler: async (args) => {
    const flags = toRunnerFlags(args);
    const storage = await openExistingStorage(storageLocation(args));
    try {
      const summary = await joinSweep(storage, args.id, flags, sessionIo(args));
      process.exitCode = summary.exitCode;
    } finally {
      await storage.close();
    }
  },
};
