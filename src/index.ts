/**
 * The public library API of sweep. Everything a user may import is re-exported here, and nothing else is
 * public: the folders behind it may be reorganised freely.
 *
 *   import { createSweep, optimize } from "sweep-hp";
 */

// Sweeps: create/load, ask/tell, optimize, agent
export {
  Sweep,
  SweepNotFoundError,
  TrialStateError,
  EnqueueError,
  SuggestError,
  createSweep,
  loadSweep,
  agent,
  optimize,
  TrialPruned,
  type AgentOptions,
  type AskOptions,
  type CreateSweepOptions,
  type LoadSweepOptions,
  type NextResult,
  type Objective,
  type OptimizeCallback,
  type OptimizeOptions,
  type OptimizeSummary,
  type HeartbeatOptions,
  HEARTBEAT_DEFAULTS,
  type SuggestFloatOptions,
  type SuggestIntOptions,
  type SweepOptions,
  type TellResult,
  type Trial,
  type TrialContext,
  type TypedCreateSweepOptions,
  type UntypedConfig,
  type TrialRow,
  type TrialRowsOptions,
} from "./study/index.js";

// Sweep files
export { parseSweepConfig, loadSweepFile, ConfigError, formatDiagnostic, describeSpace, SWEEP_FILE_LIMITS } from "./config/index.js";
export type {
  Diagnostic,
  EarlyTerminateSpec,
  Goal,
  Method,
  MetricSpec,
  ResolvedSweep,
  SweepConfig,
  SweepSettings,
} from "./config/types.js";
export type { SweepFileLimits } from "./config/limits.js";
// Sweep configs written in code: the sweep file as types, and trial.config inferred from a literal config
export { defineSweepConfig } from "./config/input.js";
export type {
  BetaInput,
  CategoricalInput,
  ConstantInput,
  DistributionInput,
  EarlyTerminateInput,
  Exclusive,
  LogRangeInput,
  MetricInput,
  NestedParametersInput,
  NormalInput,
  ParameterInput,
  ParametersInput,
  ParameterValue,
  QuantizedNormalInput,
  QuantizedRangeInput,
  RangeInput,
  ResourceRuleInput,
  SweepBlockInput,
  SweepConfigInput,
  TrialConfigOf,
} from "./config/input.js";

// Search space
export type { Distribution, DistributionKind, FlatParams, ParamSpec, Rng, SearchSpace } from "./space/types.js";

// Samplers
export { createSampler, GridSampler, RandomSampler, TPESampler, TPEOptionsError, type TPEOptions, type SamplerOptions } from "./samplers/index.js";
export { GpSampler, GpOptionsError, type GpOptions } from "./samplers/index.js";
export type { Sampler, SamplerContext, Suggestion, TrialView } from "./samplers/types.js";

// Pruners
export {
  createPruner,
  WandbHyperbandPruner,
  MedianPruner,
  AshaPruner,
  HyperbandPruner,
  PrunerConfigError,
} from "./pruners/index.js";
export { noPruner, type Pruner, type PrunerContext, type PruneDecision } from "./pruners/types.js";

// Extending a finished sweep (a new run_cap; `sweep resume --run-cap` / `--add`)
export { extendSweep, SweepExtendError, type ExtendResult, type RunCapChange } from "./study/extend.js";

// Storage
export { openStorage, SqliteStorage, MemoryStorage, StorageError, DEFAULT_STORAGE_PATH } from "./storage/index.js";
export type {
  ClaimContext,
  ClaimOptions,
  ClaimResult,
  EventRecord,
  IntermediateRecord,
  Proposal,
  Storage,
  SweepEdit,
  SweepEditContext,
  SweepRecord,
  SweepStatus,
  TrialOutcome,
  TrialRecord,
  TrialStatus,
} from "./storage/types.js";
