/** Sweep files: loading, validation, defaults, and the resolved search space. */
export { parseSweepConfig, loadSweepFile, formatFromPath, type ParseOptions } from "./load.js";
export { ConfigError, formatDiagnostic, sortDiagnostics } from "./errors.js";
export { describeSpace, describeDistribution } from "./describe.js";
export { parseDuration } from "./duration.js";
export { normaliseGpuSelection } from "./settings.js";
export { buildSweepJsonSchema, renderSweepJsonSchema } from "./schema.js";
export { SWEEP_SETTING_KEYS, DISTRIBUTION_KINDS } from "./keys.js";
export { SWEEP_FILE_LIMITS, type SweepFileLimits } from "./limits.js";
export { REDACTED, isSecretName, redactArgv, redactSecrets, redactText, envSecretValues, commandSecretValues, type ArgvSecrets } from "./secrets.js";
export type * from "./types.js";
