/**
 * Pair feature matrices for the tfjs model, one row per sentence pair, from either source:
 *  - hashed character n-grams (sts-hash's featuriser, made dense): nothing to download, suits Korean;
 *  - sentence embeddings (e.g. from an ONNX encoder): [u*v | |u-v| | cosine] of the L2-normalised pair,
 *    the usual interaction features of siamese STS models.
 */
import type { StsPair } from "../sts-hash/data.js";
import { HashingFeaturiser } from "../sts-hash/features.js";

/** Row-major dense matrix. */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** Character 1-3 grams, as sts-hash uses: syllables, plus local word shape and particles. */
const MIN_ORDER = 1;
const MAX_ORDER = 3;

export function hashedPairFeatures(pairs: readonly StsPair[], hashDim: number): FeatureMatrix {
  const featuriser = new HashingFeaturiser({ hashDim, minOrder: MIN_ORDER, maxOrder: MAX_ORDER });
  const cols = featuriser.featureCount;
  const data = new Float32Array(pairs.length * cols);
  pairs.forEach((p, row) => {
    const x = featuriser.pair(featuriser.sentence(p.sentence1), featuriser.sentence(p.sentence2));
    const offset = row * cols;
    for (let k = 0; k < x.indices.length; k++) data[offset + x.indices[k]!] = x.values[k]!;
  });
  return { rows: pairs.length, cols, data };
}

/** Features of pairs of sentence embeddings: `first[i]` and `second[i]` are row i's sentences. */
export function embeddingPairFeatures(first: readonly Float32Array[], second: readonly Float32Array[]): FeatureMatrix {
  if (first.length !== second.length) throw new Error(`embedding lists differ in length: ${first.length} vs ${second.length}`);
  const dim = first[0]?.length ?? 0;
  const cols = 2 * dim + 1;
  const data = new Float32Array(first.length * cols);
  for (let row = 0; row < first.length; row++) {
    const u = unit(first[row]!);
    const v = unit(second[row]!);
    if (u.length !== dim || v.length !== dim) throw new Error(`row ${row}: embedding sizes ${u.length} and ${v.length}, expected ${dim}`);
    const offset = row * cols;
    let cosine = 0;
    for (let j = 0; j < dim; j++) {
      const product = u[j]! * v[j]!;
      data[offset + j] = product;
      data[offset + dim + j] = Math.abs(u[j]! - v[j]!);
      cosine += product;
    }
    data[offset + 2 * dim] = cosine;
  }
  return { rows: first.length, cols, data };
}

function unit(x: Float32Array): Float32Array {
  let norm = 0;
  for (const value of x) norm += value * value;
  norm = Math.sqrt(norm);
  return norm === 0 ? x : x.map((value) => value / norm);
}
