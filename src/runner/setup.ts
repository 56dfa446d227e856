/**
 * Turning settings (sweep file `sweep:` block + CLI flags) into the controller's concrete resources:
 * slots, directories, the controller log.
 */
import { chmodSync, mkdirSync, openSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pino, type Logger } from "pino";
import { DEFAULT_STORAGE_PATH, parseStorageLocation } from "../storage/index.js";
import type { SweepSettings } from "../config/types.js";
import { envSecretValues, isSecretName, redactArgv, REDACTED, redactText, secretValueList } from "../config/secrets.js";
import { escapeControlInJson } from "../terminal-text.js";
import { GpuSelectionError, hidesAllGpus, queryGpus, selectGpus } from "./gpus.js";
import { ResourcePlan } from "./resources.js";
import { planSlots, SlotPlanError, type Slot } from "./slots.js";
import { visibleDevicesFromEnv } from "./slurm/env.js";

/** Settings that only matter while trials run; CLI flags may override them on every run/resume/agent. */
export interface RuntimeFlags {
  readonly gpus?: string;
  readonly trialsPerGpu?: number;
  readonly gpusPerTrial?: number;
  readonly parallel?: number;
  readonly skipBusyGpus?: boolean;
}

export interface SlotSetup {
  /** With per-model rules: one lane per trial a GPU can hold at most; a trial's GPUs are chosen when it launches. */
  readonly slots: Slot[];
  /** Per-model rules (`sweep.resources`) on GPUs: the controller places each trial by its parameters. */
  readonly resources?: ResourcePlan;
  /** Things the user should know (no GPU found, busy GPUs used or skipped, a GPU left unused). */
  readonly notices: string[];
}

/**
 * Finds the GPUs and plans slots. With no usable GPU (none installed, CUDA_VISIBLE_DEVICES hides them all,
 * `--gpus none`) the sweep runs on `parallel` CPU slots. Asking for specific GPUs on a machine without
 * any is an error, not a silent fallback to CPU. Nothing is stored or started here, so callers run it before
 * creating or claiming anything: a GPU selection that cannot work (GpuSelectionError, SlotPlanError) changes nothing.
 */
export async function setupSlots(settings: SweepSettings & RuntimeFlags, env: NodeJS.ProcessEnv = process.env): Promise<SlotSetup> {
  const notices: string[] = [];
  const wanted = settings.gpus?.trim().toLowerCase();
  const explicitGpus = wanted !== undefined && wanted !== "" && wanted !== "all" && wanted !== "none";
  // Inside a Slurm job only the GPUs Slurm gave it (CUDA_VISIBLE_DEVICES, else SLURM_STEP_GPUS / SLURM_JOB_GPUS).
  const visible = visibleDevicesFromEnv(env);
  const cpuOnly = wanted === "none" || hidesAllGpus(visible);

  let gpuIds: string[] = [];
  if (!cpuOnly) {
    const query = await queryGpus(env);
    if (!query.ok) {
      if (explicitGpus) throw new GpuSelectionError(`--gpus ${settings.gpus} asks for GPUs, but none can be found: ${query.reason}`);
      notices.push(`no GPU found (${query.reason}); running on ${settings.parallel ?? 1} CPU slot(s)`);
    } else {
      const selection = selectGpus(query.gpus, {
        cudaVisibleDevices: visible,
        gpus: settings.gpus,
        skipBusy: settings.skipBusyGpus ?? false,
      });
      for (const g of selection.skippedBusy) notices.push(`skipping busy GPU ${g.index} (${g.memoryUsedMiB} MiB in use)`);
      // Trials on a GPU that something else fills may run out of memory or crawl: said before the first one starts.
      for (const g of selection.busy) {
        notices.push(`GPU ${g.index} is busy: ${g.memoryUsedMiB} of ${g.memoryTotalMiB} MiB already in use by other processes; trials run there too (--skip-busy-gpus leaves busy GPUs out)`);
      }
      if (selection.gpus.length === 0 && selection.skippedBusy.length > 0) {
        throw new GpuSelectionError(`every selected GPU is busy (${selection.skippedBusy.map((g) => g.index).join(",")}); drop --skip-busy-gpus or free a GPU`);
      }
      gpuIds = selection.gpus.map((g) => String(g.index));
    }
  }
  const rules = settings.resources ?? [];
  if (rules.length > 0 && gpuIds.length === 0) {
    notices.push(`sweep.resources is ignored: no GPU to place trials on; running on ${settings.parallel ?? 1} CPU slot(s)`);
  } else if (rules.length > 0) {
    const resources = new ResourcePlan(gpuIds, rules, { gpusPerTrial: settings.gpusPerTrial ?? 1, trialsPerGpu: settings.trialsPerGpu ?? 1 });
    const impossible = resources.unplaceable();
    if (impossible.length > 0) throw new SlotPlanError(impossible.join("; "));
    return { slots: planSlots(gpuIds, { trialsPerGpu: resources.maxTrialsPerGpu() }).slots, resources, notices };
  }
  const plan = planSlots(gpuIds, { trialsPerGpu: settings.trialsPerGpu, gpusPerTrial: settings.gpusPerTrial, parallel: settings.parallel });
  if (plan.unusedGpus.length > 0) notices.push(`GPU(s) ${plan.unusedGpus.join(",")} left unused: ${gpuIds.length} GPUs do not divide into groups of --gpus-per-trial ${settings.gpusPerTrial}`);
  return { slots: plan.slots, notices };
}

/** The folder beside the database where trial folders and controller logs go (`storage/` by default). */
export function storageHome(location: string): string {
  const parsed = parseStorageLocation(location);
  if (parsed.kind === "memory") return join(tmpdir(), "sweep-memory-storage");
  // A database server has no folder of ours: trial logs stay on this host, under ./storage.
  if (parsed.kind === "postgresql") return resolve(LOCAL_STORAGE_DIR);
  return dirname(resolve(parsed.path));
}

/** Where trial folders and logs go when the storage is not a local file. */
const LOCAL_STORAGE_DIR = dirname(DEFAULT_STORAGE_PATH);

/** Trial folders: `<storage dir>/runs/<sweepId>/trial-NNNN/`. */
export function runDirFor(location: string): string {
  return join(storageHome(location), "runs");
}

export interface ControllerLoggerOptions {
  /** Also write each line to stderr (`--log-format json`). */
  readonly stderr?: boolean;
  /**
   * Values to hide wherever they occur in a log line: those of the sweep's `${envvar:NAME}` macros
   * (`commandSecretValues(sweep.config.command, env)` in config/secrets.ts).
   */
  readonly secrets?: readonly string[];
  /** Environment whose secret-named variables (`HF_TOKEN`, `WANDB_API_KEY`, ...) are hidden by value; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Log files hold argv and trainer output: only their owner may read them. */
const LOG_FILE_MODE = 0o600;
const LOG_DIR_MODE = 0o700;

/**
 * JSON-lines log of one controller: `<storage dir>/logs/controller-<sweepId>.log` (appended to by
 * resume/agent), mode 0600 in a 0700 folder. Every finished line goes through `redactLogLine` (argv
 * elements, secret-named keys and flags, and the secret values in `options.secrets` and the environment
 * become `***`; what JSON leaves raw of control characters is escaped) before it reaches the file or stderr.
 */
export function createControllerLogger(location: string, sweepId: string, options: ControllerLoggerOptions = {}): { logger: Logger; file: string } {
  const dir = join(storageHome(location), "logs");
  mkdirSync(dir, { recursive: true, mode: LOG_DIR_MODE });
  const file = join(dir, `controller-${sweepId}.log`);
  const toFile = new DropOnErrorFile(file, LOG_FILE_MODE);
  tightenMode(file, LOG_FILE_MODE);
  const destination = options.stderr ? pino.multistream([{ stream: toFile }, { stream: pino.destination({ dest: 2, sync: true }) }]) : toFile;
  const secretValues = secretValueList([...envSecretValues(options.env ?? process.env), ...(options.secrets ?? [])]);
  const logger = pino(
    {
      level: process.env.SWEEP_LOG_LEVEL ?? "info",
      base: { pid: process.pid },
      // On the finished line, so child bindings, messages and serialized errors are covered alike.
      hooks: { streamWrite: (line) => redactLogLine(line, secretValues) },
    },
    destination,
  );
  return { logger, file };
}

/**
 * The controller log's file: synchronous appends (nothing is lost when the process is killed), and a write
 * that fails (ENOSPC, EIO) is dropped and counted instead of thrown into whatever was logging: a full disk must
 * not take a running sweep down with it. pino writes to any object with `write`.
 */
class DropOnErrorFile {
  private fd: number | null;
  dropped = 0;

  constructor(path: string, mode: number) {
    try {
      this.fd = openSync(path, "a", mode);
    } catch {
      this.fd = null;
    }
  }

  write(chunk: string): boolean {
    if (this.fd === null) {
      this.dropped++;
      return true;
    }
    try {
      writeSync(this.fd, chunk);
    } catch {
      this.dropped++;
    }
    return true;
  }
}

/** A log file created by an older version (0644) is made private too; a file we do not own is left alone. */
function tightenMode(file: string, mode: number): void {
  try {
    if ((statSync(file).mode & 0o777 & ~mode) !== 0) chmodSync(file, mode);
  } catch {
    // Not ours to change (another user's file on a shared storage folder): the log still works.
  }
}

/**
 * One JSON log line with its secrets hidden (`redactLogRecord`) and no raw control characters. A line that
 * is not JSON (never written by pino) is still cleared of the secret values.
 */
export function redactLogLine(line: string, secretValues: readonly string[]): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return escapeControlInJson(redactText(line, secretValues));
  }
  if (record === null || typeof record !== "object" || Array.isArray(record)) return escapeControlInJson(redactText(line, secretValues));
  return `${escapeControlInJson(JSON.stringify(redactLogRecord(record as Record<string, unknown>, secretValues)))}\n`;
}

/**
 * A log record with its secrets hidden: an `argv` array through `redactArgv`, the value of any key named
 * like a secret replaced by `***`, secret values removed from every string, errors turned into plain
 * `{type, message, stack}` objects so their messages are cleaned too. Nested records are copied.
 */
export function redactLogRecord(record: Record<string, unknown>, secretValues: readonly string[]): Record<string, unknown> {
  return redactLogValue(record, undefined, secretValues, 0) as Record<string, unknown>;
}

const MAX_LOG_DEPTH = 16;

function redactLogValue(value: unknown, key: string | undefined, secretValues: readonly string[], depth: number): unknown {
  if (key !== undefined && isSecretName(key) && value !== null && value !== undefined && typeof value !== "object") return REDACTED;
  if (typeof value === "string") return redactText(value, secretValues);
  if (value === null || typeof value !== "object" || depth > MAX_LOG_DEPTH) return value;
  if (key === "argv" && Array.isArray(value) && value.every((v) => typeof v === "string")) return redactArgv(value, { secretValues });
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { type: value.name, message: value.message, stack: value.stack };
    for (const [k, v] of Object.entries(value)) plain[k] = v;
    return redactLogValue(plain, key, secretValues, depth + 1);
  }
  if (Array.isArray(value)) return value.map((v) => redactLogValue(v, undefined, secretValues, depth + 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretName(k) && v !== null && v !== undefined ? REDACTED : redactLogValue(v, k, secretValues, depth + 1);
  }
  return out;
}
