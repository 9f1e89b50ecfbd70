/**
 * Quality bars from shared/reference/ml-baselines.md (scikit-learn 1.2.1, 5-fold CV, seed 42): a model's
 * mean held-out score over five seeded 80/20 splits must reach the band's lower edge, mean − 2·std.
 * Tolerance: none for R²; one held-out row (1 / test rows) for accuracy, which moves in such steps.
 */
import { expect } from "vitest";
import { trainModel } from "../../../src/ml/index.js";
import type { Frame, Task } from "../../../src/ml/types.js";

/** [mean, std] per model, copied from ml-baselines.md (hist_gradient_boosting ← its hist_gbdt row). */
export const BASELINES: Record<string, Record<string, [number, number]>> = {
  diabetes: {
    linear: [0.478, 0.085],
    ridge: [0.479, 0.083],
    lasso: [0.48, 0.082],
    elasticnet: [0.457, 0.075],
    polynomial: [0.366, 0.106],
    decision_tree: [-0.147, 0.146],
    random_forest: [0.429, 0.081],
    gradient_boosting: [0.413, 0.086],
    svm: [0.149, 0.035],
    knn: [0.391, 0.04],
    mlp: [-0.931, 0.176],
    hist_gradient_boosting: [0.402, 0.069],
    xgboost: [0.384, 0.062],
  },
  breast_cancer: {
    decision_tree: [0.91, 0.028],
    random_forest: [0.954, 0.013],
    gradient_boosting: [0.951, 0.026],
    svm: [0.977, 0.016],
    knn: [0.963, 0.018],
    mlp: [0.975, 0.012],
    logistic: [0.974, 0.017],
    naive_bayes: [0.93, 0.02],
    hist_gradient_boosting: [0.958, 0.018],
    xgboost: [0.958, 0.017],
  },
  wine: {
    decision_tree: [0.899, 0.029],
    random_forest: [0.978, 0.021],
    gradient_boosting: [0.927, 0.028],
    svm: [0.983, 0.022],
    knn: [0.972, 0.018],
    mlp: [0.978, 0.011],
    logistic: [0.983, 0.014],
    naive_bayes: [0.978, 0.028],
    hist_gradient_boosting: [0.966, 0.033],
    xgboost: [0.983, 0.014],
  },
  iris: {
    decision_tree: [0.953, 0.034],
    random_forest: [0.947, 0.027],
    gradient_boosting: [0.953, 0.034],
    svm: [0.96, 0.039],
    knn: [0.973, 0.025],
    mlp: [0.953, 0.045],
    logistic: [0.953, 0.045],
    naive_bayes: [0.947, 0.04],
    hist_gradient_boosting: [0.94, 0.033],
    xgboost: [0.947, 0.04],
  },
  penguins: {
    decision_tree: [0.974, 0.025],
    random_forest: [0.991, 0.007],
    gradient_boosting: [0.974, 0.025],
    svm: [0.994, 0.007],
    knn: [0.991, 0.012],
    mlp: [0.991, 0.012],
    logistic: [0.988, 0.011],
    naive_bayes: [0.767, 0.045],
    hist_gradient_boosting: [0.977, 0.015],
    xgboost: [0.986, 0.009],
  },
};

export const SEEDS = [1, 2, 3, 4, 5];

/** Mean held-out score (R² or accuracy) over SEEDS, and the test-set size. */
export function meanScore(
  frame: Frame,
  model: string,
  task: Task,
  target: string,
): { mean: number; testRows: number } {
  let sum = 0;
  let testRows = 0;
  for (const seed of SEEDS) {
    const r = trainModel(frame, { modelType: model, task, target, features: [], seed });
    sum += (task === "regression" ? r.metrics.r2 : r.metrics.accuracy) as number;
    testRows = r.facts.testRows;
  }
  return { mean: sum / SEEDS.length, testRows };
}

export function expectWithinBand(
  dataset: string,
  model: string,
  task: Task,
  got: { mean: number; testRows: number },
): void {
  const [mean, std] = BASELINES[dataset][model];
  const tolerance = task === "regression" ? 0 : 1 / got.testRows;
  expect(
    got.mean,
    `${model} on ${dataset}: ${got.mean.toFixed(4)} vs band ${mean} ± 2·${std}`,
  ).toBeGreaterThanOrEqual(mean - 2 * std - tolerance);
}

/** Five fits per test; the MLP ones take ~10 s idle and several times that on a loaded 2-core machine. */
export const QUALITY_TIMEOUT_MS = 180_000;
