export type { Distribution, DistributionKind, FlatParams, FloatMask, ParamFloats, ParamSpec, Rng, SearchSpace } from "./types.js";
export { flatFloatMasks, floatMaskOf, nestedFloatMask } from "./float-masks.js";
export { createRng, deriveSeed, randomSeed } from "./rng.js";
export {
  DISTRIBUTION_KINDS,
  contains,
  fromInternal,
  internalBounds,
  isDiscrete,
  isNumeric,
  isQuantized,
  sample,
  toInternal,
  valueBounds,
} from "./distributions.js";
export type { Interval } from "./distributions.js";
export { GridError, createGrid, gridIndexOf, gridPointAt, gridSize } from "./grid.js";
export type { Grid } from "./grid.js";
export { flattenConfig, paramsEqual, stableStringify, unflattenParams } from "./params.js";
export { decimalsOf, quantize } from "./quantize.js";
export { expectedOf, paramProblems, type ParamCheckOptions } from "./check-params.js";
