/**
 * `sweep wandb [options] -- python train.py [args]`: run a W&B script that calls `wandb.sweep(config)` and
 * `wandb.agent(sweep_id, function=train, count=N)` unchanged, offline, with its trials pinned to GPUs and
 * stored like any sweep's (src/runner/wandb-driver.ts, docs/wandb-compat.md).
 */
import type { Argv, CommandModule } from "yargs";
import type { SweepSettings } from "../../config/types.js";
import { ExitCode, type ExitCodeValue } from "../../exit-codes.js";
import { openStorage } from "../../storage/index.js";
import { runWandbDriver, WandbDriverError } from "../../runner/wandb-driver.js";
import { storageLocation, type GlobalArgs } from "../context.js";
import { CliError } from "../errors.js";
import { sessionIo, toRunnerFlags, withRunnerOptions, type RunnerArgs } from "./run.js";

interface WandbArgs extends RunnerArgs {
  readonly script?: readonly string[];
  readonly "--"?: readonly string[];
  readonly count?: number;
  readonly seed?: number;
  readonly objective?: "last" | "best";
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
        .option("count", { type: "number", describe: "Trials per wandb.agent() call (overrides its count=)" })
        .option("seed", { type: "number", describe: "Seed for every random choice of a new sweep (default: random, stored)" })
        .option("objective", { choices: ["last", "best"] as const, describe: "Which reported value is a trial's objective (new sweep)" })
        .option("lenient", { type: "boolean", default: false, describe: "Unknown keys in the wandb.sweep() config are warnings, not errors" })
        .option("new-sweep", { type: "boolean", default: false, describe: "Create a new sweep even if this script created one with the same config before" })
        .example("$0 wandb --gpus 0,1 -- python train.py --data data/", "run train.py's wandb.sweep()/wandb.agent() on GPUs 0 and 1"),
    ) as unknown as Argv<WandbArgs>,
  handler: async (args) => {
    const argv = [...(args["--"] ?? args.script ?? [])].map(String);
    if (argv.length === 0) throw new CliError("give the script to run after `--`, e.g. `sweep wandb -- python train.py`", ExitCode.usage);
    const flags = toRunnerFlags(args);
    if (args.seed !== undefined && (!Number.isInteger(args.seed) || args.seed < 0)) {
      throw new CliError(`--seed ${args.seed} is invalid; expected a whole number of at least 0`, ExitCode.usage);
    }
    const settings: Partial<SweepSettings> = {
      seed: args.seed,
      objective: args.objective,
      gpus: flags.gpus,
      trialsPerGpu: flags.trialsPerGpu,
      gpusPerTrial: flags.gpusPerTrial,
      parallel: flags.parallel,
      trialTimeout: flags.trialTimeout,
      maxRetries: flags.maxRetries,
    };
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
