/**
 * Regression metrics on held-out rows, with scikit-learn's definitions (sklearn.metrics: r2_score,
 * mean_squared_error, mean_absolute_error, mean_absolute_percentage_error). Sums are compensated.
 */
import { sumCompensated } from "../kernels/sum-compensated.js";
import type { Metrics } from "../types.js";

export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): Metrics {
  const n = yTrue.length;
  const sq = new Float64Array(n);
  const abs = new Float64Array(n);
  const rel = new Float64Array(n);
  let zeroTarget = false;
  for (let i = 0; i < n; i++) {
    const e = yTrue[i] - yPred[i];
    sq[i] = e * e;
    abs[i] = Math.abs(e);
    if (yTrue[i] === 0) zeroTarget = true;
    rel[i] = abs[i] / Math.max(Math.abs(yTrue[i]), Number.EPSILON);
  }
  const mse = sumCompensated(n, sq) / n;
  const metrics: Metrics = {
    r2: r2Score(yTrue, yPred),
    rmse: Math.sqrt(mse),
    mae: sumCompensated(n, abs) / n,
    mse,
  };
  if (!zeroTarget) metrics.mape = sumCompensated(n, rel) / n;
  return metrics;
}

/** R² = 1 − SS_res / SS_tot; a constant target gives 1 for a perfect fit and 0 otherwise (sklearn's rule). */
export function r2Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = yTrue.length;
  const mean = sumCompensated(n, yTrue) / n;
  const res = new Float64Array(n);
  const tot = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    res[i] = (yTrue[i] - yPred[i]) ** 2;
    tot[i] = (yTrue[i] - mean) ** 2;
  }
  const ssRes = sumCompensated(n, res);
  const ssTot = sumCompensated(n, tot);
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}
