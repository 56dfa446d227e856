/**
 * The dense linear algebra a Gaussian process needs, on row-major Float64Arrays: the Cholesky factor of a
 * symmetric positive-definite matrix, triangular solves with it, and the inverse it gives. Sizes are the
 * number of observations (at most a few hundred), so plain loops over typed arrays are fast enough and
 * need no dependency.
 */

/**
 * Lower-triangular L with A = L Lᵀ, written into a new array (the upper triangle is zero). Returns null
 * when A is not numerically positive definite, so the caller can add jitter and try again.
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let sum = a[ri + j]!;
      for (let k = 0; k < j; k++) sum -= l[ri + k]! * l[rj + k]!;
      if (i === j) {
        if (!(sum > 0)) return null;
        l[ri + i] = Math.sqrt(sum);
      } else {
        l[ri + j] = sum / l[rj + j]!;
      }
    }
  }
  return l;
}

/** Solve L x = b in place (forward substitution). */
export function solveLower(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[ri + k]! * b[k]!;
    b[i] = sum / l[ri + i]!;
  }
  return b;
}

/** Solve Lᵀ x = b in place (back substitution). */
export function solveUpper(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * b[k]!;
    b[i] = sum / l[i * n + i]!;
  }
  return b;
}

/** Solve (L Lᵀ) x = b, in place. */
export function solveCholesky(l: Float64Array, n: number, b: Float64Array): Float64Array {
  return solveUpper(l, n, solveLower(l, n, b));
}

/** A⁻¹ = L⁻ᵀ L⁻¹ from the Cholesky factor (full symmetric matrix, row-major). */
export function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  // M = L⁻¹, lower triangular, column by column.
  const m = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    m[j * n + j] = 1 / l[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      let sum = 0;
      const ri = i * n;
      for (let k = j; k < i; k++) sum -= l[ri + k]! * m[k * n + j]!;
      m[ri + j] = sum / l[ri + i]!;
    }
  }
  // A⁻¹[i][j] = Σ_k M[k][i] M[k][j] over k >= max(i, j).
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = i; k < n; k++) sum += m[k * n + i]! * m[k * n + j]!;
      inv[i * n + j] = sum;
      inv[j * n + i] = sum;
    }
  }
  return inv;
}

/** Σ log L_ii = ½ log det A. */
export function halfLogDet(l: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.log(l[i * n + i]!);
  return sum;
}
