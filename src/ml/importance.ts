/**
 * Feature importance per input feature: |coefficients| for linear models (summed over a feature's one-hot
 * columns and over classes), impurity decrease for tree models, and permutation importance on the held-out
 * split for every other model (drop in R² or accuracy when a feature's columns are shuffled together).
 */
import { type Matrix, takeRows } from "./matrix.js";
import { r2Score } from "./metrics/regression.js";
import { accuracyOf } from "./metrics/simple.js";
import type { AnyEstimator } from "./models/factory.js";
import { Random } from "./random.js";
import type { FeatureImportance, Task } from "./types.js";

const PERMUTATION_REPEATS = 5;
const PERMUTATION_MAX_ROWS = 2000;

/** Sums per-column scores into per-feature scores, sorted descending. */
export function aggregateByFeature(
  columnScores: ArrayLike<number>,
  outputSource: number[],
  featureNames: string[],
): FeatureImportance[] {
  const totals = new Float64Array(featureNames.length);
  for (let c = 0; c < outputSource.length; c++) totals[outputSource[c]] += columnScores[c];
  return featureNames
    .map((feature, j) => ({ feature, importance: totals[j] }))
    .sort((a, b) => b.importance - a.importance);
}

/** |coef| per design column; a multi-row coefficient matrix (one row per class) is averaged over rows. */
export function coefficientScores(coef: Float64Array, nColumns: number): Float64Array {
  const rows = coef.length / nColumns;
  const out = new Float64Array(nColumns);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < nColumns; c++) out[c] += Math.abs(coef[r * nColumns + c]) / rows;
  return out;
}

export function permutationImportance(
  est: AnyEstimator,
  task: Task,
  X: Matrix,
  y: Float64Array,
  outputSource: number[],
  featureNames: string[],
  seed: number,
): FeatureImportance[] {
  const rng = new Random(seed);
  let Xs = X;
  let ys = y;
  if (X.rows > PERMUTATION_MAX_ROWS) {
    const pick = rng.permutation(X.rows).subarray(0, PERMUTATION_MAX_ROWS).sort();
    Xs = takeRows(X, pick);
    ys = Float64Array.from(pick, (i) => y[i]);
  }
  const score = (m: Matrix) =>
    task === "regression" ? r2Score(ys, est.predict(m)) : accuracyOf(ys, est.predict(m));
  const baseline = score(Xs);
  const work: Matrix = { data: Xs.data.slice(), rows: Xs.rows, cols: Xs.cols };
  const totals = new Float64Array(featureNames.length);
  featureNames.forEach((_, j) => {
    const cols = outputSource.flatMap((src, c) => (src === j ? [c] : []));
    let drop = 0;
    for (let r = 0; r < PERMUTATION_REPEATS; r++) {
      const perm = rng.permutation(Xs.rows);
      for (let i = 0; i < Xs.rows; i++) {
        for (const c of cols) work.data[i * Xs.cols + c] = Xs.data[perm[i] * Xs.cols + c];
      }
      drop += baseline - score(work);
    }
    for (let i = 0; i < Xs.rows; i++)
      for (const c of cols) work.data[i * Xs.cols + c] = Xs.data[i * Xs.cols + c];
    totals[j] = drop / PERMUTATION_REPEATS;
  });
  return featureNames
    .map((feature, j) => ({ feature, importance: totals[j] }))
    .sort((a, b) => b.importance - a.importance);
}
