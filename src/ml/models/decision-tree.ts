/** One CART tree (scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor defaults). */
import type { Matrix } from "../matrix.js";
import { Classifier, checkFitInput, type FitContext, Regressor } from "./base.js";
import { accumulateTree, impurityImportance, type TreeArrays } from "./tree/arrays.js";
import { buildTree } from "./tree/builder.js";
import { treeInput } from "./tree/fit-input.js";

export interface TreeParams {
  maxDepth: number | null;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  criterion: "gini" | "entropy";
}

export interface TreeFitted {
  tree: TreeArrays;
  nFeatures: number;
}

function fitOne(
  X: Matrix,
  y: Float64Array,
  nClasses: number,
  params: TreeParams,
  ctx: FitContext,
): TreeFitted {
  const { tree } = buildTree(treeInput(X, y, nClasses), {
    criterion: nClasses > 0 ? params.criterion : "squared_error",
    maxDepth: params.maxDepth ?? Number.POSITIVE_INFINITY,
    minSamplesSplit: params.minSamplesSplit,
    minSamplesLeaf: params.minSamplesLeaf,
    maxFeatures: X.cols,
    rng: ctx.rng,
  });
  return { tree, nFeatures: X.cols };
}

export class DecisionTreeClassifier extends Classifier<TreeParams, TreeFitted> {
  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    checkFitInput(X, y, "DecisionTreeClassifier");
    this.fitted = fitOne(X, y, this.nClasses, this.params, ctx);
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const out = new Float64Array(X.rows * this.nClasses);
    accumulateTree(this.state().tree, X.data, X.rows, X.cols, out, 1);
    return out;
  }

  columnImportance(): Float64Array {
    const f = this.state();
    return impurityImportance([f.tree], f.nFeatures);
  }
}

export class DecisionTreeRegressor extends Regressor<TreeParams, TreeFitted> {
  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    checkFitInput(X, y, "DecisionTreeRegressor");
    this.fitted = fitOne(X, y, 0, this.params, ctx);
    return this;
  }

  predict(X: Matrix): Float64Array {
    const out = new Float64Array(X.rows);
    accumulateTree(this.state().tree, X.data, X.rows, X.cols, out, 1);
    return out;
  }

  columnImportance(): Float64Array {
    const f = this.state();
    return impurityImportance([f.tree], f.nFeatures);
  }
}
