/** An even subsample, shared by the samplers that cap how much history a model sees (TPE's bad set, the GP's fit). */

/** `count` indices spread evenly over 0..n-1, first and last included, in order. */
export function strideIndices(n: number, count: number): number[] {
  const step = (n - 1) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
}
