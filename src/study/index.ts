export { Sweep, SweepNotFoundError, defaultWorkerName, type NextResult, type SweepOptions } from "./sweep.js";
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
  type OptimizeOptions,
  type OptimizeSummary,
  type TrialContext,
} from "./optimize.js";
export { objectiveFromReports, isBetter, type ObjectiveMode } from "./objective.js";
export type { Trial, TellResult, AskOptions } from "./types.js";
