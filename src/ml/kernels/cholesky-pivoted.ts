/**
 * Solves the symmetric positive semi-definite system A x = b by Cholesky factorisation with diagonal
 * pivoting; columns whose remaining pivot falls below `tol · max(diag A)` are treated as linearly dependent
 * and get x = 0 (the least-squares answer stays exact for the predictions of a rank-deficient design, e.g.
 * one-hot groups). Reference: Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., §10.3.
 *
 * @param p - order of A
 * @param a - row-major p×p matrix, overwritten by the factor
 * @param b - right-hand side of length p
 * @returns the solution (a new array) and the numerical rank
 */
export function solveCholeskyPivoted(
  p: number,
  a: Float64Array,
  b: Float64Array,
  tol = 1e-12,
): { x: Float64Array; rank: number } {
  const perm = new Int32Array(p);
  for (let i = 0; i < p; i++) perm[i] = i;
  let maxDiag = 0;
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, a[i * p + i]);
  const threshold = tol * (maxDiag > 0 ? maxDiag : 1);
  let rank = 0;
  for (let k = 0; k < p; k++) {
    let best = k;
    for (let i = k + 1; i < p; i++) if (a[i * p + i] > a[best * p + best]) best = i;
    if (!(a[best * p + best] > threshold)) break;
    if (best !== k) swapSymmetric(a, p, k, best, perm);
    const d = Math.sqrt(a[k * p + k]);
    a[k * p + k] = d;
    for (let i = k + 1; i < p; i++) a[i * p + k] /= d;
    for (let j = k + 1; j < p; j++) {
      const ljk = a[j * p + k];
      for (let i = j; i < p; i++) a[i * p + j] -= a[i * p + k] * ljk;
    }
    rank++;
  }
  // Forward then back substitution on the leading rank×rank block of the permuted system.
  const y = new Float64Array(rank);
  for (let i = 0; i < rank; i++) {
    let s = b[perm[i]];
    for (let j = 0; j < i; j++) s -= a[i * p + j] * y[j];
    y[i] = s / a[i * p + i];
  }
  for (let i = rank - 1; i >= 0; i--) {
    let s = y[i];
    for (let j = i + 1; j < rank; j++) s -= a[j * p + i] * y[j];
    y[i] = s / a[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = 0; i < rank; i++) x[perm[i]] = y[i];
  return { x, rank };
}

/** Swaps rows/columns k and m of the lower triangle (only a[i][j] with i ≥ j is maintained). */
function swapSymmetric(a: Float64Array, p: number, k: number, m: number, perm: Int32Array): void {
  const t = perm[k];
  perm[k] = perm[m];
  perm[m] = t;
  // Full symmetric swap is simplest: mirror the lower triangle first.
  for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) a[i * p + j] = a[j * p + i];
  for (let j = 0; j < p; j++) {
    const r = a[k * p + j];
    a[k * p + j] = a[m * p + j];
    a[m * p + j] = r;
  }
  for (let i = 0; i < p; i++) {
    const c = a[i * p + k];
    a[i * p + k] = a[i * p + m];
    a[i * p + m] = c;
  }
}
