/** The process runner: GPU slots, trainer processes, the metric protocol, the controller, recovery. */
export { SweepController, STALE_HEARTBEAT_MS, DEFAULT_GRACE_PERIOD_SEC, DEFAULT_BROKEN_TRAINER_THRESHOLD, type ControllerOptions, type InterruptPolicy, type RunSummary } from "./controller.js";
export { startSweep, resumeSweep, joinSweep, requestStop, SweepBusyError, type RunnerFlags, type SessionIo, type StopRequest } from "./session.js";
export { setupSlots, runDirFor, storageHome, createControllerLogger, redactLogLine, redactLogRecord, type ControllerLoggerOptions, type RuntimeFlags, type SlotSetup } from "./setup.js";
export { queryGpus, selectGpus, parseNvidiaSmiCsv, hidesAllGpus, GpuSelectionError, NVIDIA_SMI_ARGS, DEFAULT_BUSY_MEMORY_MIB, type GpuInfo, type GpuSelection, type GpuSelectionOptions } from "./gpus.js";
export { planSlots, SlotPlanError, type Slot, type SlotPlanOptions } from "./slots.js";
export { buildCommand, secretArgvIndices, formatArgValue, resolveInterpreter, CommandError, DEFAULT_COMMAND, type CommandInput } from "./command.js";
export { decodeMetricLine, LineSplitter, METRICS_FD, STDOUT_PREFIX, MAX_LINE_BYTES, type MetricReport, type DecodedLine } from "./metric-protocol.js";
export { TrainerProcess, LaunchError, type LaunchSpec, type TrainerExit, type MetricSource } from "./trainer-process.js";
export { buildTrialEnv, type TrialEnvInput } from "./trial-env.js";
export { classifyOutcome, BrokenTrainerDetector, type StopCause, type ClassifiedOutcome } from "./outcome.js";
export { findOrphanedTrials, requeueOrphan, requeueInterrupted, requeueFailed, type RecoveryOptions, type OrphanedTrial } from "./recovery.js";
export { launchToken, findTokenProcesses, stopTokenProcesses, LAUNCH_TOKEN_VAR } from "./launch-token.js";
export { LeaseBook, defaultLeaseDir, LEASE_DIR_VAR, type LeaseHolder } from "./leases.js";
export { currentWorker, announceWorker, knownWorkers, workerLiveness, type WorkerIdentity, type Liveness } from "./worker.js";
export { readProcessStartTime, isSameProcess, processGroupAlive } from "./process-identity.js";
export { terminateGroup, waitForGroupExit } from "./process-group.js";
export { createReporter, LineReporter, JsonReporter, QuietReporter, TtyReporter, type ProgressMode, type ProgressReporter, type RunnerEvent, type SweepTally } from "./progress.js";
export { pythonClientDir, packageRoot } from "./package-paths.js";
