/** Shared set-up for tree models: the column-major copy and the presorted orders of a design matrix. */
import { type Matrix, toColumnMajor } from "../../matrix.js";
import type { TreeInput } from "./builder.js";
import { presortColumns } from "./presort.js";

export function treeInput(X: Matrix, y: Float64Array, nClasses: number): TreeInput {
  const Xc = toColumnMajor(X);
  return { Xc, n: X.rows, p: X.cols, y, nClasses, weight: null, sorted: presortColumns(Xc, X.rows, X.cols) };
}

/** Number of features examined per split for a max_features setting. */
export function featuresPerSplit(setting: string, p: number, task: "regression" | "classification"): number {
  if (setting === "sqrt" || (setting === "auto" && task === "classification"))
    return Math.max(1, Math.floor(Math.sqrt(p)));
  if (setting === "log2") return Math.max(1, Math.floor(Math.log2(p)));
  return p;
}
