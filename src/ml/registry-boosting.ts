/**
 * The histogram gradient boosting family in the registry. One engine (models/hist-gradient-boosting.ts)
 * serves four ids, each with its library's parameter names (camelCase) and the original bot's defaults
 * (reference/original-bot.md §3): scikit-learn's HistGradientBoosting, XGBoost (hist, depth-wise),
 * LightGBM (leaf-wise) and CatBoost (depth-wise, oblivious-tree depth). toHistParams translates them.
 */
import { z } from "zod";
import { MAX_WIDE_BINS } from "./models/hist/binning.js";
import type { HistParams } from "./models/hist-gradient-boosting.js";
import { autoOrBoolParam, enumParam, intParam, optionalIntParam, realParam } from "./params.js";
import type { ModelSpec } from "./registry.js";
import type { Task } from "./types.js";

const BOTH: Task[] = ["regression", "classification"];
const fraction = (def: number) => realParam(0, 1, def, { min: true });
const nonNegative = (def: number) => realParam(0, 1e6, def);
const learningRate = (def: number) => realParam(0, 1, def, { min: true });
/** 0 = the cores the job was given (src/ml/threads/cores.ts). */
const threads = intParam(0, 64, 0);
const earlyStoppingRounds = optionalIntParam(1, 10_000, null);

export const BOOSTING_SPECS: ModelSpec[] = [
  {
    id: "hist_gradient_boosting",
    displayName: "Histogram gradient boosting",
    category: "classification",
    tasks: BOTH,
    recommended: BOTH,
    encoding: "native",
    params: z.object({
      maxIter: intParam(1, 10_000, 100),
      learningRate: learningRate(0.1),
      maxLeafNodes: optionalIntParam(2, 4096, 31),
      maxDepth: optionalIntParam(1, 64, null),
      minSamplesLeaf: intParam(1, 1_000_000, 20),
      l2Regularization: nonNegative(0),
      maxBins: intParam(2, MAX_WIDE_BINS, 255),
      earlyStopping: autoOrBoolParam("auto"),
      validationFraction: realParam(0, 0.5, 0.1, { min: true }),
      nIterNoChange: intParam(1, 10_000, 10),
      tol: realParam(0, 1, 1e-7),
      threads,
    }),
    choices: { maxIter: [100, 300, 1000], learningRate: [0.03, 0.1, 0.3], maxLeafNodes: [15, 31, 63] },
    description:
      "Boosted trees on binned features (scikit-learn's HistGradientBoosting): fast on large data, handles missing values and categories natively, stops early on large data.",
    estimatorName: "HistGradientBoosting",
  },
  {
    id: "xgboost",
    displayName: "XGBoost",
    category: "classification",
    tasks: BOTH,
    recommended: BOTH,
    encoding: "native",
    params: z.object({
      nEstimators: intParam(1, 10_000, 100),
      maxDepth: intParam(1, 64, 6),
      learningRate: learningRate(0.1),
      subsample: fraction(0.8),
      colsampleBytree: fraction(0.8),
      colsampleBynode: fraction(1),
      minChildWeight: nonNegative(1),
      gamma: nonNegative(0),
      regAlpha: nonNegative(0),
      regLambda: nonNegative(1),
      // XGBoost's max_bin 256 is 256 value bins (missing apart): maxBin 256 here too, on uint16 bins. 255 keeps
      // uint8 bins: 256 scores the same within noise and fits 0-16% slower (README "Bins"), and the GPU
      // booster takes uint8 bins only.
      maxBin: intParam(2, MAX_WIDE_BINS, 255),
      growPolicy: enumParam(["depthwise", "lossguide"], "depthwise"),
      maxLeaves: intParam(0, 65_536, 0),
      earlyStoppingRounds,
      threads,
    }),
    choices: { nEstimators: [100, 300, 1000], maxDepth: [3, 6, 10], learningRate: [0.03, 0.1, 0.3] },
    description: "XGBoost-style boosting (hist method, depth-wise trees, L1/L2, row and column subsampling).",
    estimatorName: "XGBoost",
  },
  {
    id: "lightgbm",
    displayName: "LightGBM",
    category: "classification",
    tasks: BOTH,
    recommended: BOTH,
    encoding: "native",
    params: z.object({
      nEstimators: intParam(1, 10_000, 100),
      numLeaves: intParam(2, 65_536, 31),
      maxDepth: intParam(-1, 64, -1),
      learningRate: learningRate(0.1),
      featureFraction: fraction(0.8),
      featureFractionBynode: fraction(1),
      baggingFraction: fraction(0.8),
      baggingFreq: intParam(0, 10_000, 1),
      minDataInLeaf: intParam(1, 1_000_000, 20),
      minSumHessianInLeaf: nonNegative(1e-3),
      lambdaL1: nonNegative(0),
      lambdaL2: nonNegative(0),
      minGainToSplit: nonNegative(0),
      maxBin: intParam(2, MAX_WIDE_BINS, 255),
      maxCatToOnehot: intParam(1, 255, 4),
      catSmooth: nonNegative(10),
      catL2: nonNegative(10),
      earlyStoppingRounds,
      threads,
    }),
    choices: { nEstimators: [50, 100, 300], numLeaves: [15, 31, 63], learningRate: [0.05, 0.1, 0.3] },
    description: "LightGBM-style boosting: leaf-wise trees, bagging and feature fraction, native categories.",
    estimatorName: "LightGBM",
  },
  {
    id: "catboost",
    displayName: "CatBoost",
    category: "classification",
    tasks: BOTH,
    recommended: BOTH,
    encoding: "native",
    params: z.object({
      iterations: intParam(1, 10_000, 1000),
      depth: intParam(1, 16, 6),
      learningRate: learningRate(0.03),
      l2LeafReg: nonNegative(3),
      rsm: fraction(1),
      subsample: fraction(0.8),
      borderCount: intParam(2, 255, 254),
      oneHotMaxSize: intParam(1, 255, 2),
      earlyStoppingRounds,
      threads,
    }),
    choices: { iterations: [300, 1000, 2000], depth: [4, 6, 8], learningRate: [0.03, 0.1] },
    description: "CatBoost-style boosting: many small-step depth-6 trees with L2 leaf regularisation.",
    estimatorName: "CatBoost",
  },
];

export const BOOSTING_ALIASES: Record<string, string> = {
  hist_gbdt: "hist_gradient_boosting",
  histgradientboosting: "hist_gradient_boosting",
  hist_gradient_boosting_regression: "hist_gradient_boosting",
  hist_gradient_boosting_classification: "hist_gradient_boosting",
  xgboost_regression: "xgboost",
  xgboost_binary_classification: "xgboost",
  xgboost_multiclass_classification: "xgboost",
  lightgbm_regression: "lightgbm",
  lightgbm_binary: "lightgbm",
  lightgbm_multiclass: "lightgbm",
  lightgbm_binary_classification: "lightgbm",
  lightgbm_multiclass_classification: "lightgbm",
  catboost_regression: "catboost",
  catboost_binary: "catboost",
  catboost_multiclass: "catboost",
  catboost_binary_classification: "catboost",
  catboost_multiclass_classification: "catboost",
};

const UNLIMITED = Number.POSITIVE_INFINITY;

/** Common settings no library exposes under these ids. */
const BASE = {
  maxCatToOnehot: 4,
  catSmooth: 10,
  catL2: 10,
  colsampleByNode: 1,
  tol: 0,
  validationFraction: 0.1,
  nIterNoChange: 10,
  subsampleFreq: 1,
  minSplitGain: 0,
  l1: 0,
};

type P = Record<string, unknown>;
const num = (p: P, k: string) => p[k] as number;

/** Parsed registry params of one of the four ids → the engine's parameters. */
export function toHistParams(id: string, p: P): HistParams {
  const stopRounds = p.earlyStoppingRounds as number | null;
  switch (id) {
    case "hist_gradient_boosting":
      return {
        ...BASE,
        rounds: num(p, "maxIter"),
        learningRate: num(p, "learningRate"),
        policy: "lossguide",
        maxLeaves: (p.maxLeafNodes as number | null) ?? UNLIMITED,
        maxDepth: (p.maxDepth as number | null) ?? UNLIMITED,
        minSamplesLeaf: num(p, "minSamplesLeaf"),
        minChildWeight: 1e-3,
        l2: num(p, "l2Regularization"),
        subsample: 1,
        colsampleByTree: 1,
        maxBins: num(p, "maxBins"),
        earlyStopping: p.earlyStopping as boolean | "auto",
        validationFraction: num(p, "validationFraction"),
        nIterNoChange: num(p, "nIterNoChange"),
        tol: num(p, "tol"),
        threads: num(p, "threads"),
      };
    case "xgboost":
      return {
        ...BASE,
        rounds: num(p, "nEstimators"),
        learningRate: num(p, "learningRate"),
        policy: p.growPolicy as "depthwise" | "lossguide",
        maxDepth: num(p, "maxDepth"),
        maxLeaves: num(p, "maxLeaves") > 0 ? num(p, "maxLeaves") : UNLIMITED,
        minSamplesLeaf: 1,
        minChildWeight: num(p, "minChildWeight"),
        minSplitGain: num(p, "gamma"),
        l1: num(p, "regAlpha"),
        l2: num(p, "regLambda"),
        subsample: num(p, "subsample"),
        colsampleByTree: num(p, "colsampleBytree"),
        colsampleByNode: num(p, "colsampleBynode"),
        maxBins: num(p, "maxBin"),
        earlyStopping: stopRounds !== null,
        nIterNoChange: stopRounds ?? 10,
        threads: num(p, "threads"),
        softmaxHessianScale: 2,
      };
    case "lightgbm":
      return {
        ...BASE,
        rounds: num(p, "nEstimators"),
        learningRate: num(p, "learningRate"),
        policy: "lossguide",
        maxLeaves: num(p, "numLeaves"),
        maxDepth: num(p, "maxDepth") > 0 ? num(p, "maxDepth") : UNLIMITED,
        minSamplesLeaf: num(p, "minDataInLeaf"),
        minChildWeight: num(p, "minSumHessianInLeaf"),
        minSplitGain: num(p, "minGainToSplit"),
        l1: num(p, "lambdaL1"),
        l2: num(p, "lambdaL2"),
        subsample: num(p, "baggingFreq") > 0 ? num(p, "baggingFraction") : 1,
        subsampleFreq: num(p, "baggingFreq"),
        colsampleByTree: num(p, "featureFraction"),
        colsampleByNode: num(p, "featureFractionBynode"),
        maxBins: num(p, "maxBin"),
        maxCatToOnehot: num(p, "maxCatToOnehot"),
        catSmooth: num(p, "catSmooth"),
        catL2: num(p, "catL2"),
        earlyStopping: stopRounds !== null,
        nIterNoChange: stopRounds ?? 10,
        threads: num(p, "threads"),
      };
    default:
      return {
        ...BASE,
        rounds: num(p, "iterations"),
        learningRate: num(p, "learningRate"),
        policy: "depthwise",
        maxDepth: num(p, "depth"),
        maxLeaves: UNLIMITED,
        minSamplesLeaf: 1,
        minChildWeight: 0,
        l2: num(p, "l2LeafReg"),
        subsample: num(p, "subsample"),
        colsampleByTree: 1,
        colsampleByNode: num(p, "rsm"),
        maxBins: Math.min(255, num(p, "borderCount") + 1),
        maxCatToOnehot: num(p, "oneHotMaxSize"),
        earlyStopping: stopRounds !== null,
        nIterNoChange: stopRounds ?? 10,
        threads: num(p, "threads"),
      };
  }
}
