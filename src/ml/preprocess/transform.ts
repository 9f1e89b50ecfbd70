/** Applies a fitted preprocessing to columns (already matched to the plan by name and type) → design matrix. */
import { createMatrix, type Matrix } from "../matrix.js";
import type { CategoricalColumn, Column } from "../types.js";
import { datePart } from "./fit.js";
import type { CategoricalPlan, FeaturePlan, Preprocessing } from "./plan.js";

/**
 * @param columns - one column per plan feature, in plan order
 * @param rows - the rows to transform (all rows when omitted)
 */
export function transform(pre: Preprocessing, columns: Column[], nRows: number, rows?: Int32Array): Matrix {
  const n = rows ? rows.length : nRows;
  const out = createMatrix(n, pre.outputNames.length);
  let offset = 0;
  pre.features.forEach((plan, j) => {
    offset = writeFeature(plan, columns[j], out, offset, rows);
  });
  return out;
}

function writeFeature(
  plan: FeaturePlan,
  col: Column,
  out: Matrix,
  offset: number,
  rows?: Int32Array,
): number {
  const { data, cols, rows: n } = out;
  if (plan.kind === "categorical") return writeOneHot(plan, col as CategoricalColumn, out, offset, rows);
  const values = (col as { values: Float64Array }).values;
  if (plan.kind === "numeric") {
    const { center, scale } = plan.affine;
    for (let i = 0; i < n; i++) {
      const v = values[rows ? rows[i] : i];
      const missing = Number.isNaN(v);
      data[i * cols + offset] = ((missing ? plan.median : v) - center) / scale;
      if (plan.indicator) data[i * cols + offset + 1] = missing ? 1 : 0;
    }
    return offset + (plan.indicator ? 2 : 1);
  }
  plan.parts.forEach((p, k) => {
    for (let i = 0; i < n; i++) {
      const v = datePart(values[rows ? rows[i] : i], p.part);
      data[i * cols + offset + k] = ((Number.isNaN(v) ? p.median : v) - p.affine.center) / p.affine.scale;
    }
  });
  if (plan.indicator) {
    const at = offset + plan.parts.length;
    for (let i = 0; i < n; i++) data[i * cols + at] = Number.isNaN(values[rows ? rows[i] : i]) ? 1 : 0;
  }
  return offset + plan.parts.length + (plan.indicator ? 1 : 0);
}

function writeOneHot(
  plan: CategoricalPlan,
  col: CategoricalColumn,
  out: Matrix,
  offset: number,
  rows?: Int32Array,
): number {
  const { data, cols, rows: n } = out;
  const width = plan.levels.length + (plan.other ? 1 : 0);
  const position = new Map(plan.levels.map((l, k) => [l, k]));
  const fallback = position.get(plan.mostFrequent) ?? (plan.other ? plan.levels.length : -1);
  const unseen = plan.other ? plan.levels.length : -1;
  // Map each input level to an output slot once; -1 means "all zeros".
  const slot = new Int32Array(col.levels.length);
  col.levels.forEach((l, k) => {
    slot[k] = position.get(l) ?? unseen;
  });
  for (let i = 0; i < n; i++) {
    const code = col.codes[rows ? rows[i] : i];
    const s = code < 0 ? fallback : slot[code];
    if (s >= 0) data[i * cols + offset + s] = 1;
  }
  return offset + width;
}
