/**
 * Classic gradient boosting (Friedman, "Greedy Function Approximation: A Gradient Boosting Machine", 2001),
 * as scikit-learn's GradientBoostingRegressor/Classifier: squared error starts from the mean; log-loss from
 * the log-odds (binary) or log-priors (multiclass, one tree per class per stage); each tree fits the negative
 * gradient, and for log-loss its leaves take one Newton step. Defaults 100 stages, depth 3, learning rate 0.1.
 */
import type { Matrix } from "../matrix.js";
import { Classifier, checkFitInput, type FitContext, pastDeadline, Regressor } from "./base.js";
import { sigmoid, softmaxInto } from "./logistic.js";
import { accumulateTree, impurityImportance, type TreeArrays } from "./tree/arrays.js";
import { growTree, type TreeInput, TreeScratch } from "./tree/builder.js";
import { treeInput } from "./tree/fit-input.js";

export interface BoostingParams {
  nEstimators: number;
  learningRate: number;
  maxDepth: number;
  subsample: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
}

export interface BoostingFitted {
  /** Initial raw score per output (1 for regression and binary, k for multiclass). */
  init: Float64Array;
  /** Stage-major: trees[stage * outputs + output]. */
  trees: TreeArrays[];
  outputs: number;
  nFeatures: number;
}

/** Leaf values from the residuals of the rows in each leaf (Newton step for log-loss). */
type LeafRule = (tree: TreeArrays, leafOfRow: Int32Array, residual: Float64Array) => void;

function boost(
  X: Matrix,
  targets: Float64Array[],
  init: Float64Array,
  params: BoostingParams,
  ctx: FitContext,
  residuals: (raw: Float64Array, out: Float64Array[]) => void,
  leafRule: LeafRule | null,
): BoostingFitted {
  const n = X.rows;
  const outputs = init.length;
  const raw = new Float64Array(n * outputs);
  for (let i = 0; i < n; i++) raw.set(init, i * outputs);
  const res = targets.map(() => new Float64Array(n));
  const base: TreeInput = treeInput(X, res[0], 0);
  const trees: TreeArrays[] = [];
  const leafValues = new Float64Array(n);
  // One tree's working memory, reused by every stage (fresh memory costs more: each page is faulted in).
  const scratch = new TreeScratch(n, X.cols, 1);
  for (let stage = 0; stage < params.nEstimators; stage++) {
    residuals(raw, res);
    const weight = params.subsample < 1 ? subsampleMask(n, params.subsample, ctx) : null;
    for (let k = 0; k < outputs; k++) {
      const grown = growTree(
        { ...base, y: res[k], weight },
        {
          criterion: "squared_error",
          maxDepth: params.maxDepth,
          minSamplesSplit: params.minSamplesSplit,
          minSamplesLeaf: params.minSamplesLeaf,
          maxFeatures: X.cols,
          rng: ctx.rng,
        },
        scratch,
      );
      const tree = grown.finish();
      if (leafRule) leafRule(tree, scratch.leafOfRow, res[k]);
      // Update every row's raw score, in-bag or not, through the tree.
      leafValues.fill(0);
      accumulateTree(tree, X.data, n, X.cols, leafValues, params.learningRate);
      for (let i = 0; i < n; i++) raw[i * outputs + k] += leafValues[i];
      trees.push(tree);
    }
    ctx.onProgress?.((stage + 1) / params.nEstimators, `Stage ${stage + 1} of ${params.nEstimators}`);
    if (pastDeadline(ctx)) break;
  }
  return { init, trees, outputs, nFeatures: X.cols };
}

function subsampleMask(n: number, fraction: number, ctx: FitContext): Float64Array {
  const w = new Float64Array(n);
  const take = Math.max(1, Math.floor(fraction * n));
  const perm = ctx.rng.permutation(n);
  for (let i = 0; i < take; i++) w[perm[i]] = 1;
  return w;
}

/** Newton leaf values: Σr / Σh over each leaf's rows, scaled (k−1)/k for multiclass (Friedman 2001, alg. 6). */
function newtonLeaves(hessian: (r: number) => number, scale: number): LeafRule {
  return (tree, leafOfRow, residual) => {
    const num = new Float64Array(tree.nodeCount);
    const den = new Float64Array(tree.nodeCount);
    for (let i = 0; i < leafOfRow.length; i++) {
      const leaf = leafOfRow[i];
      if (leaf < 0) continue;
      num[leaf] += residual[i];
      den[leaf] += hessian(residual[i]);
    }
    for (let node = 0; node < tree.nodeCount; node++) {
      if (tree.feature[node] >= 0) continue;
      tree.value[node] = Math.abs(den[node]) < 1e-150 ? 0 : (scale * num[node]) / den[node];
    }
  };
}

function rawScores(f: BoostingFitted, X: Matrix, learningRate: number): Float64Array {
  const out = new Float64Array(X.rows * f.outputs);
  for (let i = 0; i < X.rows; i++) out.set(f.init, i * f.outputs);
  const column = new Float64Array(X.rows);
  f.trees.forEach((tree, t) => {
    const k = t % f.outputs;
    column.fill(0);
    accumulateTree(tree, X.data, X.rows, X.cols, column, learningRate);
    for (let i = 0; i < X.rows; i++) out[i * f.outputs + k] += column[i];
  });
  return out;
}

export class GradientBoostingRegressor extends Regressor<BoostingParams, BoostingFitted> {
  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    checkFitInput(X, y, "GradientBoostingRegressor");
    let mean = 0;
    for (let i = 0; i < y.length; i++) mean += y[i];
    mean /= y.length;
    this.fitted = boost(
      X,
      [y],
      Float64Array.of(mean),
      this.params,
      ctx,
      (raw, out) => {
        for (let i = 0; i < y.length; i++) out[0][i] = y[i] - raw[i];
      },
      null,
    );
    return this;
  }

  predict(X: Matrix): Float64Array {
    return rawScores(this.state(), X, this.params.learningRate);
  }

  columnImportance(): Float64Array {
    const f = this.state();
    return impurityImportance(f.trees, f.nFeatures);
  }
}

export class GradientBoostingClassifier extends Classifier<BoostingParams, BoostingFitted> {
  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    checkFitInput(X, y, "GradientBoostingClassifier");
    const k = this.nClasses;
    const n = y.length;
    const prior = new Float64Array(k);
    for (let i = 0; i < n; i++) prior[y[i]] += 1 / n;
    if (k === 2) {
      const p = Math.min(Math.max(prior[1], 1e-15), 1 - 1e-15);
      this.fitted = boost(
        X,
        [y],
        Float64Array.of(Math.log(p / (1 - p))),
        this.params,
        ctx,
        (raw, out) => {
          for (let i = 0; i < n; i++) out[0][i] = y[i] - sigmoid(raw[i]);
        },
        newtonLeaves((r) => Math.abs(r) * (1 - Math.abs(r)), 1),
      );
      return this;
    }
    const init = Float64Array.from(prior, (p) => Math.log(Math.max(p, 1e-15)));
    const prob = new Float64Array(k);
    const targets = Array.from({ length: k }, () => y);
    this.fitted = boost(
      X,
      targets,
      init,
      this.params,
      ctx,
      (raw, out) => {
        for (let i = 0; i < n; i++) {
          softmaxInto(raw.subarray(i * k, i * k + k), prob, 0);
          for (let c = 0; c < k; c++) out[c][i] = (y[i] === c ? 1 : 0) - prob[c];
        }
      },
      newtonLeaves((r) => Math.abs(r) * (1 - Math.abs(r)), (k - 1) / k),
    );
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const f = this.state();
    const raw = rawScores(f, X, this.params.learningRate);
    const k = this.nClasses;
    const out = new Float64Array(X.rows * k);
    for (let i = 0; i < X.rows; i++) {
      if (k === 2) {
        const p1 = sigmoid(raw[i]);
        out[2 * i] = 1 - p1;
        out[2 * i + 1] = p1;
      } else softmaxInto(raw.subarray(i * k, i * k + k), out, i * k);
    }
    return out;
  }

  columnImportance(): Float64Array {
    const f = this.state();
    return impurityImportance(f.trees, f.nFeatures);
  }
}
