/**
 * GPU discovery and selection.
 *
 * GPUs are found with `nvidia-smi` (never through CUDA, so the controller itself never initialises a GPU
 * context) and narrowed three ways: the controller's own `CUDA_VISIBLE_DEVICES`, `--gpus`, and optionally
 * `--skip-busy-gpus`. Children are pinned by nvidia-smi *index* together with `CUDA_DEVICE_ORDER=PCI_BUS_ID`
 * (see trial-env.ts): nvidia-smi numbers GPUs in PCI bus order, while CUDA's default order is "fastest
 * first", so the index alone would name a different card on mixed machines.
 */
import { spawn } from "node:child_process";

export interface GpuInfo {
  /** nvidia-smi index, in PCI bus order. */
  readonly index: number;
  readonly uuid: string;
  readonly name: string;
  readonly memoryTotalMiB: number;
  readonly memoryUsedMiB: number;
}

/** The exact query the runner issues; the test fixture `test/fixtures/nvidia-smi` answers it. */
export const NVIDIA_SMI_ARGS = [
  "--query-gpu=index,uuid,name,memory.total,memory.used",
  "--format=csv,noheader,nounits",
] as const;

export class GpuSelectionError extends Error {
  override readonly name = "GpuSelectionError";
}

/** Parses `nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used --format=csv,noheader,nounits`. */
export function parseNvidiaSmiCsv(text: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "") continue;
    const fields = line.split(",").map((f) => f.trim());
    if (fields.length < 5) {
      throw new GpuSelectionError(`nvidia-smi printed ${JSON.stringify(line)}; expected 5 comma-separated fields (index, uuid, name, memory.total, memory.used)`);
    }
    // A GPU name could in principle contain a comma: the name is everything between uuid and the two numbers.
    const index = Number(fields[0]);
    const memoryTotalMiB = Number(fields[fields.length - 2]);
    const memoryUsedMiB = Number(fields[fields.length - 1]);
    if (!Number.isInteger(index) || index < 0) {
      throw new GpuSelectionError(`nvidia-smi printed GPU index ${JSON.stringify(fields[0])}; expected a non-negative integer`);
    }
    gpus.push({
      index,
      uuid: fields[1]!,
      name: fields.slice(2, -2).join(", "),
      // "[N/A]" (some virtual GPUs) becomes NaN; treat unknown memory as 0 so the GPU is still usable.
      memoryTotalMiB: Number.isFinite(memoryTotalMiB) ? memoryTotalMiB : 0,
      memoryUsedMiB: Number.isFinite(memoryUsedMiB) ? memoryUsedMiB : 0,
    });
  }
  return gpus;
}

export type GpuQueryResult =
  | { readonly ok: true; readonly gpus: GpuInfo[] }
  /** No nvidia-smi, or it failed (no driver): the machine is treated as CPU-only, with this reason shown. */
  | { readonly ok: false; readonly reason: string };

/** Runs nvidia-smi (found on `PATH` of `env`). Never throws for a missing tool: that just means "no GPU". */
export function queryGpus(env: NodeJS.ProcessEnv = process.env, timeoutMs = 15_000): Promise<GpuQueryResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    const child = spawn("nvidia-smi", [...NVIDIA_SMI_ARGS], { env, stdio: ["ignore", "pipe", "pipe"] });
    // A hung driver makes nvidia-smi hang too; our own timer (spawn's `timeout` option outlives a failed spawn).
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    timer.unref();
    child.on("exit", () => clearTimeout(timer));
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: err.code === "ENOENT" ? "nvidia-smi not found on PATH" : `nvidia-smi could not run: ${err.message}` });
    });
    child.on("close", (code, signal) => {
      if (code !== 0) {
        const detail = (stderr || stdout).trim().split("\n").slice(-1)[0] ?? "";
        resolve({ ok: false, reason: `nvidia-smi exited with ${signal ?? `code ${code}`}${detail ? `: ${detail}` : ""}` });
        return;
      }
      try {
        resolve({ ok: true, gpus: parseNvidiaSmiCsv(stdout) });
      } catch (err) {
        resolve({ ok: false, reason: (err as Error).message });
      }
    });
  });
}

export interface GpuSelectionOptions {
  /** The controller's own CUDA_VISIBLE_DEVICES (undefined = not set). */
  readonly cudaVisibleDevices?: string | undefined;
  /** `--gpus`: "all" (default), or a comma list of nvidia-smi indices or UUIDs, e.g. "0,2,3". */
  readonly gpus?: string | undefined;
  /**
   * `--skip-busy-gpus`: leave out GPUs whose used memory is at least `busyMemoryMiB`. Without it they stay
   * selected and are listed in `busy`, for a warning.
   */
  readonly skipBusy?: boolean;
  readonly busyMemoryMiB?: number;
}

/** Used memory at or above which a GPU counts as busy: warned about, or skipped with `--skip-busy-gpus` (a desktop session uses a few hundred MiB). */
export const DEFAULT_BUSY_MEMORY_MIB = 1024;

export interface GpuSelection {
  readonly gpus: GpuInfo[];
  /** GPUs left out by `--skip-busy-gpus`, to tell the user. */
  readonly skippedBusy: GpuInfo[];
  /** Selected GPUs that other processes already fill (without `--skip-busy-gpus`): trials go there too, with a warning. */
  readonly busy: GpuInfo[];
}

function parseIdList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function findGpu(all: readonly GpuInfo[], id: string): GpuInfo | undefined {
  if (/^\d+$/.test(id)) return all.find((g) => g.index === Number(id));
  // CUDA accepts UUID prefixes ("GPU-3f2a"); so do we, as long as the prefix is unambiguous.
  const matches = all.filter((g) => g.uuid === id || g.uuid.startsWith(id));
  return matches.length === 1 ? matches[0] : undefined;
}

/** True when a CUDA_VISIBLE_DEVICES value hides every GPU ("" or "-1", as CUDA reads them). */
export function hidesAllGpus(cudaVisibleDevices: string | undefined): boolean {
  if (cudaVisibleDevices === undefined) return false;
  const first = parseIdList(cudaVisibleDevices)[0];
  return first === undefined || first === "-1";
}

/**
 * Narrows the discovered GPUs. Throws GpuSelectionError (quoting the bad id) when `--gpus` or
 * CUDA_VISIBLE_DEVICES names a GPU that nvidia-smi does not list, or `--gpus` asks for one the controller's
 * CUDA_VISIBLE_DEVICES hides.
 */
export function selectGpus(all: readonly GpuInfo[], opts: GpuSelectionOptions = {}): GpuSelection {
  let visible: GpuInfo[] = [...all];
  if (opts.cudaVisibleDevices !== undefined) {
    if (hidesAllGpus(opts.cudaVisibleDevices)) {
      visible = [];
    } else {
      visible = [];
      for (const id of parseIdList(opts.cudaVisibleDevices)) {
        const gpu = findGpu(all, id);
        if (!gpu) {
          throw new GpuSelectionError(
            `CUDA_VISIBLE_DEVICES=${JSON.stringify(opts.cudaVisibleDevices)} names GPU ${JSON.stringify(id)}, which nvidia-smi does not list; expected indices or UUIDs among ${describeIds(all)}`,
          );
        }
        if (!visible.includes(gpu)) visible.push(gpu);
      }
    }
  }

  let chosen = visible;
  const wanted = opts.gpus?.trim();
  if (wanted !== undefined && wanted !== "" && wanted !== "all") {
    chosen = [];
    for (const id of parseIdList(wanted)) {
      const gpu = findGpu(all, id);
      if (!gpu) {
        throw new GpuSelectionError(`--gpus ${JSON.stringify(wanted)} names GPU ${JSON.stringify(id)}, which does not exist; expected indices or UUIDs among ${describeIds(all)}`);
      }
      if (!visible.includes(gpu)) {
        throw new GpuSelectionError(
          `--gpus ${JSON.stringify(wanted)} names GPU ${id}, but the controller's CUDA_VISIBLE_DEVICES=${JSON.stringify(opts.cudaVisibleDevices)} hides it; expected one of ${describeIds(visible)}`,
        );
      }
      if (!chosen.includes(gpu)) chosen.push(gpu);
    }
  }

  const threshold = opts.busyMemoryMiB ?? DEFAULT_BUSY_MEMORY_MIB;
  const busy = chosen.filter((g) => g.memoryUsedMiB >= threshold);
  if (!opts.skipBusy) return { gpus: chosen, skippedBusy: [], busy };
  return { gpus: chosen.filter((g) => g.memoryUsedMiB < threshold), skippedBusy: busy, busy: [] };
}

function describeIds(gpus: readonly GpuInfo[]): string {
  return gpus.length === 0 ? "(none)" : gpus.map((g) => String(g.index)).join(",");
}
