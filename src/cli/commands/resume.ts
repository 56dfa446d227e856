/**
 * `sweep resume ID`: continue a sweep after Ctrl-C, a crash or kill -9 of its controller. Trials that were
 * running are re-run with the same params (attempt + 1), completed ones are kept, counts stay exact.
 */
import type { Argv, CommandModule } from "yargs";
import { resumeSweep } from "../../runner/session.js";
import { openExistingStorage, storageLocation, type GlobalArgs } from "../context.js";
import { withLogPath } from "../errors.js";
import { argument, wholeNumber } from "../flags.js";
import { UsageError } from "../errors.js";
import type { RunCapChange } from "../../study/extend.js";
import { controllerLog, sessionIo, toRunnerFlags, withRunnerOptions, type RunnerArgs } from "./run.js";

interface ResumeArgs extends RunnerArgs {
  readonly id?: string;
  readonly retryFailed?: boolean;
  readonly runCap?: string;
  readonly add?: string;
}

/** `--run-cap N` or `--add N` (not both), checked; undefined when neither is given. */
export function runCapChange(args: { readonly runCap?: unknown; readonly add?: unknown }): RunCapChange | undefined {
  const runCap = wholeNumber(args.runCap, "--run-cap", { min: 1 });
  const add = wholeNumber(args.add, "--add", { min: 1 });
  if (runCap !== undefined && add !== undefined) throw new UsageError(`--run-cap ${runCap} and --add ${add} both set the run_cap; give one`);
  if (runCap !== undefined) return { runCap };
  return add === undefined ? undefined : { add };
}

export const resumeCommand: CommandModule<GlobalArgs, ResumeArgs> = {
  command: "resume <id>",
  describe: "Continue a stopped or crashed sweep, re-running its interrupted trials",
  builder: (y) =>
    withRunnerOptions(
      y
        .positional("id", { type: "string", demandOption: true, describe: "Sweep id (see `sweep ls`)" })
        .option("retry-failed", { type: "boolean", describe: "Run failed trials again (same number and params, next attempt)" })
        .option("run-cap", { requiresArg: true, describe: "Extend the sweep: set its run_cap to N (more than the trials it has), then go on" })
        .option("add", { requiresArg: true, describe: "Extend the sweep by N trials: run_cap + N (without a run_cap: the trials it has + N)" }),
    ) as unknown as Argv<ResumeArgs>,
  handler: async (args) => {
    // Flags first; the GPUs are checked by resumeSweep before it recovers or requeues anything.
    const flags = { ...toRunnerFlags(args), retryFailed: args.retryFailed, extend: runCapChange(args) };
    const io = sessionIo(args);
    const id = argument(args.id, "id");
    const location = storageLocation(args);
    const storage = await openExistingStorage(location);
    try {
      const summary = await resumeSweep(storage, id, flags, io);
      process.exitCode = summary.exitCode;
    } catch (error) {
      throw withLogPath(error, controllerLog(location, id));
    } finally {
      await storage.close();
    }
  },
};
