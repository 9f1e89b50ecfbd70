/**
 * The GPU side of fitting: which estimators the WebGPU backend trains, and the fit itself. A GPU fit leaves
 * the estimator in exactly the state a CPU fit would (the same fitted shape, loaded with `load`), so the
 * model document, the artifact and every prediction path are unchanged.
 */
import type { Design } from "../design.js";
import { isTable } from "../design.js";
import type { FitContext } from "../models/base.js";
import type { AnyEstimator } from "../models/factory.js";
import { MAX_BINS } from "../models/hist/binning.js";
import type { ColumnTable } from "../models/hist/columns.js";
import { binaryLogLoss, squaredError } from "../models/hist/losses.js";
import {
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
} from "../models/hist-gradient-boosting.js";
import { MLPClassifier, MLPRegressor, type MlpFitted } from "../models/mlp.js";
import { trainBoosterGpu } from "./booster-train.js";
import type { GpuContext } from "./device.js";
import { trainMlpGpu } from "./mlp-train.js";

/** Model ids the GPU backend trains (the others always train on the CPU). */
export const GPU_MODEL_TYPES: ReadonlySet<string> = new Set([
  "mlp",
  "hist_gradient_boosting",
  "xgboost",
  "lightgbm",
  "catboost",
]);

/**
 * True when the GPU backend can fit this estimator on this design: the MLP on a design matrix; the
 * histogram boosters for regression and binary classification on numeric columns with at most MAX_BINS
 * bins (multiclass, categorical splits and uint16 bins stay on the CPU engine).
 */
export function gpuCanFit(est: AnyEstimator, design: Design): boolean {
  if (est instanceof MLPRegressor || est instanceof MLPClassifier) return !isTable(design);
  const booster =
    est instanceof HistGradientBoostingRegressor || est instanceof HistGradientBoostingClassifier;
  if (!booster || !isTable(design)) return false;
  if (est instanceof HistGradientBoostingClassifier && est.nClasses > 2) return false;
  if (est.params.maxBins > MAX_BINS) return false;
  return design.columns.every((c) => c.categories === 0);
}

/** Fits `est` on the GPU; the caller checked gpuCanFit. */
export async function fitOnGpu(
  gpu: GpuContext,
  est: AnyEstimator,
  design: Design,
  y: Float64Array,
  ctx: FitContext,
): Promise<void> {
  if (est instanceof HistGradientBoostingRegressor || est instanceof HistGradientBoostingClassifier) {
    await fitBoosterOnGpu(gpu, est, design as ColumnTable, y, ctx);
    return;
  }
  if (isTable(design)) throw new TypeError("The GPU backend fits the MLP on a design matrix.");
  if (est instanceof MLPRegressor) {
    let mean = 0;
    for (const v of y) mean += v;
    mean /= y.length;
    let ss = 0;
    for (const v of y) ss += (v - mean) ** 2;
    const scale = Math.sqrt(ss / y.length) || 1;
    const z = Float64Array.from(y, (v) => (v - mean) / scale);
    const { weights, epochs } = await trainMlpGpu(gpu, design, z, 1, "identity", est.params, ctx);
    est.load({ weights, yMean: mean, yScale: scale, epochs } satisfies MlpFitted);
    return;
  }
  if (est instanceof MLPClassifier) {
    const k = est.nClasses;
    const width = k === 2 ? 1 : k;
    const targets = new Float64Array(y.length * width);
    for (let i = 0; i < y.length; i++) {
      if (k === 2) targets[i] = y[i];
      else targets[i * k + y[i]] = 1;
    }
    const output = k === 2 ? "logistic" : "softmax";
    const { weights, epochs } = await trainMlpGpu(gpu, design, targets, width, output, est.params, ctx);
    est.load({ weights, yMean: 0, yScale: 1, epochs } satisfies MlpFitted);
    return;
  }
  throw new TypeError(`${est.constructor.name} has no GPU fit.`);
}

async function fitBoosterOnGpu(
  gpu: GpuContext,
  est: HistGradientBoostingRegressor | HistGradientBoostingClassifier,
  table: ColumnTable,
  y: Float64Array,
  ctx: FitContext,
): Promise<void> {
  const classifier = est instanceof HistGradientBoostingClassifier;
  const loss = classifier ? binaryLogLoss() : squaredError();
  const { fitted, curve } = await trainBoosterGpu(gpu, table, y, loss, est.params, ctx, classifier);
  est.load(fitted);
  est.learningCurve = curve;
}
