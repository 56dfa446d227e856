/**
 * Hashed character n-gram features for sentence pairs.
 *
 * Character n-grams suit Korean: a word (eojeol) carries its particles and endings with it, so whole-word
 * matches miss "남자가" vs "남자는", while their character 1-3 grams largely overlap. Hashing into a fixed
 * number of buckets keeps the model size independent of the vocabulary and needs no fitted vocabulary.
 *
 * Each sentence becomes one L2-normalised vector per n-gram order. A pair becomes a sparse vector over
 *   [ u*v (hashDim) | |u-v| (hashDim) | dense pair features ]
 * where u, v combine the orders. u*v says which n-grams the sentences share, |u-v| which they do not; the
 * dense block holds the per-order cosines and a length ratio, the signals a small model learns fastest from.
 */

/** A sparse vector: strictly increasing indices and their values. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

export interface SentenceFeatures {
  /** One L2-normalised hashed count vector per n-gram order (index 0 = smallest order). */
  readonly perOrder: readonly SparseVector[];
  /** The orders combined: sum of perOrder / sqrt(number of orders), so its norm is about 1. */
  readonly combined: SparseVector;
  /** Length in characters (code points) after normalisation. */
  readonly length: number;
}

export interface FeaturiserOptions {
  /** Hash buckets per sentence vector. */
  readonly hashDim: number;
  /** Smallest and largest n-gram order, inclusive. */
  readonly minOrder: number;
  readonly maxOrder: number;
}

/** Lowercase, NFC, collapse whitespace, and pad with one space so word-initial and word-final grams differ. */
export function normaliseSentence(text: string): string {
  return ` ${text.normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim()} `;
}

/** FNV-1a over the n-gram's code points, seeded by its order so "가" as a unigram and inside a bigram differ. */
function hashGram(codePoints: readonly number[], start: number, order: number): number {
  let h = (0x811c9dc5 ^ order) >>> 0;
  for (let i = start; i < start + order; i++) {
    const cp = codePoints[i]!;
    // Feed all 21 bits of the code point, a byte at a time, as FNV-1a expects.
    h = Math.imul(h ^ (cp & 0xff), 0x01000193);
    h = Math.imul(h ^ ((cp >>> 8) & 0xff), 0x01000193);
    h = Math.imul(h ^ (cp >>> 16), 0x01000193);
  }
  return h >>> 0;
}

/** Build a sorted sparse vector from index→value, scaled to unit L2 norm (empty stays empty). */
function toUnitSparse(counts: Map<number, number>): SparseVector {
  const indices = Int32Array.from(counts.keys()).sort();
  const values = new Float64Array(indices.length);
  let squaredNorm = 0;
  for (let i = 0; i < indices.length; i++) {
    const v = counts.get(indices[i]!)!;
    values[i] = v;
    squaredNorm += v * v;
  }
  if (squaredNorm > 0) {
    const scale = 1 / Math.sqrt(squaredNorm);
    for (let i = 0; i < values.length; i++) values[i]! *= scale;
  }
  return { indices, values };
}

/** Dot product of two sorted sparse vectors. */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const ai = a.indices[i]!;
    const bj = b.indices[j]!;
    if (ai === bj) sum += a.values[i++]! * b.values[j++]!;
    else if (ai < bj) i++;
    else j++;
  }
  return sum;
}

export class HashingFeaturiser {
  /** Names of the dense pair features, in order, after the two hashed blocks. */
  readonly denseFeatureNames: readonly string[];

  constructor(readonly options: FeaturiserOptions) {
    const { hashDim, minOrder, maxOrder } = options;
    if (!Number.isInteger(hashDim) || hashDim < 1) throw new Error(`hashDim must be a positive integer, got ${hashDim}`);
    if (!Number.isInteger(minOrder) || !Number.isInteger(maxOrder) || minOrder < 1 || maxOrder < minOrder) {
      throw new Error(`n-gram orders must satisfy 1 <= minOrder <= maxOrder, got ${minOrder}..${maxOrder}`);
    }
    const names: string[] = [];
    for (let n = minOrder; n <= maxOrder; n++) names.push(`cosine_${n}gram`);
    names.push("length_ratio");
    this.denseFeatureNames = names;
  }

  /** Width of a pair feature vector. */
  get featureCount(): number {
    return 2 * this.options.hashDim + this.denseFeatureNames.length;
  }

  sentence(text: string): SentenceFeatures {
    const { hashDim, minOrder, maxOrder } = this.options;
    const codePoints = Array.from(normaliseSentence(text), (ch) => ch.codePointAt(0)!);
    const perOrder: SparseVector[] = [];
    const combinedCounts = new Map<number, number>();
    const orderWeight = 1 / Math.sqrt(maxOrder - minOrder + 1);
    for (let n = minOrder; n <= maxOrder; n++) {
      const counts = new Map<number, number>();
      for (let start = 0; start + n <= codePoints.length; start++) {
        const bucket = hashGram(codePoints, start, n) % hashDim;
        counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
      }
      const unit = toUnitSparse(counts);
      perOrder.push(unit);
      for (let i = 0; i < unit.indices.length; i++) {
        const bucket = unit.indices[i]!;
        combinedCounts.set(bucket, (combinedCounts.get(bucket) ?? 0) + orderWeight * unit.values[i]!);
      }
    }
    // Not re-normalised: collisions between orders are rare, and keeping the exact sum makes u*v sum to the
    // mean per-order cosine, which is easy to reason about.
    const indices = Int32Array.from(combinedCounts.keys()).sort();
    const values = Float64Array.from(indices, (i) => combinedCounts.get(i)!);
    return { perOrder, combined: { indices, values }, length: codePoints.length - 2 };
  }

  /** The pair's feature vector, sparse over `featureCount` columns with increasing indices. */
  pair(a: SentenceFeatures, b: SentenceFeatures): SparseVector {
    const { hashDim } = this.options;
    const u = a.combined;
    const v = b.combined;
    const products: number[] = [];
    const productIdx: number[] = [];
    const diffs: number[] = [];
    const diffIdx: number[] = [];
    let i = 0;
    let j = 0;
    // Merge the two sorted index lists: shared buckets give a product and a difference, one-sided buckets
    // only a difference (their product is zero).
    while (i < u.indices.length || j < v.indices.length) {
      const ui = i < u.indices.length ? u.indices[i]! : Number.POSITIVE_INFINITY;
      const vj = j < v.indices.length ? v.indices[j]! : Number.POSITIVE_INFINITY;
      if (ui === vj) {
        const uv = u.values[i++]!;
        const vv = v.values[j++]!;
        productIdx.push(ui);
        products.push(uv * vv);
        const d = Math.abs(uv - vv);
        if (d !== 0) {
          diffIdx.push(hashDim + ui);
          diffs.push(d);
        }
      } else if (ui < vj) {
        diffIdx.push(hashDim + ui);
        diffs.push(Math.abs(u.values[i++]!));
      } else {
        diffIdx.push(hashDim + vj);
        diffs.push(Math.abs(v.values[j++]!));
      }
    }

    const dense: number[] = [];
    for (let n = 0; n < a.perOrder.length; n++) dense.push(sparseDot(a.perOrder[n]!, b.perOrder[n]!));
    const longer = Math.max(a.length, b.length);
    dense.push(longer === 0 ? 1 : Math.min(a.length, b.length) / longer);

    const size = productIdx.length + diffIdx.length + dense.length;
    const indices = new Int32Array(size);
    const values = new Float64Array(size);
    indices.set(productIdx, 0);
    values.set(products, 0);
    indices.set(diffIdx, productIdx.length);
    values.set(diffs, productIdx.length);
    const denseStart = 2 * hashDim;
    for (let k = 0; k < dense.length; k++) {
      indices[productIdx.length + diffIdx.length + k] = denseStart + k;
      values[productIdx.length + diffIdx.length + k] = dense[k]!;
    }
    return { indices, values };
  }
}
