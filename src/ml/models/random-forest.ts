/**
 * Random forest (Breiman, "Random Forests", Machine Learning 45, 2001) on binned columns: trees on
 * bootstrap samples (per-row counts, like scikit-learn's sample weights), features sampled at every node,
 * histogram splits (scikit-learn sorts exact thresholds; 255 quantile bins score the same and cost far
 * less). Probabilities and values are averaged over trees. Defaults: 100 trees, sqrt(p) features per node
 * for classification, all for regression (scikit-learn 1.2). Reads raw values (NaN = missing, categories
 * as codes). Models saved before binning (exact CART trees on the one-hot design) still load and predict.
 */
import type { Matrix } from "../matrix.js";
import type { Random } from "../random.js";
import { Classifier, type FitContext, pastDeadline, Regressor } from "./base.js";
import type { TreeParams } from "./decision-tree.js";
import { type BinMapper, binCount, binRows, fitBinMapper } from "./hist/binning.js";
import type { Criterion } from "./hist/channels.js";
import { channelStride } from "./hist/channels.js";
import { type ColumnTable, forEachRowBlock, matrixTable } from "./hist/columns.js";
import { type ForestArrays, ForestBuilder } from "./hist/forest.js";
import { ForestScratch, growForestTree } from "./hist/forest-grower.js";
import { rowStride } from "./hist/histogram.js";
import { accumulateBinned, accumulateRaw } from "./hist/traverse.js";
import { accumulateTree, impurityImportance, type TreeArrays } from "./tree/arrays.js";
import { featuresPerSplit } from "./tree/fit-input.js";

export interface ForestParams extends TreeParams {
  nEstimators: number;
  maxFeatures: "auto" | "sqrt" | "log2" | "all";
  bootstrap: boolean;
}

/** A forest of binned trees. */
export interface BinnedForestFitted {
  mapper: BinMapper;
  forest: ForestArrays;
  nFeatures: number;
  /** Mean over trees of each tree's normalised impurity decrease per feature. */
  importance: Float64Array;
}

/** The format before binning: exact CART trees over the one-hot design matrix. */
export interface LegacyForestFitted {
  trees: TreeArrays[];
  nFeatures: number;
}

export type ForestFitted = BinnedForestFitted | LegacyForestFitted;

const isLegacy = (f: ForestFitted): f is LegacyForestFitted => "trees" in f;

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

function fitForest(
  table: ColumnTable,
  y: Float64Array,
  nClasses: number,
  params: ForestParams,
  ctx: FitContext,
): BinnedForestFitted {
  const n = table.nRows;
  const p = table.columns.length;
  const regression = nClasses === 0;
  const C = regression ? 2 : nClasses;
  const mapper = fitBinMapper(table, 255, ctx.rng);
  const stride = rowStride(p);
  const bins = binRows(mapper, table, 0, n, undefined, stride);
  const columns = transpose(bins, n, stride);
  const values = new Float64Array(n * C);
  const data = {
    bins,
    stride,
    columns,
    n,
    p,
    binCounts: Int32Array.from({ length: p }, (_, f) => binCount(mapper, f)),
    categories: mapper.categories,
    values,
    channels: C,
  };
  const treeParams = {
    criterion: (regression ? "squared_error" : params.criterion) as Criterion,
    maxDepth: params.maxDepth ?? Number.POSITIVE_INFINITY,
    minSamplesSplit: params.minSamplesSplit,
    minSamplesLeaf: params.minSamplesLeaf,
    maxFeatures: featuresPerSplit(params.maxFeatures, p, regression ? "regression" : "classification"),
  };
  const forest = new ForestBuilder(regression ? 1 : nClasses, true);
  const scratch = new ForestScratch(n, p, C, stride * channelStride(C));
  const importance = new Float64Array(p);
  const gains = new Float64Array(p);
  const leafValue = regression
    ? (sums: Float64Array, out: Float64Array) => {
        out[0] = sums[1] > 0 ? sums[0] / sums[1] : 0;
      }
    : (sums: Float64Array, out: Float64Array) => {
        let w = 0;
        for (let c = 0; c < C; c++) w += sums[c];
        for (let c = 0; c < C; c++) out[c] = w > 0 ? sums[c] / w : 0;
      };
  for (let t = 0; t < params.nEstimators; t++) {
    const rng = ctx.rng.fork();
    const nRows = bagRows(y, regression, C, params.bootstrap, rng, scratch.ownRows, values);
    gains.fill(0);
    growForestTree(data, nRows, treeParams, forest, scratch, rng, leafValue, gains);
    const total = gains.reduce((s, v) => s + v, 0);
    if (total > 0) for (let f = 0; f < p; f++) importance[f] += gains[f] / total;
    ctx.onProgress?.((t + 1) / params.nEstimators, `Tree ${t + 1} of ${params.nEstimators}`);
    if (pastDeadline(ctx)) break;
  }
  const built = forest.roots.length;
  for (let f = 0; f < p; f++) importance[f] /= built;
  return { mapper, forest: forest.finish(), nFeatures: p, importance };
}

/**
 * Draws the bootstrap sample as counts, lists the rows drawn (ascending) in rows, and writes each row's
 * weighted channel values; returns the number of rows drawn.
 */
function bagRows(
  y: Float64Array,
  regression: boolean,
  C: number,
  bootstrap: boolean,
  rng: Random,
  rows: Int32Array,
  values: Float64Array,
): number {
  const n = y.length;
  const weight = new Float64Array(n);
  if (bootstrap) for (let i = 0; i < n; i++) weight[rng.int(n)]++;
  else weight.fill(1);
  values.fill(0);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const w = weight[i];
    if (w === 0) continue;
    rows[m++] = i;
    if (regression) {
      values[2 * i] = w * y[i];
      values[2 * i + 1] = w;
    } else values[i * C + y[i]] = w;
  }
  return m;
}

function transpose(bins: Uint8Array, n: number, stride: number): Uint8Array {
  const out = new Uint8Array(n * stride);
  for (let i = 0; i < n; i++) for (let f = 0; f < stride; f++) out[f * n + i] = bins[i * stride + f];
  return out;
}

/** Forests with more nodes than this predict on bins: smaller nodes, fewer cache misses. */
const BINNED_PREDICTION_NODES = 200_000;
const ROW_BLOCK = 4096;

/** The mean of the trees' outputs (n × width). */
function average(f: BinnedForestFitted, table: ColumnTable, width: number): Float64Array {
  if (table.columns.length !== f.nFeatures) {
    throw new RangeError(`The model was fitted on ${f.nFeatures} features; got ${table.columns.length}.`);
  }
  const out = new Float64Array(table.nRows * width);
  if (f.forest.feature.length < BINNED_PREDICTION_NODES) {
    forEachRowBlock(table, (x, from, m) =>
      accumulateRaw(f.forest, f.mapper, x, m, f.nFeatures, out, from, 1),
    );
  } else {
    const p = f.nFeatures;
    const buf = new Uint8Array(Math.min(table.nRows, ROW_BLOCK) * p);
    for (let from = 0; from < table.nRows; from += ROW_BLOCK) {
      const m = Math.min(ROW_BLOCK, table.nRows - from);
      binRows(f.mapper, table, from, m, buf);
      accumulateBinned(f.forest, f.mapper, buf, m, p, out, from, 1);
    }
  }
  const scale = 1 / Math.max(1, f.forest.nTrees);
  for (let i = 0; i < out.length; i++) out[i] *= scale;
  return out;
}

function averageLegacy(f: LegacyForestFitted, X: Matrix, width: number): Float64Array {
  const out = new Float64Array(X.rows * width);
  const scale = 1 / f.trees.length;
  for (const t of f.trees) accumulateTree(t, X.data, X.rows, X.cols, out, scale);
  return out;
}

function importanceOf(f: ForestFitted): Float64Array {
  if (!isLegacy(f)) return f.importance;
  return impurityImportance(f.trees, f.nFeatures);
}

export class RandomForestClassifier extends Classifier<ForestParams, ForestFitted> {
  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    return this.fitTable(matrixTable(X), y, ctx);
  }

  fitTable(table: ColumnTable, y: Float64Array, ctx: FitContext): this {
    checkTable(table, y, "RandomForestClassifier");
    this.fitted = fitForest(table, y, this.nClasses, this.params, ctx);
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const f = this.state();
    return isLegacy(f) ? averageLegacy(f, X, this.nClasses) : average(f, matrixTable(X), this.nClasses);
  }

  predictProbaTable(table: ColumnTable): Float64Array {
    return average(this.state() as BinnedForestFitted, table, this.nClasses);
  }

  predictTable(table: ColumnTable): Float64Array {
    const proba = this.predictProbaTable(table);
    const k = this.nClasses;
    return Float64Array.from({ length: table.nRows }, (_, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + best]) best = c;
      return best;
    });
  }

  columnImportance(): Float64Array {
    return importanceOf(this.state());
  }
}

export class RandomForestRegressor extends Regressor<ForestParams, ForestFitted> {
  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    return this.fitTable(matrixTable(X), y, ctx);
  }

  fitTable(table: ColumnTable, y: Float64Array, ctx: FitContext): this {
    checkTable(table, y, "RandomForestRegressor");
    this.fitted = fitForest(table, y, 0, this.params, ctx);
    return this;
  }

  predict(X: Matrix): Float64Array {
    const f = this.state();
    return isLegacy(f) ? averageLegacy(f, X, 1) : average(f, matrixTable(X), 1);
  }

  predictTable(table: ColumnTable): Float64Array {
    return average(this.state() as BinnedForestFitted, table, 1);
  }

  columnImportance(): Float64Array {
    return importanceOf(this.state());
  }
}
