/**
 * The input a fitted preprocessing hands to an estimator: a design matrix (imputed, scaled, one-hot) or,
 * for models with native encoding, column views of the raw values. These helpers fit and predict on either.
 */
import type { Matrix } from "./matrix.js";
import type { FitContext } from "./models/base.js";
import type { AnyClassifier, AnyEstimator } from "./models/factory.js";
import type { ColumnTable } from "./models/hist/columns.js";
import { nativeColumns } from "./preprocess/native.js";
import type { Preprocessing } from "./preprocess/plan.js";
import { transform } from "./preprocess/transform.js";
import type { Column } from "./types.js";

export type Design = Matrix | ColumnTable;

/** An estimator that reads column views (histogram models). */
export interface TableModel {
  fitTable(t: ColumnTable, y: Float64Array, ctx: FitContext): unknown;
  predictTable(t: ColumnTable): Float64Array;
  predictProbaTable?(t: ColumnTable): Float64Array;
}

export function isTable(d: Design): d is ColumnTable {
  return "columns" in d;
}

export function designRows(d: Design): number {
  return isTable(d) ? d.nRows : d.rows;
}

function asTableModel(est: AnyEstimator): TableModel | null {
  return typeof (est as Partial<TableModel>).fitTable === "function" ? (est as unknown as TableModel) : null;
}

/** Applies a fitted preprocessing to columns (in plan order), for the given rows or all of them. */
export function buildDesign(pre: Preprocessing, columns: Column[], nRows: number, rows?: Int32Array): Design {
  return pre.encoding === "native"
    ? nativeColumns(pre, columns, nRows, rows)
    : transform(pre, columns, nRows, rows);
}

export function fitOn(est: AnyEstimator, d: Design, y: Float64Array, ctx: FitContext): void {
  if (isTable(d)) {
    const t = asTableModel(est);
    if (!t) throw new TypeError(`${est.constructor.name} cannot read column views.`);
    t.fitTable(d, y, ctx);
  } else est.fit(d, y, ctx);
}

export function predictOn(est: AnyEstimator, d: Design): Float64Array {
  if (!isTable(d)) return est.predict(d);
  const t = asTableModel(est);
  if (!t) throw new TypeError(`${est.constructor.name} cannot read column views.`);
  return t.predictTable(d);
}

export function probaOn(est: AnyClassifier, d: Design): Float64Array {
  if (!isTable(d)) return est.predictProba(d);
  const t = asTableModel(est);
  if (!t?.predictProbaTable) throw new TypeError(`${est.constructor.name} cannot read column views.`);
  return t.predictProbaTable(d);
}
