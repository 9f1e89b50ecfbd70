/**
 * The native encoding's column views (histogram models): numeric features read in place from the frame
 * (NaN = missing, no copy), datetime features as calendar parts, and categorical features as codes into the
 * plan's levels; pooled levels, and levels never seen in training, take the "other" code when the plan has
 * one and count as missing otherwise.
 */
import type { ColumnTable, ColumnView } from "../models/hist/columns.js";
import type { CategoricalColumn, Column, NumericColumn } from "../types.js";
import { datePart } from "./fit.js";
import type { CategoricalPlan, Preprocessing } from "./plan.js";

/**
 * @param columns - one column per plan feature, in plan order
 * @param rows - the rows to view (all rows when omitted)
 */
export function nativeColumns(
  pre: Preprocessing,
  columns: Column[],
  nRows: number,
  rows?: Int32Array,
): ColumnTable {
  const views: ColumnView[] = [];
  const n = rows ? rows.length : nRows;
  const index = rows ?? null;
  pre.features.forEach((plan, j) => {
    const col = columns[j];
    if (plan.kind === "categorical") {
      views.push(categoricalView(plan, col as CategoricalColumn, index));
      return;
    }
    const values = (col as NumericColumn).values;
    if (plan.kind === "numeric") {
      views.push({ values, offset: 0, stride: 1, rows: index, categories: 0 });
      return;
    }
    for (const part of plan.parts) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = datePart(values[index ? index[i] : i], part.part);
      views.push({ values: out, offset: 0, stride: 1, rows: null, categories: 0 });
    }
  });
  return { nRows: n, columns: views };
}

function categoricalView(plan: CategoricalPlan, col: CategoricalColumn, rows: Int32Array | null): ColumnView {
  const position = new Map(plan.levels.map((l, k) => [l, k]));
  const other = plan.other ? plan.levels.length : Number.NaN;
  const remap = Float64Array.from(col.levels, (l) => position.get(l) ?? other);
  return {
    values: col.codes,
    offset: 0,
    stride: 1,
    rows,
    remap,
    categories: plan.levels.length + (plan.other ? 1 : 0),
  };
}
