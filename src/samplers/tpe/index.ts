/** The TPE (`method: bayes`) sampler and its pieces. */
export { TPESampler } from "./sampler.js";
export {
  resolveTPEOptions,
  TPE_DEFAULTS,
  TPEOptionsError,
  type ConstantLiar,
  type GammaFunction,
  type ResolvedTPEOptions,
  type TPEOptions,
} from "./options.js";
export { ParzenEstimator, SCOTT_FACTOR, type BandwidthRule, type ParzenSettings } from "./parzen.js";
export { decomposeGroups } from "./groups.js";
export { CALIBRATION_MIN_COMPLETED, CALIBRATION_SAMPLE, IncrementalRanking, JUDGED_FROM_REPORTS, REFERENCE_MIN_TRIALS, splitGoodBad, stepPredicts } from "./ranking.js";
