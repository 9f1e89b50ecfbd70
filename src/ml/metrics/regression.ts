/**
 * Regression metrics on held-out rows, with scikit-learn's definitions (sklearn.metrics: r2_score,
 * mean_squared_error, mean_absolute_error, mean_absolute_percentage_error). Sums are compensated.
 */
import { sumCompensated } from "../kernels/sum-compensated.js";
import type { Metrics } from "../types.js";

export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): Metrics {
  const n = yTrue.length;
  // One n-row scratch holds each metric's terms in turn (five arrays held together raised the peak memory
  // of trainModel, which scores last: 8 MB at 200k held-out rows).
  const terms = new Float64Array(n);
  const sumOf = (term: (i: number) => number): number => {
    for (let i = 0; i < n; i++) terms[i] = term(i);
    return sumCompensated(n, terms);
  };
  let zeroTarget = false;
  for (let i = 0; i < n; i++) if (yTrue[i] === 0) zeroTarget = true;
  const mse = sumOf((i) => (yTrue[i] - yPred[i]) * (yTrue[i] - yPred[i])) / n;
  const metrics: Metrics = {
    r2: r2Score(yTrue, yPred, terms),
    rmse: Math.sqrt(mse),
    mae: sumOf((i) => Math.abs(yTrue[i] - yPred[i])) / n,
    mse,
  };
  if (!zeroTarget)
    metrics.mape =
      sumOf((i) => Math.abs(yTrue[i] - yPred[i]) / Math.max(Math.abs(yTrue[i]), Number.EPSILON)) / n;
  return metrics;
}

/**
 * R² = 1 − SS_res / SS_tot; a constant target gives 1 for a perfect fit and 0 otherwise (sklearn's rule).
 * `terms` (n long, overwritten) holds each sum's terms in turn.
 */
export function r2Score(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  terms = new Float64Array(yTrue.length),
): number {
  const n = yTrue.length;
  const mean = sumCompensated(n, yTrue) / n;
  for (let i = 0; i < n; i++) terms[i] = (yTrue[i] - yPred[i]) ** 2;
  const ssRes = sumCompensated(n, terms);
  for (let i = 0; i < n; i++) terms[i] = (yTrue[i] - mean) ** 2;
  const ssTot = sumCompensated(n, terms);
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}
