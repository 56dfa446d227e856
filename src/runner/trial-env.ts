/**
 * The environment a trainer sees (documented in docs/protocol.md). Everything a trainer needs to know
 * about its trial comes through here, so any language can take part without a client library.
 */
import { delimiter } from "node:path";
import { LAUNCH_TOKEN_VAR } from "./launch-token.js";
import { METRICS_FD } from "./metric-protocol.js";
import type { Slot } from "./slots.js";

export interface TrialEnvInput {
  readonly base: NodeJS.ProcessEnv;
  readonly sweepId: string;
  readonly trialId: number;
  readonly trialNumber: number;
  readonly attempt: number;
  /** SWEEP_LAUNCH_TOKEN: inherited by every process of the attempt, so recovery finds them all (launch-token.ts). */
  readonly launchToken: string;
  /** Nested trial config, as JSON in SWEEP_PARAMS. */
  readonly config: Record<string, unknown>;
  /** `config` already written as JSON with Python's number types (`1.0`), used for SWEEP_PARAMS when given. */
  readonly paramsJson?: string;
  readonly storage: string;
  readonly slot: Slot;
  /** Directory kept across attempts of this trial, for checkpoints (SWEEP_TRIAL_DIR). */
  readonly trialDir: string;
  /** JSON file with the nested config (SWEEP_PARAMS_FILE, also `${args_json_file}`). */
  readonly paramsFile: string;
  /** Directory holding sweep_client.py, prepended to PYTHONPATH. */
  readonly pythonClientDir: string;
  /** When set (the sweep opted in to the W&B shim), this folder goes first on PYTHONPATH, before the client's. */
  readonly wandbShimDir?: string;
  /** Seconds between SIGTERM and SIGKILL when the trial is stopped (SWEEP_GRACE_PERIOD). */
  readonly gracePeriodSec: number;
  /** This trial's own torch.distributed rendezvous port (ports.ts): MASTER_PORT and torchrun's PET_MASTER_PORT. */
  readonly masterPort?: number;
}

export function buildTrialEnv(input: TrialEnvInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...input.base };
  const ours = input.wandbShimDir ? [input.wandbShimDir, input.pythonClientDir] : [input.pythonClientDir];
  const pythonPath = input.base.PYTHONPATH;
  env.PYTHONPATH = [...ours, ...(pythonPath ? [pythonPath] : [])].join(delimiter);
  // Python buffers stdout when it is a pipe; unbuffered output keeps `@@sweep` lines and logs timely.
  env.PYTHONUNBUFFERED = "1";

  env.SWEEP_ID = input.sweepId;
  env.SWEEP_TRIAL_ID = String(input.trialId);
  env.SWEEP_TRIAL_NUMBER = String(input.trialNumber);
  env.SWEEP_TRIAL_ATTEMPT = String(input.attempt);
  env[LAUNCH_TOKEN_VAR] = input.launchToken;
  // A later attempt of the same trial (a retry, or a re-run after `sweep resume`): a trainer that saved
  // checkpoints in SWEEP_TRIAL_DIR may continue from them instead of starting over.
  env.SWEEP_RESUME = input.attempt > 1 ? "1" : "0";
  env.SWEEP_TRIAL_DIR = input.trialDir;
  env.SWEEP_PARAMS = input.paramsJson ?? JSON.stringify(input.config);
  env.SWEEP_PARAMS_FILE = input.paramsFile;
  env.SWEEP_STORAGE = input.storage;
  env.SWEEP_METRICS_FD = String(METRICS_FD);
  env.SWEEP_GRACE_PERIOD = String(input.gracePeriodSec);

  // Pinning: exactly the slot's GPUs, numbered as nvidia-smi numbers them (PCI bus order).
  env.CUDA_VISIBLE_DEVICES = input.slot.cudaVisibleDevices;
  env.CUDA_DEVICE_ORDER = "PCI_BUS_ID";
  env.SWEEP_GPUS = input.slot.cudaVisibleDevices;

  // Distributed trials (torchrun, DDP) on one host each rendezvous on a port of their own; a fixed
  // MASTER_PORT in the controller's environment would make them collide, so it is replaced.
  if (input.masterPort !== undefined) {
    env.MASTER_ADDR = input.base.MASTER_ADDR ?? "127.0.0.1";
    env.MASTER_PORT = String(input.masterPort);
    env.PET_MASTER_PORT = String(input.masterPort);
  }
  return env;
}
