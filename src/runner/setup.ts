/**
 * Turning settings (sweep file `sweep:` block + CLI flags) into the controller's concrete resources:
 * slots, directories, the controller log.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pino, type Logger } from "pino";
import { DEFAULT_STORAGE_PATH, parseStorageLocation } from "../storage/index.js";
import type { SweepSettings } from "../config/types.js";
import { GpuSelectionError, hidesAllGpus, queryGpus, selectGpus } from "./gpus.js";
import { planSlots, type Slot } from "./slots.js";

/** Settings that only matter while trials run; CLI flags may override them on every run/resume/agent. */
export interface RuntimeFlags {
  readonly gpus?: string;
  readonly trialsPerGpu?: number;
  readonly gpusPerTrial?: number;
  readonly parallel?: number;
  readonly skipBusyGpus?: boolean;
}

export interface SlotSetup {
  readonly slots: Slot[];
  /** Things the user should know (no GPU found, busy GPUs skipped, a GPU left unused). */
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
  const cpuOnly = wanted === "none" || hidesAllGpus(env.CUDA_VISIBLE_DEVICES);

  let gpuIds: string[] = [];
  if (!cpuOnly) {
    const query = await queryGpus(env);
    if (!query.ok) {
      if (explicitGpus) throw new GpuSelectionError(`--gpus ${settings.gpus} asks for GPUs, but none can be found: ${query.reason}`);
      notices.push(`no GPU found (${query.reason}); running on ${settings.parallel ?? 1} CPU slot(s)`);
    } else {
      const selection = selectGpus(query.gpus, {
        cudaVisibleDevices: env.CUDA_VISIBLE_DEVICES,
        gpus: settings.gpus,
        skipBusy: settings.skipBusyGpus ?? false,
      });
      for (const g of selection.skippedBusy) notices.push(`skipping busy GPU ${g.index} (${g.memoryUsedMiB} MiB in use)`);
      if (selection.gpus.length === 0 && selection.skippedBusy.length > 0) {
        throw new GpuSelectionError(`every selected GPU is busy (${selection.skippedBusy.map((g) => g.index).join(",")}); drop --skip-busy-gpus or free a GPU`);
      }
      gpuIds = selection.gpus.map((g) => String(g.index));
    }
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

/** JSON-lines log of one controller: `<storage dir>/logs/controller-<sweepId>.log` (appended to by resume/agent). */
export function createControllerLogger(location: string, sweepId: string, options: { stderr?: boolean } = {}): { logger: Logger; file: string } {
  const dir = join(storageHome(location), "logs");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `controller-${sweepId}.log`);
  const toFile = pino.destination({ dest: file, sync: true, mkdir: true });
  const destination = options.stderr ? pino.multistream([{ stream: toFile }, { stream: pino.destination({ dest: 2, sync: true }) }]) : toFile;
  const logger = pino({ level: process.env.SWEEP_LOG_LEVEL ?? "info", base: { pid: process.pid } }, destination);
  return { logger, file };
}
