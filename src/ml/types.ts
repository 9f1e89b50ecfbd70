/**
 * The public types of the ML engine. Everything outside src/ml (workers, flows, bot) uses only these types
 * and the functions exported from src/ml/index.ts. src/ml imports nothing from the rest of the project.
 */

import type { TrainingProfile } from "./drift/profile.js";

export type { TrainingProfile };

export type Task = "regression" | "classification";

/** How a column was inferred. `identifier` and `text` columns are excluded from features by default. */
export type ColumnType =
  | "numeric"
  | "integer"
  | "boolean"
  | "categorical"
  | "datetime"
  | "text"
  | "identifier";

/** A numeric-valued column. Missing = NaN. Booleans are 0/1; datetimes are epoch milliseconds (UTC). */
export interface NumericColumn {
  name: string;
  type: "numeric" | "integer" | "boolean" | "datetime";
  values: Float64Array;
}

/** A string-valued column, dictionary-encoded. Missing = code -1. */
export interface CategoricalColumn {
  name: string;
  type: "categorical" | "text" | "identifier";
  codes: Int32Array;
  levels: string[];
}

export type Column = NumericColumn | CategoricalColumn;

/** A columnar table. Column names are unique (duplicates get a suffix when read). */
export interface Frame {
  nRows: number;
  columns: Column[];
}

export interface DataLimits {
  maxBytes: number;
  maxRows: number;
  maxColumns: number;
  maxCellLength: number;
  /** Rows × columns: a file declaring more is refused before anything is allocated for it. */
  maxCells: number;
  /** Upper bound on what a compressed file (.xlsx, .parquet) unpacks to, counted as it unpacks. */
  maxDecompressedBytes: number;
}

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  missing: number;
  missingPct: number;
  unique: number;
  min?: number;
  mean?: number;
  max?: number;
  /** Most frequent values for string columns, most frequent first. */
  top?: Array<{ value: string; count: number }>;
}

export interface DatasetProfile {
  nRows: number;
  nColumns: number;
  missingCells: number;
  columns: ColumnProfile[];
}

export interface SchemaSuggestion {
  /** Suggested target column, or null when no column can be a target. */
  target: string | null;
  task: Task | null;
  features: string[];
  /** 0..1 */
  confidence: number;
  /** One line, e.g. "`price`: numeric, 98% unique, name matches a common target name → regression". */
  reason: string;
  /** Columns left out of the default features, and why (absent in summaries made before it existed). */
  excluded?: ExcludedColumn[];
}

export interface ExcludedColumn {
  column: string;
  reason: "identifier" | "freeText" | "nearUnique" | "constant" | "mostlyEmpty";
  /** Distinct values and non-missing rows, for the message ("301 distinct values in 406 rows"). */
  distinct: number;
  rows: number;
}

export type Scaling = "standard" | "minmax" | "robust" | "none";

export interface TrainSpec {
  modelType: string;
  task: Task;
  target: string;
  features: string[];
  hyperparameters?: Record<string, unknown>;
  /** Fraction held out for scoring, default 0.2. */
  testSize?: number;
  /** Seed for the split and for any randomness in the model, default 42. */
  seed?: number;
  scaling?: Scaling;
}

export interface TrainProgress {
  phase: "preparing" | "training" | "evaluating" | "saving";
  /** 0..100 */
  percent: number;
  message: string;
}

/** Metrics on the held-out split. Absent keys were not computable (e.g. MAPE with a zero target). */
export interface Metrics {
  r2?: number;
  rmse?: number;
  mae?: number;
  mse?: number;
  mape?: number;
  accuracy?: number;
  precision?: number;
  recall?: number;
  f1?: number;
  f1Macro?: number;
  f1Weighted?: number;
  rocAuc?: number;
  prAuc?: number;
  logLoss?: number;
  brier?: number;
  confusionMatrix?: number[][];
}

export interface FeatureImportance {
  feature: string;
  importance: number;
}

export interface DatasetFacts {
  rowsUsed: number;
  trainRows: number;
  testRows: number;
  /** Rows dropped before training because the target was missing. */
  droppedMissingTarget?: number;
  /** Classification: count per class over all rows used. */
  classBalance?: Array<{ label: string; count: number }>;
  /** Regression: target quartiles. */
  targetQuartiles?: [number, number, number];
}

/**
 * A fitted model as plain JSON: format name and version, the spec, the fitted preprocessing, the feature
 * schema with types and categories, the target with its classes, and the fitted parameters. Loading it never
 * executes code.
 */
export interface ModelDocument {
  format: "sma-model";
  version: number;
  modelType: string;
  task: Task;
  target: string;
  classes?: string[];
  features: Array<{ name: string; type: ColumnType; levels?: string[] }>;
  hyperparameters: Record<string, unknown>;
  preprocessing: unknown;
  fitted: unknown;
  /**
   * The features' distribution over the training rows, for drift checks at prediction time. Optional and
   * additive: models trained before it have none (and get no drift check); readers ignore what they do not know.
   */
  trainingProfile?: TrainingProfile;
}

export interface TrainResult {
  model: ModelDocument;
  metrics: Metrics;
  importance: FeatureImportance[];
  facts: DatasetFacts;
  /** Held-out truth and predictions, for charts (predicted vs actual, confusion matrix, ROC). */
  evaluation: {
    /** Regression: target values. Classification: class indices into `model.classes`. */
    yTrue: number[];
    yPred: number[];
    /** Classification: probability of each class per row, row-major, classes in `model.classes` order. */
    proba?: number[];
  };
  fitSeconds: number;
  /** Boosting models: loss per round on the training rows and on the early-stopping validation split. */
  learningCurve?: LearningCurve;
  /** Auto mode: every candidate tried, best first. */
  leaderboard?: LeaderboardEntry[];
}

/** Loss per boosting round (round r at index r). */
export interface LearningCurve {
  /** "rmse", "logloss" or "mlogloss". */
  metric: string;
  train: number[];
  /** Present when a validation split was held out (early stopping). */
  validation?: number[];
  /** The 0-based round the model was cut at (best validation loss), when early stopping ran. */
  bestIteration?: number;
}

/** One candidate of auto mode, scored by k-fold cross-validation on the training rows. */
export interface LeaderboardEntry {
  modelType: string;
  /** Display name plus the settings that tell candidates apart, e.g. "Histogram gradient boosting (depth 3)". */
  label: string;
  hyperparameters: Record<string, unknown>;
  /** R² for regression, accuracy for classification. */
  metric: "r2" | "accuracy";
  cvMean: number;
  cvStd: number;
  /** Folds scored; fewer than requested when successive halving dropped the candidate early. */
  folds: number;
  /** Mean fit time per fold. */
  fitSeconds: number;
  status: "complete" | "pruned" | "out_of_time";
  /** True for the candidate refitted on all training rows. */
  winner?: boolean;
}

export interface SchemaReport {
  /** Input column names that matched a feature only after ignoring case/whitespace: [input, feature]. */
  renamed: Array<[string, string]>;
  /** Input columns the model does not use. */
  ignored: string[];
}

export interface PredictResult {
  /** Numbers for regression, class labels for classification. */
  predictions: Array<number | string>;
  /** Classification only, when asked: per row, per class (in `classes` order). */
  probabilities?: number[][];
  classes?: string[];
  schema: SchemaReport;
}

/** metadata.json next to model.json: what listUserModels returns. */
export interface ModelMetadata {
  modelId: string;
  name: string;
  modelType: string;
  taskType: Task;
  target: string;
  features: string[];
  trainedAt: string;
  metrics: Metrics;
  trainedOn: string;
  cost?: number;
  importance?: FeatureImportance[];
  facts?: DatasetFacts;
  /** Auto mode: every candidate tried (TrainResult.leaderboard). */
  leaderboard?: LeaderboardEntry[];
  /** Auto mode: what won, e.g. "Ensemble of Random forest, Logistic regression" or "Random forest". */
  modelLabel?: string;
}
