export { Sweep, SweepNotFoundError, TrialStateError, EnqueueError, defaultWorkerName, type NextResult, type SweepOptions } from "./sweep.js";
export { SuggestError, type SuggestFloatOptions, type SuggestIntOptions } from "./define-by-run.js";
export type { TrialRow, TrialRowsOptions } from "./rows.js";
export {
  createSweep,
  loadSweep,
  agent,
  type CreateSweepOptions,
  type TypedCreateSweepOptions,
  type UntypedConfig,
  type LoadSweepOptions,
  type AgentOptions,
} from "./api.js";
export {
  optimize,
  runOne,
  TrialPruned,
  type Objective,
  type OptimizeCallback,
  type OptimizeOptions,
  type OptimizeSummary,
  type TrialContext,
  type HeartbeatOptions,
  HEARTBEAT_DEFAULTS,
} from "./optimize.js";
export { objectiveFromReports, isBetter, type ObjectiveMode } from "./objective.js";
export type { Trial, TellResult, AskOptions } from "./types.js";
