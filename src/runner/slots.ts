/**
 * Slots: the places a trial can run. A slot owns a fixed set of GPUs (or none, for CPU slots), so pinning
 * is decided once, up front, and a GPU can only be shared when `trialsPerGpu` creates several slots on it.
 */

export interface Slot {
  /** 0-based, stable for the life of the controller (shown in the progress table). */
  readonly index: number;
  /** nvidia-smi indices as strings; empty for a CPU slot. */
  readonly gpus: readonly string[];
  /** Exactly what the child's CUDA_VISIBLE_DEVICES is set to ("" hides every GPU). */
  readonly cudaVisibleDevices: string;
  /** "GPU 0", "GPU 2+3", "CPU 1". */
  readonly label: string;
}

export interface SlotPlanOptions {
  readonly trialsPerGpu?: number;
  readonly gpusPerTrial?: number;
  /** CPU slots when `gpuIds` is empty. */
  readonly parallel?: number;
}

export class SlotPlanError extends Error {
  override readonly name = "SlotPlanError";
}

function positiveInt(value: number | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new SlotPlanError(`${flag} ${JSON.stringify(value)} is invalid; expected a whole number of at least 1`);
  }
  return value;
}

/**
 * Plans the slots. GPUs are grouped `gpusPerTrial` at a time in the order given; each group gets
 * `trialsPerGpu` slots. Slots are ordered round-robin over groups, so the first trials spread over all
 * GPUs before any GPU gets a second trial.
 */
export function planSlots(gpuIds: readonly string[], opts: SlotPlanOptions = {}): { slots: Slot[]; unusedGpus: string[] } {
  const trialsPerGpu = positiveInt(opts.trialsPerGpu, "--trials-per-gpu", 1);
  const gpusPerTrial = positiveInt(opts.gpusPerTrial, "--gpus-per-trial", 1);
  const parallel = positiveInt(opts.parallel, "--parallel", 1);

  if (gpuIds.length === 0) {
    const slots = Array.from({ length: parallel }, (_, i) => ({ index: i, gpus: [], cudaVisibleDevices: "", label: `CPU ${i}` }));
    return { slots, unusedGpus: [] };
  }
  if (gpuIds.length < gpusPerTrial) {
    throw new SlotPlanError(`--gpus-per-trial ${gpusPerTrial} needs at least ${gpusPerTrial} GPUs, but only ${gpuIds.length} are usable (${gpuIds.join(",")})`);
  }

  const groups: string[][] = [];
  for (let i = 0; i + gpusPerTrial <= gpuIds.length; i += gpusPerTrial) groups.push(gpuIds.slice(i, i + gpusPerTrial));
  const unusedGpus = gpuIds.slice(groups.length * gpusPerTrial);

  const slots: Slot[] = [];
  for (let round = 0; round < trialsPerGpu; round++) {
    for (const group of groups) {
      slots.push({ index: slots.length, gpus: group, cudaVisibleDevices: group.join(","), label: `GPU ${group.join("+")}` });
    }
  }
  return { slots, unusedGpus };
}
