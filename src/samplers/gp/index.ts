/** The Gaussian-process (`sweep.sampler: {type: gp}`) sampler and its pieces. */
export { GpSampler, GP_META_KEY, MAX_FIT_TRIALS } from "./sampler.js";
export { fitYeoJohnson, standardise, warpOutputs, yeoJohnson } from "./output-warp.js";
export { GP_DEFAULTS, GpOptionsError, gpOptionsAsConfig, resolveGpOptions, type GpOptions, type ResolvedGpOptions } from "./options.js";
export { kernelMatrix, matern52, type KernelParams, type ModelSpace } from "./kernel.js";
export { GpPosterior } from "./posterior.js";
export { fitKernelParams, logLengthscalePrior, MarginalLikelihood, POOLED_LOG_LAMBDA_SD } from "./fit.js";
export { expectedImprovement, logExpectedImprovement, logH } from "./acquisition.js";
export { AcquisitionOptimizer, ACQUISITION_DEFAULTS } from "./optimize-acquisition.js";
export { SpaceEncoding } from "./encoding.js";
