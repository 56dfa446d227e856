/**
 * `sweep run FILE`: store a new sweep from a sweep file and run its trials on this machine's GPUs (or CPU
 * slots). Also holds the runner options shared with `sweep resume` and `sweep agent`.
 */
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { loadSweepFile, normaliseGpuSelection } from "../../config/index.js";
import { OBJECTIVES } from "../../config/keys.js";
import type { ResolvedSweep, SweepSettings } from "../../config/types.js";
import { openStorage } from "../../storage/index.js";
import type { ProgressMode } from "../../runner/progress.js";
import { prepareSlots, startSweep, type RunnerFlags, type SessionIo } from "../../runner/session.js";
import { storageHome } from "../../runner/setup.js";
import { logFormat, storageLocation, type GlobalArgs } from "../context.js";
import { UsageError, withLogPath } from "../errors.js";
import { argument, choice, duration, enqueueFile, text, wholeNumber } from "../flags.js";

/** As yargs hands them over: the text typed (checked by toRunnerFlags), or a boolean for on/off flags. */
export interface RunnerArgs extends GlobalArgs {
  readonly gpus?: string;
  readonly trialsPerGpu?: string;
  readonly gpusPerTrial?: string;
  readonly parallel?: string;
  readonly skipBusyGpus?: boolean;
  readonly trialTimeout?: string;
  readonly maxRetries?: string;
  readonly gracePeriod?: string;
  readonly onInterrupt?: string;
  readonly quiet?: boolean;
  readonly format?: string;
  /** Deprecated alias of `--format json` (kept so scripts written for it go on working). */
  readonly json?: boolean;
}

/** Output of the trial-running commands: the live view (or lines, without a terminal), or JSON Lines events. */
export const RUN_FORMATS = ["text", "json"] as const;

/** More slots than this on one machine is a typo (and would only exhaust memory). */
export const MAX_SLOTS = 1024;
const MAX_RETRIES = 1000;

/** Options every trial-running command takes. */
export function withRunnerOptions<T>(y: Argv<T>) {
  return y
    .option("gpus", { type: "string", requiresArg: true, describe: 'GPUs to use: "all" (default), "none" (CPU), or nvidia-smi indices such as 0,2,3' })
    .option("trials-per-gpu", { requiresArg: true, describe: `Trials sharing one GPU (small models): 1 to ${MAX_SLOTS}` })
    .option("gpus-per-trial", { requiresArg: true, describe: `GPUs given to each trial (large models): 1 to ${MAX_SLOTS}` })
    .option("parallel", { requiresArg: true, describe: `CPU slots when there is no GPU: 1 (default) to ${MAX_SLOTS}` })
    .option("skip-busy-gpus", { type: "boolean", describe: "Leave out GPUs that other processes already fill (>= 1 GiB used)" })
    .option("trial-timeout", { type: "string", requiresArg: true, describe: "Stop and fail a trial after this long (90s, 30m, 2h)" })
    .option("max-retries", { requiresArg: true, describe: `Re-runs of a trial that crashed: 0 (default) to ${MAX_RETRIES}` })
    .option("grace-period", { type: "string", requiresArg: true, describe: "Time between SIGTERM and SIGKILL when a trial is stopped (default 10s)" })
    .option("on-interrupt", { choices: ["wait", "kill"] as const, requiresArg: true, describe: "First Ctrl-C: let running trials finish (wait, default) or stop them (kill)" })
    .option("quiet", { type: "boolean", describe: "Print only warnings, errors and the final summary" })
    .option("format", { choices: RUN_FORMATS, requiresArg: true, describe: "text (default): the live view on stderr; json: one JSON object per event on stdout (JSON Lines)" })
    .option("json", { type: "boolean", describe: "Deprecated: the same as --format json" })
    .conflicts("quiet", "json");
}

function gpuFlag(value: unknown): string | undefined {
  const given = text(value, "--gpus");
  if (given === undefined) return undefined;
  const t = given.trim().toLowerCase();
  if (t === "none" || t === "all") return t;
  // UUIDs are accepted as well as indices (CUDA accepts both); indices are normalised ("0, 2" -> "0,2").
  if (/^gpu-|^mig-/i.test(t)) return given.trim(); // checked against nvidia-smi's list before the run
  const normalised = normaliseGpuSelection(given);
  if (normalised === undefined) throw new UsageError(`--gpus ${JSON.stringify(given)} is invalid; expected "all", "none", or distinct GPU indices such as 0,2,3`);
  return normalised;
}

/** Every runner option, checked; a bad one is a UsageError before anything is opened or started. */
export function toRunnerFlags(args: RunnerArgs & { readonly count?: string }): RunnerFlags {
  return {
    gpus: gpuFlag(args.gpus),
    trialsPerGpu: wholeNumber(args.trialsPerGpu, "--trials-per-gpu", { min: 1, max: MAX_SLOTS }),
    gpusPerTrial: wholeNumber(args.gpusPerTrial, "--gpus-per-trial", { min: 1, max: MAX_SLOTS }),
    parallel: wholeNumber(args.parallel, "--parallel", { min: 1, max: MAX_SLOTS }),
    skipBusyGpus: args.skipBusyGpus,
    trialTimeout: duration(args.trialTimeout, "--trial-timeout"),
    maxRetries: wholeNumber(args.maxRetries, "--max-retries", { min: 0, max: MAX_RETRIES }),
    gracePeriod: duration(args.gracePeriod, "--grace-period"),
    onInterrupt: choice(args.onInterrupt, "--on-interrupt", ["wait", "kill"] as const),
    count: wholeNumber(args.count, "--count", { min: 1 }),
  };
}

/**
 * What to point at when a trial-running command fails with a bug: the controller log of `sweepId`, or the
 * folder of controller logs when the id is not known yet.
 */
export function controllerLog(location: string, sweepId?: string): string {
  const dir = join(storageHome(location), "logs");
  return sweepId === undefined ? `the controller logs in ${dir}` : `the controller log ${join(dir, `controller-${sweepId}.log`)}`;
}

/** How a trial-running command talks to the terminal and the log. */
export function sessionIo(args: RunnerArgs): SessionIo {
  return { progress: progressMode(args), logToStderr: logFormat(args) === "json" };
}

/**
 * `--format json` (or its deprecated spelling `--json`): JSON Lines on stdout; `--quiet`: the summary only.
 * Checked with the other flags, before anything runs.
 */
export function progressMode(args: RunnerArgs): ProgressMode {
  const format = choice(args.format, "--format", RUN_FORMATS);
  if (args.json && format === "text") throw new UsageError("--json and --format text contradict each other; --json is the old spelling of --format json");
  if (args.json) process.stderr.write("warning: --json is deprecated; use --format json (the same output)\n");
  if (args.json || format === "json") {
    if (args.quiet) throw new UsageError("--quiet and --format json cannot be combined: --format json prints every event as JSON; drop one");
    return "json";
  }
  if (args.quiet) return "quiet";
  return process.stderr.isTTY ? "tty" : "lines";
}

interface RunArgs extends RunnerArgs {
  readonly file?: string;
  readonly count?: string;
  readonly seed?: string;
  readonly objective?: string;
  readonly lenient?: boolean;
  readonly wandbShim?: boolean;
  readonly enqueue?: string;
}

/** The runner flags that are stored with a new sweep (`run`, `wandb`), as `sweep:` settings. */
export function storedRunnerSettings(flags: RunnerFlags): Partial<SweepSettings> {
  return {
    gpus: flags.gpus,
    trialsPerGpu: flags.trialsPerGpu,
    gpusPerTrial: flags.gpusPerTrial,
    parallel: flags.parallel,
    trialTimeout: flags.trialTimeout,
    maxRetries: flags.maxRetries,
  };
}

/** The file's `sweep:` settings with the flags that are stored with the sweep written over them. */
function withOverrides(resolved: ResolvedSweep, overrides: Partial<SweepSettings>, flags: RunnerFlags): ResolvedSweep {
  const o: Record<string, unknown> = { ...overrides, ...storedRunnerSettings(flags) };
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
        .option("seed", { requiresArg: true, describe: "Seed for every random choice, a whole number >= 0 (default: random, stored)" })
        .option("count", { requiresArg: true, describe: "Run at most this many trials, then stop (`sweep resume` goes on); a whole number >= 1" })
        .option("objective", { choices: OBJECTIVES, requiresArg: true, describe: "Which reported value is a trial's objective" })
        .option("lenient", { type: "boolean", default: false, describe: "Unknown keys in the sweep file are warnings, not errors" })
        .option("enqueue", { type: "string", requiresArg: true, describe: "YAML/JSON file of parameter values (or a list of them) to run first, e.g. a baseline; missing ones are sampled" })
        .option("wandb-shim", { type: "boolean", describe: "Run W&B trainers offline: our minimal `wandb` module first on PYTHONPATH (stored with the sweep)" }),
    ) as unknown as Argv<RunArgs>,
  handler: async (args) => {
    // Everything is checked before the storage is opened: flags, the sweep file, the storage location, the GPUs.
    const flags = toRunnerFlags(args);
    const io = sessionIo(args);
    const overrides: Partial<SweepSettings> = {
      seed: wholeNumber(args.seed, "--seed", { min: 0 }),
      objective: choice(args.objective, "--objective", OBJECTIVES),
      storage: text(args.storage, "--storage"),
      wandbShim: args.wandbShim,
    };
    const file = argument(args.file, "file");
    const resolved = withOverrides(loadSweepFile(file, { lenient: args.lenient }), overrides, flags);
    const enqueued = enqueueFile(args.enqueue, resolved.space);
    const location = storageLocation(args, resolved.config.sweep.storage);
    const slots = await prepareSlots(resolved.config.sweep, flags);
    for (const w of resolved.warnings) process.stderr.write(`warning: ${w.message}\n`);
    // Random and Bayesian search never run out of points: without run_cap or --count the sweep runs until it is
    // stopped, which is legitimate (W&B does the same) but should never come as a surprise.
    if (resolved.config.method !== "grid" && resolved.config.run_cap === undefined && flags.count === undefined) {
      process.stderr.write(`warning: this ${resolved.config.method} sweep has no end (no run_cap in ${file}, no --count): it runs until stopped (Ctrl-C, \`sweep stop\`)\n`);
    }
    const storage = await openStorage(location);
    try {
      const summary = await startSweep(storage, resolved, flags, io, slots, enqueued);
      process.exitCode = summary.exitCode;
    } catch (error) {
      throw withLogPath(error, controllerLog(location));
    } finally {
      await storage.close();
    }
  },
};
