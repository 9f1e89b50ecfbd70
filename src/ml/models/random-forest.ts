/**
 * Random forest (Breiman, "Random Forests", Machine Learning 45, 2001): trees on bootstrap samples (as
 * per-row counts, like scikit-learn's sample weights) with features subsampled at every split; probabilities
 * and values are averaged over trees. Defaults: 100 trees, sqrt(p) features for classification, all for
 * regression (scikit-learn 1.2).
 */
import type { Matrix } from "../matrix.js";
import type { Random } from "../random.js";
import { Classifier, checkFitInput, type FitContext, Regressor } from "./base.js";
import type { TreeParams } from "./decision-tree.js";
import { accumulateTree, impurityImportance, type TreeArrays } from "./tree/arrays.js";
import { buildTree } from "./tree/builder.js";
import { featuresPerSplit, treeInput } from "./tree/fit-input.js";

export interface ForestParams extends TreeParams {
  nEstimators: number;
  maxFeatures: "auto" | "sqrt" | "log2" | "all";
  bootstrap: boolean;
}

export interface ForestFitted {
  trees: TreeArrays[];
  nFeatures: number;
}

function fitForest(
  X: Matrix,
  y: Float64Array,
  nClasses: number,
  params: ForestParams,
  ctx: FitContext,
): ForestFitted {
  const input = treeInput(X, y, nClasses);
  const task = nClasses > 0 ? "classification" : "regression";
  const trees: TreeArrays[] = [];
  for (let t = 0; t < params.nEstimators; t++) {
    const rng = ctx.rng.fork();
    const weight = params.bootstrap ? bootstrapCounts(X.rows, rng) : null;
    const { tree } = buildTree(
      { ...input, weight },
      {
        criterion: nClasses > 0 ? params.criterion : "squared_error",
        maxDepth: params.maxDepth ?? Number.POSITIVE_INFINITY,
        minSamplesSplit: params.minSamplesSplit,
        minSamplesLeaf: params.minSamplesLeaf,
        maxFeatures: featuresPerSplit(params.maxFeatures, X.cols, task),
        rng,
      },
    );
    trees.push(tree);
    ctx.onProgress?.((t + 1) / params.nEstimators, `Tree ${t + 1} of ${params.nEstimators}`);
  }
  return { trees, nFeatures: X.cols };
}

function bootstrapCounts(n: number, rng: Random): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[rng.int(n)]++;
  return w;
}

function averageTrees(f: ForestFitted, X: Matrix, width: number): Float64Array {
  const out = new Float64Array(X.rows * width);
  const scale = 1 / f.trees.length;
  for (const t of f.trees) accumulateTree(t, X.data, X.rows, X.cols, out, scale);
  return out;
}

export class RandomForestClassifier extends Classifier<ForestParams, ForestFitted> {
  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    checkFitInput(X, y, "RandomForestClassifier");
    this.fitted = fitForest(X, y, this.nClasses, this.params, ctx);
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    return averageTrees(this.state(), X, this.nClasses);
  }

  columnImportance(): Float64Array {
    const f = this.state();
    return impurityImportance(f.trees, f.nFeatures);
  }
}

export class RandomForestRegressor extends Regressor<ForestParams, ForestFitted> {
  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    checkFitInput(X, y, "RandomForestRegressor");
    this.fitted = fitForest(X, y, 0, this.params, ctx);
    return this;
  }

  predict(X: Matrix): Float64Array {
    return averageTrees(this.state(), X, 1);
  }

  columnImportance(): Float64Array {
    const f = this.state();
    return impurityImportance(f.trees, f.nFeatures);
  }
}
