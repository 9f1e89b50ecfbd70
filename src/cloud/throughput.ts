/**
 * How long our own engine takes to train a model on data of a given shape: a throughput model, measured by
 * `npx tsx bench/cloud/throughput.ts` (which writes throughput-model.ts with the date and the machine) and used
 * by every quote. A job takes the worker's fixed cost (process start, reading the file, scoring, charts,
 * writing the model: `overhead`) plus the fit, which is the model type's seconds per million work units times
 * its work units: rows × features × rounds for boosting, trees × rows·log(rows) × features tried per split for
 * forests, epochs × rows × weights for the MLP, and so on (workUnits below).
 */
import { validateHyperparameters } from "../ml/index.js";
import { THROUGHPUT_MODEL } from "./throughput-model.js";

export interface ThroughputModel {
  /** When and where it was measured. */
  measuredAt: string;
  machine: string;
  /**
   * Seconds of a job besides the fit, by task (classification scores and draws more): base + perMillionCells
   * × rows × columns / 1e6.
   */
  overhead: Record<"regression" | "classification", { base: number; perMillionCells: number }>;
  /** Seconds per million work units, by model type. */
  secondsPerMillionUnits: Record<string, number>;
}

/** What a quote knows about the data. */
export interface JobShape {
  nRows: number;
  /** Columns of the file, the target included. */
  nColumns: number;
  /** Classes of the target (classification), when known. */
  classes?: number;
  task?: "regression" | "classification";
}

/** Used when a model type has no measurement (a new model): the slowest measured rate, to err long. */
const UNMEASURED = "unmeasured";
/** Rows the permutation importance scores at most (src/ml/importance.ts), and its repeats. */
const PERMUTATION_ROWS = 2000;
const PERMUTATION_REPEATS = 5;

/**
 * A speed factor per kind of machine, relative to the one the model was measured on. Our engine is
 * single-threaded JavaScript, so more vCPUs do not shorten one fit; newer cores do a little. Not measured on
 * EC2 or RunPod yet, hence 1: `npm run doctor` does not change that, a real run would.
 */
export function speedFactorOf(_computeType: string): number {
  return 1;
}

/** Million work units of one fit (see the file comment). */
export function workUnits(modelType: string, shape: JobShape, hyperparameters: Record<string, unknown> = {}) {
  const n = Math.max(10, shape.nRows);
  const p = Math.max(1, shape.nColumns - 1);
  const train = 0.8 * n;
  const test = n - train;
  const k = (shape.classes ?? 2) > 2 ? (shape.classes ?? 2) : 1;
  const log = (x: number) => Math.log2(Math.max(2, x));
  const hp = paramsOf(modelType, hyperparameters);
  const num = (name: string, fallback: number) => Number(hp[name] ?? fallback);
  const units = (() => {
    switch (modelType) {
      case "linear":
      case "ridge":
      case "lasso":
      case "elasticnet":
      case "naive_bayes":
        return n * p;
      case "logistic":
        return n * p * k;
      case "polynomial":
        return n * p * p;
      case "decision_tree":
        return train * log(train) * p;
      case "random_forest":
        return num("nEstimators", 100) * train * log(train) * featuresPerSplit(hp.maxFeatures, p, shape.task);
      case "gradient_boosting":
        return num("nEstimators", 100) * train * p * k;
      case "hist_gradient_boosting":
        return num("maxIter", 100) * train * p * k;
      case "xgboost":
      case "lightgbm":
      case "catboost":
        return num("nEstimators", 100) * train * p * k;
      case "svm":
        return train * train * p;
      case "mlp":
        return num("maxIter", 200) * train * weightsOf(hp.hiddenLayerSizes, p, k);
      case "knn": {
        const scored = Math.min(test, PERMUTATION_ROWS);
        return test * train * p + PERMUTATION_REPEATS * p * scored * train * p;
      }
      default:
        return n * p;
    }
  })();
  return units / 1e6;
}

/**
 * Seconds the worker needs for this job on the machine the model was measured on (excluding provisioning).
 * Auto mode spends the time budget the user chose (and then refits the winner).
 */
export function estimateTrainingSeconds(
  modelType: string,
  nRows: number,
  nColumns: number,
  hyperparameters: Record<string, unknown> = {},
  shape: Partial<JobShape> = {},
  model: ThroughputModel = THROUGHPUT_MODEL,
): number {
  const fixed = model.overhead[shape.task ?? "classification"];
  const overhead = fixed.base + (fixed.perMillionCells * nRows * nColumns) / 1e6;
  if (modelType === "auto") return overhead + Number(hyperparameters.timeBudgetMinutes ?? 1) * 60 * 1.1;
  const rates = model.secondsPerMillionUnits;
  const rate = rates[modelType] ?? rates[UNMEASURED] ?? Math.max(...Object.values(rates));
  return overhead + rate * workUnits(modelType, { nRows, nColumns, ...shape }, hyperparameters);
}

function paramsOf(modelType: string, hyperparameters: Record<string, unknown>): Record<string, unknown> {
  try {
    return validateHyperparameters(modelType, hyperparameters) as Record<string, unknown>;
  } catch {
    return hyperparameters; // an unknown model or bad values: the quote is a guess either way
  }
}

function featuresPerSplit(maxFeatures: unknown, p: number, task: JobShape["task"]): number {
  if (maxFeatures === "sqrt" || (maxFeatures === "auto" && task !== "regression")) return Math.sqrt(p);
  if (maxFeatures === "log2") return Math.log2(Math.max(2, p));
  return p;
}

/** Weights of the network: inputs × first layer + … + last layer × outputs. */
function weightsOf(layers: unknown, p: number, k: number): number {
  const sizes = Array.isArray(layers) ? layers.map(Number) : [100];
  let previous = p;
  let total = 0;
  for (const size of [...sizes, k]) {
    total += previous * size;
    previous = size;
  }
  return total;
}
