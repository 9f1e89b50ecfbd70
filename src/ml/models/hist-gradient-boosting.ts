/**
 * Histogram gradient boosting (the engine behind the hist_gradient_boosting, xgboost, lightgbm and catboost
 * model ids): features binned once into uint8, Newton-step trees grown on gradient/hessian histograms,
 * missing values sent the learned way, categorical features split natively. Works on column views of raw
 * values (NaN = missing), so it needs no imputation or one-hot encoding.
 */
import type { Matrix } from "../matrix.js";
import type { LearningCurve } from "../types.js";
import { argmaxRows, Classifier, type FitContext, Regressor } from "./base.js";
import { type BoosterFitted, type BoosterParams, fitBooster } from "./hist/booster.js";
import { type ColumnTable, forEachRowBlock, matrixTable } from "./hist/columns.js";
import { binaryLogLoss, sigmoid, softmaxLogLoss, softmaxRows, squaredError } from "./hist/losses.js";
import { accumulateRawLeveled } from "./hist/traverse.js";

export type HistParams = BoosterParams & {
  /** Threads for histogram building (1 = this thread only, 0 = the cores the job was given). */
  threads: number;
};
export type HistFitted = BoosterFitted;

function checkTable(table: ColumnTable, y: Float64Array, name: string): void {
  if (table.nRows !== y.length) {
    throw new RangeError(`${name}: X has ${table.nRows} rows but y has ${y.length} values.`);
  }
  if (table.nRows === 0) throw new RangeError(`${name}: cannot fit on zero rows.`);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]))
      throw new RangeError(`${name}: the target has a missing or infinite value (row ${i}).`);
  }
}

/** Raw scores (n × outputs) of a fitted booster. */
export function predictRaw(f: HistFitted, table: ColumnTable): Float64Array {
  const n = table.nRows;
  const p = f.nFeatures;
  if (table.columns.length !== p) {
    throw new RangeError(`The model was fitted on ${p} features; got ${table.columns.length}.`);
  }
  const K = f.outputs;
  const out = new Float64Array(n * K);
  for (let i = 0; i < n; i++) out.set(f.init, i * K);
  forEachRowBlock(table, (x, from, m) => accumulateRawLeveled(f.forest, f.mapper, x, m, p, out, from, K));
  return out;
}

function gainImportance(f: HistFitted): Float64Array {
  const total = f.featureGain.reduce((s, v) => s + v, 0);
  return Float64Array.from(f.featureGain, (g) => (total > 0 ? g / total : 0));
}

export class HistGradientBoostingRegressor extends Regressor<HistParams, HistFitted> {
  /** Loss per round from the last fit (not part of the saved model). */
  learningCurve: LearningCurve | null = null;

  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    return this.fitTable(matrixTable(X), y, ctx);
  }

  fitTable(table: ColumnTable, y: Float64Array, ctx: FitContext): this {
    checkTable(table, y, "HistGradientBoostingRegressor");
    const { fitted, curve } = fitBooster(table, y, squaredError(), this.params, ctx, false);
    this.fitted = fitted;
    this.learningCurve = curve;
    return this;
  }

  predict(X: Matrix): Float64Array {
    return this.predictTable(matrixTable(X));
  }

  predictTable(table: ColumnTable): Float64Array {
    return predictRaw(this.state(), table);
  }

  columnImportance(): Float64Array {
    return gainImportance(this.state());
  }
}

export class HistGradientBoostingClassifier extends Classifier<HistParams, HistFitted> {
  learningCurve: LearningCurve | null = null;

  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    return this.fitTable(matrixTable(X), y, ctx);
  }

  fitTable(table: ColumnTable, y: Float64Array, ctx: FitContext): this {
    checkTable(table, y, "HistGradientBoostingClassifier");
    const loss = this.nClasses <= 2 ? binaryLogLoss() : softmaxLogLoss(this.nClasses);
    const { fitted, curve } = fitBooster(table, y, loss, this.params, ctx, true);
    this.fitted = fitted;
    this.learningCurve = curve;
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    return this.predictProbaTable(matrixTable(X));
  }

  predictProbaTable(table: ColumnTable): Float64Array {
    const f = this.state();
    const raw = predictRaw(f, table);
    const n = table.nRows;
    const k = this.nClasses;
    const out = new Float64Array(n * k);
    if (f.outputs === 1) {
      for (let i = 0; i < n; i++) {
        const p1 = sigmoid(raw[i]);
        out[2 * i] = 1 - p1;
        out[2 * i + 1] = p1;
      }
    } else softmaxRows(raw, n, k, out);
    return out;
  }

  predictTable(table: ColumnTable): Float64Array {
    return argmaxRows(this.predictProbaTable(table), table.nRows, this.nClasses);
  }

  columnImportance(): Float64Array {
    return gainImportance(this.state());
  }
}
