/**
 * `sweep resume ID`: continue a sweep after Ctrl-C, a crash or kill -9 of its controller. Trials that were
 * running are re-run with the same params (attempt + 1), completed ones are kept, counts stay exact.
 */
import type { Argv, CommandModule } from "yargs";
import { resumeSweep } from "../../runner/session.js";
import { openExistingStorage, storageLocation, type GlobalArgs } from "../context.js";
import { sessionIo, toRunnerFlags, withRunnerOptions, type RunnerArgs } from "./run.js";

interface ResumeArgs extends RunnerArgs {
  readonly id: string;
  readonly retryFailed?: boolean;
}

export const resumeCommand: CommandModule<GlobalArgs, ResumeArgs> = {
  command: "resume <id>",
  describe: "Continue a stopped or crashed sweep, re-running its interrupted trials",
  builder: (y) =>
    withRunnerOptions(
      y
        .positional("id", { type: "string", demandOption: true, describe: "Sweep id (see `sweep ls`)" })
        .option("retry-failed", { type: "boolean", describe: "Run failed trials again (same number and params, next attempt)" }),
    ) as unknown as Argv<ResumeArgs>,
  handler: async (args) => {
    const flags = { ...toRunnerFlags(args), retryFailed: args.retryFailed };
    const storage = await openExistingStorage(storageLocation(args));
    try {
      const summary = await resumeSweep(storage, args.id, flags, sessionIo(args));
      process.exitCode = summary.exitCode;
    } finally {
      await storage.close();
    }
  },
};
