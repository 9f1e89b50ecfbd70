/**
 * The model registry: id → display name, tasks, hyperparameter schema (zod, defaults and bounds) and the
 * common values the bot offers as buttons. One source for the bot's forms, the worker's job-spec check and
 * the estimators. Defaults follow the original bot (reference/original-bot.md §3).
 */
import type { ZodObject } from "zod";
import { z } from "zod";
import { InvalidParameterError } from "./errors.js";
import {
  boolParam,
  enumParam,
  intParam,
  layersParam,
  numberOrEnumParam,
  optionalIntParam,
  realParam,
} from "./params.js";
import { BOOSTING_ALIASES, BOOSTING_SPECS } from "./registry-boosting.js";
import type { Task } from "./types.js";

export interface ModelSpec {
  id: string;
  displayName: string;
  category: "regression" | "classification" | "neural";
  tasks: Task[];
  recommended?: Task[];
  // biome-ignore lint/suspicious/noExplicitAny: the registry holds schemas of different shapes
  params: ZodObject<any>;
  /** common values per parameter, for buttons */
  choices?: Record<string, Array<number | string | boolean>>;
  description: string;
  /** Class name used in parameter error messages (STYLE R20). */
  estimatorName: string;
  /**
   * "native": the model reads raw values (NaN kept, categories as codes, no scaling) instead of the imputed,
   * scaled, one-hot design matrix.
   */
  encoding?: "native";
}

const BOTH: Task[] = ["regression", "classification"];
const treeParams = {
  maxDepth: optionalIntParam(1, 64),
  minSamplesSplit: intParam(2, 1_000_000, 2),
  minSamplesLeaf: intParam(1, 1_000_000, 1),
  criterion: enumParam(["gini", "entropy"], "gini"),
};

export const MODEL_REGISTRY: readonly ModelSpec[] = [
  {
    id: "linear",
    displayName: "Linear regression",
    category: "regression",
    tasks: ["regression"],
    params: z.object({}),
    description: "Ordinary least squares. Fast and easy to explain; a good first model.",
    estimatorName: "LinearRegression",
  },
  {
    id: "ridge",
    displayName: "Ridge regression",
    category: "regression",
    tasks: ["regression"],
    params: z.object({ alpha: realParam(0, 1e6, 1), maxIter: intParam(1, 100_000, 1000) }),
    choices: { alpha: [0.01, 0.1, 1, 10, 100] },
    description: "Least squares with an L2 penalty; steadier than plain linear with correlated features.",
    estimatorName: "Ridge",
  },
  {
    id: "lasso",
    displayName: "Lasso regression",
    category: "regression",
    tasks: ["regression"],
    params: z.object({
      alpha: realParam(0, 1e6, 1, { min: true }),
      maxIter: intParam(1, 100_000, 1000),
      tol: realParam(0, 1, 1e-4, { min: true }),
    }),
    choices: { alpha: [0.01, 0.1, 1, 10] },
    description: "Least squares with an L1 penalty (coordinate descent); drops unhelpful features to zero.",
    estimatorName: "Lasso",
  },
  {
    id: "elasticnet",
    displayName: "Elastic net",
    category: "regression",
    tasks: ["regression"],
    params: z.object({
      alpha: realParam(0, 1e6, 1, { min: true }),
      l1Ratio: realParam(0, 1, 0.5),
      maxIter: intParam(1, 100_000, 1000),
      tol: realParam(0, 1, 1e-4, { min: true }),
    }),
    choices: { alpha: [0.01, 0.1, 1, 10], l1Ratio: [0.1, 0.5, 0.9] },
    description: "A mix of the ridge and lasso penalties (coordinate descent).",
    estimatorName: "ElasticNet",
  },
  {
    id: "polynomial",
    displayName: "Polynomial regression",
    category: "regression",
    tasks: ["regression"],
    params: z.object({ degree: intParam(2, 3, 2) }),
    choices: { degree: [2, 3] },
    description: "Least squares on the features, their squares and pairwise products.",
    estimatorName: "PolynomialRegression",
  },
  {
    id: "logistic",
    displayName: "Logistic regression",
    category: "classification",
    tasks: ["classification"],
    params: z.object({
      C: realParam(0, 1e6, 1, { min: true }),
      maxIter: intParam(1, 100_000, 1000),
      tol: realParam(0, 1, 1e-4, { min: true }),
    }),
    choices: { C: [0.01, 0.1, 1, 10, 100] },
    description: "A linear classifier with class probabilities (L2, L-BFGS); binary or multinomial.",
    estimatorName: "LogisticRegression",
  },
  {
    id: "decision_tree",
    displayName: "Decision tree",
    category: "classification",
    tasks: BOTH,
    recommended: ["classification"],
    params: z.object(treeParams),
    choices: { maxDepth: [3, 5, 10, "none"], minSamplesLeaf: [1, 5, 20], criterion: ["gini", "entropy"] },
    description: "One CART tree: readable rules, but it overfits without a depth limit.",
    estimatorName: "DecisionTree",
  },
  {
    id: "random_forest",
    displayName: "Random forest",
    category: "classification",
    tasks: BOTH,
    recommended: BOTH,
    encoding: "native",
    params: z.object({
      nEstimators: intParam(1, 1000, 100),
      ...treeParams,
      maxFeatures: enumParam(["auto", "sqrt", "log2", "all"], "auto"),
      bootstrap: boolParam(true),
      /** Threads growing trees; 0 = the cores the job was given. The trees are the same for any count. */
      threads: intParam(0, 64, 0),
    }),
    choices: { nEstimators: [50, 100, 200, 500], maxDepth: [5, 10, 20, "none"] },
    description: "Many trees on bootstrap samples with feature subsampling; strong with no tuning.",
    estimatorName: "RandomForest",
  },
  {
    id: "gradient_boosting",
    displayName: "Gradient boosting",
    category: "classification",
    tasks: BOTH,
    recommended: BOTH,
    params: z.object({
      nEstimators: intParam(1, 2000, 100),
      learningRate: realParam(0, 1, 0.1, { min: true }),
      maxDepth: intParam(1, 32, 3),
      subsample: realParam(0, 1, 1, { min: true }),
      minSamplesSplit: intParam(2, 1_000_000, 2),
      minSamplesLeaf: intParam(1, 1_000_000, 1),
    }),
    choices: { nEstimators: [50, 100, 200, 500], learningRate: [0.01, 0.05, 0.1, 0.3], maxDepth: [2, 3, 5] },
    description: "Shallow trees added one after another, each fixing the last one's errors.",
    estimatorName: "GradientBoosting",
  },
  {
    id: "svm",
    displayName: "Support vector machine",
    category: "classification",
    tasks: BOTH,
    recommended: ["classification"],
    params: z.object({
      C: realParam(0, 1e6, 1, { min: true }),
      kernel: enumParam(["rbf", "linear"], "rbf"),
      gamma: numberOrEnumParam(["scale", "auto"], "scale"),
      epsilon: realParam(0, 1e6, 0.1),
      probability: boolParam(true),
      tol: realParam(0, 1, 1e-3, { min: true }),
      maxIter: intParam(1, 100_000_000, 10_000_000),
    }),
    choices: { C: [0.1, 1, 10, 100], kernel: ["rbf", "linear"], gamma: ["scale", 0.01, 0.1, 1] },
    description: "SMO-trained SVM (RBF or linear kernel); Platt-scaled probabilities; SVR for regression.",
    estimatorName: "SVM",
  },
  {
    id: "naive_bayes",
    displayName: "Naive Bayes",
    category: "classification",
    tasks: ["classification"],
    params: z.object({ varSmoothing: realParam(0, 1, 1e-9) }),
    choices: { varSmoothing: [1e-9, 1e-6, 1e-3] },
    description: "Gaussian naive Bayes: instant to train, a baseline for classification.",
    estimatorName: "GaussianNB",
  },
  {
    id: "mlp",
    displayName: "Neural network (MLP)",
    category: "neural",
    tasks: BOTH,
    recommended: BOTH,
    params: z.object({
      hiddenLayerSizes: layersParam([100]),
      activation: enumParam(["relu", "tanh", "logistic"], "relu"),
      alpha: realParam(0, 10, 1e-4),
      learningRateInit: realParam(0, 1, 0.001, { min: true }),
      maxIter: intParam(1, 10_000, 200),
      batchSize: optionalIntParam(1, 100_000),
      earlyStopping: boolParam(true),
      validationFraction: realParam(0, 0.5, 0.1, { min: true }),
      nIterNoChange: intParam(1, 1000, 10),
      tol: realParam(0, 1, 1e-4),
    }),
    choices: {
      hiddenLayerSizes: ["100", "64,32", "128,64,32"],
      maxIter: [100, 200, 500],
      alpha: [1e-4, 1e-3, 1e-2],
    },
    description: "A feed-forward neural network (ReLU, Adam) with early stopping on a validation fraction.",
    estimatorName: "MLP",
  },
  {
    id: "knn",
    displayName: "k nearest neighbours",
    category: "classification",
    tasks: BOTH,
    params: z.object({
      nNeighbors: intParam(1, 1000, 5),
      weights: enumParam(["uniform", "distance"], "uniform"),
      metric: enumParam(["euclidean", "manhattan"], "euclidean"),
    }),
    choices: { nNeighbors: [3, 5, 10, 25], weights: ["uniform", "distance"] },
    description: "Predicts from the k most similar training rows; no training, slower predictions.",
    estimatorName: "KNeighbors",
  },
  ...BOOSTING_SPECS,
  {
    id: "auto",
    displayName: "🤖 Auto (best model)",
    category: "classification",
    tasks: BOTH,
    recommended: BOTH,
    params: z.object({
      timeBudgetMinutes: realParam(0, 60, 1, { min: true }),
      folds: intParam(2, 10, 5),
    }),
    choices: { timeBudgetMinutes: [1, 5, 15] },
    description:
      "Tries the suitable models with 5-fold cross-validation within a time budget, keeps the best and shows the leaderboard.",
    estimatorName: "AutoML",
  },
];

/** The auto-mode id: not an estimator; trainModel runs the search (src/ml/auto) and returns the winner. */
export const AUTO_MODEL = "auto";

/** The original bot's model ids, mapped to ours. */
export const MODEL_ALIASES: Readonly<Record<string, string>> = {
  linear_regression: "linear",
  ridge_regression: "ridge",
  lasso_regression: "lasso",
  elastic_net: "elasticnet",
  elasticnet_regression: "elasticnet",
  polynomial_regression: "polynomial",
  logistic_regression: "logistic",
  mlp_regression: "mlp",
  mlp_classification: "mlp",
  neural_network: "mlp",
  decision_tree_regression: "decision_tree",
  decision_tree_classification: "decision_tree",
  random_forest_regression: "random_forest",
  random_forest_classification: "random_forest",
  gradient_boosting_regression: "gradient_boosting",
  gradient_boosting_classification: "gradient_boosting",
  svm_regression: "svm",
  svm_classification: "svm",
  svr: "svm",
  svc: "svm",
  knn_regression: "knn",
  knn_classification: "knn",
  gaussian_nb: "naive_bayes",
  ...BOOSTING_ALIASES,
  automl: "auto",
  auto_ml: "auto",
  best_model: "auto",
};

/** Our id for an id or one of the original's aliases (case-insensitive). */
export function resolveModelId(id: string): string {
  const key = id.trim().toLowerCase();
  return MODEL_ALIASES[key] ?? key;
}

export function getModelSpec(id: string): ModelSpec {
  const spec = MODEL_REGISTRY.find((s) => s.id === resolveModelId(id));
  if (!spec) {
    throw new InvalidParameterError(
      `Unknown model type '${id}'. Choose one of: ${MODEL_REGISTRY.map((s) => s.id).join(", ")}.`,
      { modelType: id },
    );
  }
  return spec;
}
