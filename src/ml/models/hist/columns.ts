/**
 * Column views for the histogram models: raw feature values read in place (no copy, no imputation, NaN =
 * missing), either from a row-major design matrix or from a frame's columns through a row index.
 * Categorical columns hold integer codes 0..k−1 (read through `remap` when the source codes differ).
 */
import type { Matrix } from "../../matrix.js";

/** Value of row i = values[offset + stride · (rows ? rows[i] : i)], mapped through remap when given. */
export interface ColumnView {
  values: Float64Array | Int32Array;
  offset: number;
  stride: number;
  rows: Int32Array | null;
  /** Source code → category index (−1 or NaN = missing); only for categorical columns read from codes. */
  remap?: Float64Array;
  /** Number of categories for a categorical column; 0 for a numeric one. */
  categories: number;
}

export interface ColumnTable {
  nRows: number;
  columns: ColumnView[];
}

/** The value of one cell (used outside hot loops; binning reads columns in bulk). */
export function valueAt(c: ColumnView, i: number): number {
  const v = c.values[c.offset + c.stride * (c.rows ? c.rows[i] : i)];
  if (!c.remap) return v;
  return v < 0 || Number.isNaN(v) ? Number.NaN : c.remap[v];
}

/** Copies rows [from, from + n) of one column into out. */
export function readColumn(c: ColumnView, n: number, out: Float64Array, from = 0): Float64Array {
  const { values, offset, stride, rows, remap } = c;
  if (rows) for (let i = 0; i < n; i++) out[i] = values[offset + stride * rows[from + i]];
  else for (let i = 0; i < n; i++) out[i] = values[offset + stride * (from + i)];
  if (remap) {
    for (let i = 0; i < n; i++) {
      const v = out[i];
      out[i] = v < 0 || Number.isNaN(v) ? Number.NaN : remap[v];
    }
  }
  return out;
}

/**
 * A view of a design matrix; `categories[j] > 0` marks column j as categorical with that many codes.
 */
export function matrixTable(X: Matrix, categories?: ArrayLike<number>): ColumnTable {
  return {
    nRows: X.rows,
    columns: Array.from({ length: X.cols }, (_, j) => ({
      values: X.data,
      offset: j,
      stride: X.cols,
      rows: null,
      categories: categories?.[j] ?? 0,
    })),
  };
}

/** The same table restricted to some of its rows (in the given order), without copying values. */
export function selectRows(t: ColumnTable, rows: Int32Array): ColumnTable {
  // Columns of one frame share one row index; compose it once per distinct index.
  const composed = new Map<Int32Array, Int32Array>();
  const compose = (base: Int32Array) => {
    let r = composed.get(base);
    if (!r) {
      r = Int32Array.from(rows, (i) => base[i]);
      composed.set(base, r);
    }
    return r;
  };
  return {
    nRows: rows.length,
    columns: t.columns.map((c) => ({ ...c, rows: c.rows ? compose(c.rows) : rows })),
  };
}
