/**
 * Quantile of the non-NaN values with linear interpolation between order statistics (numpy's default
 * "linear" method, which scikit-learn's median imputer and RobustScaler use).
 *
 * @param sorted - ascending values without NaN
 * @param q - quantile in [0, 1]
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Ascending copy of the finite values of x (at the given rows, if any). */
export function sortedPresent(x: Float64Array, rows?: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows ? rows.length : x.length);
  let k = 0;
  if (rows) {
    for (let i = 0; i < rows.length; i++) {
      const v = x[rows[i]];
      if (!Number.isNaN(v)) out[k++] = v;
    }
  } else {
    for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i])) out[k++] = x[i];
  }
  return out.subarray(0, k).sort();
}
