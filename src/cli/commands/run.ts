/**
 * `sweep run FILE`: store a new sweep from a sweep file and run its trials on this machine's GPUs (or CPU
 * slots). Also holds the runner options shared with `sweep resume` and `sweep agent`.
 */
import type { Argv, CommandModule } from "yargs";
import { loadSweepFile, normaliseGpuSelection, parseDuration } from "../../config/index.js";
import type { ResolvedSweep, SweepSettings } from "../../config/types.js";
import { openStorage } from "../../storage/index.js";
import type { ProgressMode } from "../../runner/progress.js";
import { startSweep, type RunnerFlags, type SessionIo } from "../../runner/session.js";
import { storageLocation, type GlobalArgs } from "../context.js";
import { CliError } from "../errors.js";
import { ExitCode } from "../../exit-codes.js";

export interface RunnerArgs extends GlobalArgs {
  readonly gpus?: string;
  readonly trialsPerGpu?: number;
  readonly gpusPerTrial?: number;
  readonly parallel?: number;
  readonly skipBusyGpus?: boolean;
  readonly trialTimeout?: string;
  readonly maxRetries?: number;
  readonly gracePeriod?: string;
  readonly onInterrupt?: "wait" | "kill";
  readonly quiet?: boolean;
  readonly json?: boolean;
}

/** Options every trial-running command takes. */
export function withRunnerOptions<T>(y: Argv<T>) {
  return y
    .option("gpus", { type: "string", describe: 'GPUs to use: "all" (default), "none" (CPU), or nvidia-smi indices such as 0,2,3' })
    .option("trials-per-gpu", { type: "number", describe: "Trials sharing one GPU (small models)" })
    .option("gpus-per-trial", { type: "number", describe: "GPUs given to each trial (large models)" })
    .option("parallel", { type: "number", describe: "CPU slots when there is no GPU (default 1)" })
    .option("skip-busy-gpus", { type: "boolean", describe: "Leave out GPUs that other processes already fill (>= 1 GiB used)" })
    .option("trial-timeout", { type: "string", describe: "Stop and fail a trial after this long (90s, 30m, 2h)" })
    .option("max-retries", { type: "number", describe: "Re-runs of a trial that crashed (default 0)" })
    .option("grace-period", { type: "string", describe: "Time between SIGTERM and SIGKILL when a trial is stopped (default 10s)" })
    .option("on-interrupt", { choices: ["wait", "kill"] as const, describe: "First Ctrl-C: let running trials finish (wait, default) or stop them (kill)" })
    .option("quiet", { type: "boolean", describe: "Print only warnings, errors and the final summary" })
    .option("json", { type: "boolean", describe: "One JSON object per event on stdout" })
    .conflicts("quiet", "json");
}

function wholeNumber(value: number | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min) throw new CliError(`${flag} ${value} is invalid; expected a whole number of at least ${min}`, ExitCode.usage);
  return value;
}

function duration(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const seconds = parseDuration(String(text));
  if (seconds === undefined || seconds <= 0) throw new CliError(`${flag} ${JSON.stringify(text)} is not a duration; expected e.g. 90, 90s, 30m, 2h or 1h30m`, ExitCode.usage);
  return seconds;
}

function gpuFlag(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = String(text).trim().toLowerCase();
  if (t === "none" || t === "all") return t;
  // UUIDs are accepted as well as indices (CUDA accepts both); indices are normalised ("0, 2" -> "0,2").
  if (/^gpu-|^mig-/i.test(t)) return String(text).trim();
  const normalised = normaliseGpuSelection(String(text));
  if (normalised === undefined) throw new CliError(`--gpus ${JSON.stringify(text)} is invalid; expected "all", "none", or distinct GPU indices such as 0,2,3`, ExitCode.usage);
  return normalised;
}

export function toRunnerFlags(args: RunnerArgs & { readonly count?: number }): RunnerFlags {
  return {
    gpus: gpuFlag(args.gpus),
    trialsPerGpu: wholeNumber(args.trialsPerGpu, "--trials-per-gpu", 1),
    gpusPerTrial: wholeNumber(args.gpusPerTrial, "--gpus-per-trial", 1),
    parallel: wholeNumber(args.parallel, "--parallel", 1),
    skipBusyGpus: args.skipBusyGpus,
    trialTimeout: duration(args.trialTimeout, "--trial-timeout"),
    maxRetries: wholeNumber(args.maxRetries, "--max-retries", 0),
    gracePeriod: duration(args.gracePeriod, "--grace-period"),
    onInterrupt: args.onInterrupt,
    count: wholeNumber(args.count, "--count", 1),
  };
}

/** How a trial-running command talks to the terminal and the log. */
export function sessionIo(args: RunnerArgs): SessionIo {
  return { progress: progressMode(args), logToStderr: args.logFormat === "json" };
}

export function progressMode(args: RunnerArgs): ProgressMode {
  if (args.json) return "json";
  if (args.quiet) return "quiet";
  return process.stderr.isTTY ? "tty" : "lines";
}

interface RunArgs extends RunnerArgs {
  readonly file: string;
  readonly seed?: number;
  readonly objective?: "last" | "best";
  readonly lenient?: boolean;
  readonly wandbShim?: boolean;
}

/** The file's `sweep:` settings with the flags that are stored with the sweep written over them. */
function withOverrides(resolved: ResolvedSweep, args: RunArgs, flags: RunnerFlags): ResolvedSweep {
  const o: Record<string, unknown> = {
    seed: wholeNumber(args.seed, "--seed", 0),
    objective: args.objective,
    storage: args.storage,
    gpus: flags.gpus,
    trialsPerGpu: flags.trialsPerGpu,
    gpusPerTrial: flags.gpusPerTrial,
    parallel: flags.parallel,
    trialTimeout: flags.trialTimeout,
    maxRetries: flags.maxRetries,
    wandbShim: args.wandbShim,
  };
  const defined = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<SweepSettings>;
  return { ...resolved, config: { ...resolved.config, sweep: { ...resolved.config.sweep, ...defined } } };
}

export const runCommand: CommandModule<GlobalArgs, RunArgs> = {
  command: "run <file>",
  describe: "Create a sweep from a sweep file and run its trials",
  builder: (y) =>
    withRunnerOptions(
      y
        .positional("file", { type: "string", demandOption: true, describe: "Sweep file (.yaml, .yml, .json)" })
        .option("seed", { type: "number", describe: "Seed for every random choice (default: random, stored)" })
        .option("objective", { choices: ["last", "best"] as const, describe: "Which reported value is a trial's objective" })
        .option("lenient", { type: "boolean", default: false, describe: "Unknown keys in the sweep file are warnings, not errors" })
        .option("wandb-shim", { type: "boolean", describe: "Run W&B trainers offline: our minimal `wandb` module first on PYTHONPATH (stored with the sweep)" }),
    ) as unknown as Argv<RunArgs>,
  handler: async (args) => {
    const flags = toRunnerFlags(args);
    const resolved = withOverrides(loadSweepFile(args.file, { lenient: args.lenient }), args, flags);
    for (const w of resolved.warnings) process.stderr.write(`warning: ${w.message}\n`);
    const storage = await openStorage(storageLocation(args, resolved.config.sweep.storage));
    try {
      const summary = await startSweep(storage, resolved, flags, sessionIo(args));
      process.exitCode = summary.exitCode;
    } finally {
      await storage.close();
    }
  },
};
