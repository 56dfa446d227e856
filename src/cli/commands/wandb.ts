/**
 * `sweep wandb [options] -- python train.py [args]`: run a W&B script that calls `wandb.sweep(config)` and
 * `wandb.agent(sweep_id, function=train, count=N)` unchanged, offline, with its trials pinned to GPUs and
 * stored like any sweep's (src/runner/wandb-driver.ts, docs/wandb-compat.md).
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import type { SweepSettings } from "../../config/types.js";
import { ExitCode, type ExitCodeValue } from "../../exit-codes.js";
import { openStorage } from "../../storage/index.js";
import { prepareSlots } from "../../runner/session.js";
import { runWandbDriver, WandbDriverError } from "../../runner/wandb-driver.js";
import { storageLocation, type GlobalArgs } from "../context.js";
import { CliError } from "../errors.js";
import { choice, wholeNumber } from "../flags.js";

const OBJECTIVES = ["last", "best"] as const;

/** Whether `program` names an executable file, directly (with a slash) or through PATH, as spawn finds it. */
function canExecute(program: string): boolean {
  const dirs = program.includes("/") ? [""] : (process.env.PATH ?? "").split(delimiter).filter((d) => d !== "");
  return dirs.some((dir) => {
    try {
      accessSync(dir === "" ? program : join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
import { sessionIo, storedRunnerSettings, toRunnerFlags, withRunnerOptions, type RunnerArgs } from "./run.js";

interface WandbArgs extends RunnerArgs {
  readonly script?: readonly string[];
  readonly "--"?: readonly string[];
  readonly count?: string;
  readonly seed?: string;
  readonly objective?: string;
  readonly lenient?: boolean;
  readonly newSweep?: boolean;
}

export const wandbCommand: CommandModule<GlobalArgs, WandbArgs> = {
  command: "wandb [script..]",
  describe: "Run a W&B script that creates and runs its sweep in-script (wandb.sweep + wandb.agent): sweep wandb -- python train.py",
  builder: (y) =>
    withRunnerOptions(
      y
        // Everything after `--` is the script's command line, kept as typed (no number parsing).
        .parserConfiguration({ "populate--": true, "parse-positional-numbers": false })
        .positional("script", { type: "string", array: true, describe: "The script's command line; put it after `--` when it has options" })
        .option("count", { requiresArg: true, describe: "Trials per wandb.agent() call, a whole number >= 1 (overrides its count=)" })
        .option("seed", { requiresArg: true, describe: "Seed for every random choice of a new sweep, a whole number >= 0 (default: random, stored)" })
        .option("objective", { choices: OBJECTIVES, requiresArg: true, describe: "Which reported value is a trial's objective (new sweep)" })
        .option("lenient", { type: "boolean", default: false, describe: "Unknown keys in the wandb.sweep() config are warnings, not errors" })
        .option("new-sweep", { type: "boolean", default: false, describe: "Create a new sweep even if this script created one with the same config before" })
        .example("$0 wandb --gpus 0,1 -- python train.py --data data/", "run train.py's wandb.sweep()/wandb.agent() on GPUs 0 and 1"),
    ) as unknown as Argv<WandbArgs>,
  handler: async (args) => {
    const argv = [...(args["--"] ?? args.script ?? [])].map(String);
    if (argv.length === 0 || argv[0]!.trim() === "") throw new CliError("give the script to run after `--`, e.g. `sweep wandb -- python train.py`", ExitCode.usage);
    // Every flag is read before anything is opened or started.
    const flags = toRunnerFlags(args);
    const settings: Partial<SweepSettings> = {
      seed: wholeNumber(args.seed, "--seed", { min: 0 }),
      objective: choice(args.objective, "--objective", OBJECTIVES),
      ...storedRunnerSettings(flags),
    };
    // The program too: a storage is only created for a script that can start.
    if (!canExecute(argv[0]!)) throw new CliError(`cannot run ${JSON.stringify(argv[0])}: no such executable${argv[0]!.includes("/") ? "" : " on PATH"}`, ExitCode.usage);
    // The GPUs too: a selection that cannot work here is refused before the script runs at all.
    await prepareSlots(settings as SweepSettings, flags);
    const storage = await openStorage(storageLocation(args));
    try {
      const result = await runWandbDriver({
        argv,
        storage,
        flags,
        settings,
        io: sessionIo(args),
        lenient: args.lenient,
        newSweep: args.newSweep,
      });
      process.exitCode = result.exitCode;
    } catch (error) {
      if (error instanceof WandbDriverError) throw new CliError(error.message, error.exitCode as ExitCodeValue);
      throw error;
    } finally {
      await storage.close();
    }
  },
};
