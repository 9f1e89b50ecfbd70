/**
 * The models auto mode tries, cheapest first: a linear baseline, naive Bayes and kNN where they fit, the SVM
 * on up to 1000 rows, the random forest, the histogram boosters with their defaults and a slower, smaller-step
 * variant, the SVM on up to 3000 rows, and every other single model with its defaults (kNN with k=5, decision
 * tree, classic boosting, MLP, CatBoost): on small data every default model is a candidate.
 */
import type { Task } from "../types.js";

/** One configuration to cross-validate. */
export interface Candidate {
  modelType: string;
  /** Short label for the leaderboard. */
  label: string;
  hyperparameters: Record<string, unknown>;
}

/** SVM training grows faster than linearly with rows: only small data. */
const SVM_MAX_ROWS = 3000;
/**
 * Up to here the SVM's fits are cheaper than the boosters' (0.02–0.09 s per fold on wine and breast cancer against
 * 0.1–0.5 s), so it goes before them: a budget that binds (a loaded machine) still scores it, and on iris and
 * wine it is the best default model.
 */
const SVM_EARLY_MAX_ROWS = 1000;
/** kNN predicts by scanning every training row: beyond this, validation alone would eat the budget. */
const KNN_MAX_ROWS = 20_000;
/** Classic (exact-split) boosting is slow on large data; the histogram boosters cover it there. */
const CLASSIC_BOOSTING_MAX_ROWS = 20_000;

export function candidatesFor(task: Task, nRows: number): Candidate[] {
  const out: Candidate[] = [];
  const add = (modelType: string, label: string, hyperparameters: Record<string, unknown> = {}) =>
    out.push({ modelType, label, hyperparameters });
  if (task === "regression") {
    add("ridge", "Ridge regression");
    add("linear", "Linear regression");
    add("lasso", "Lasso regression");
    add("elasticnet", "Elastic net");
    add("polynomial", "Polynomial regression (degree 2)");
  } else {
    add("logistic", "Logistic regression");
    add("naive_bayes", "Naive Bayes");
  }
  if (nRows <= KNN_MAX_ROWS) {
    add("knn", "k nearest neighbours (k=10)", { nNeighbors: 10 });
    add("knn", "k nearest neighbours (k=5)");
  }
  if (nRows <= SVM_EARLY_MAX_ROWS) add("svm", "Support vector machine (RBF)");
  // The boosters before the forests: they are faster, so a tight budget still sees them.
  add("hist_gradient_boosting", "Histogram boosting");
  add("lightgbm", "LightGBM (31 leaves)");
  add("xgboost", "XGBoost (depth 6)");
  add("random_forest", "Random forest");
  add("hist_gradient_boosting", "Histogram boosting (lr 0.05, 15 leaves)", {
    learningRate: 0.05,
    maxIter: 300,
    maxLeafNodes: 15,
    minSamplesLeaf: Math.min(20, Math.max(2, Math.floor(nRows / 50))),
  });
  add("random_forest", "Random forest (sqrt features)", { maxFeatures: "sqrt", nEstimators: 200 });
  if (nRows > SVM_EARLY_MAX_ROWS && nRows <= SVM_MAX_ROWS) add("svm", "Support vector machine (RBF)");
  // The remaining single models with their defaults, so the winner's CV score is at least theirs.
  add("decision_tree", "Decision tree");
  if (nRows <= CLASSIC_BOOSTING_MAX_ROWS) add("gradient_boosting", "Gradient boosting (depth 3)");
  add("mlp", "Neural network (MLP)");
  add("catboost", "CatBoost (depth 6)");
  return out;
}
