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

/**
 * Copies rows [from, from + n) of one column into out. The view's fields are read here and the loops run in a
 * function of their own (copyColumn), which never sees a view object: a fit's first sampled view (the bin
 * mapper's, made only above BIN_SAMPLE_ROWS rows) has a map that a smaller fit's views did not, and V8 threw
 * away the optimised loops at it ("wrong map") and ran them unoptimised until it had compiled them again.
 */
export function readColumn(c: ColumnView, n: number, out: Float64Array, from = 0): Float64Array {
  return copyColumn(c.values, c.offset, c.stride, c.rows, c.remap, n, out, from);
}

/** readColumn's loops, on the view's fields. */
function copyColumn(
  values: Float64Array | Int32Array,
  offset: number,
  stride: number,
  rows: Int32Array | null,
  remap: Float64Array | undefined,
  n: number,
  out: Float64Array,
  from: number,
): Float64Array {
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

// Both of copyColumn's reading loops run on a few made-up rows when the module loads, so each has type
// feedback before V8 optimises it: a small fit reads its rows in place only, and the first fit sampled for its
// bin mapper (above BIN_SAMPLE_ROWS rows) met the row-index loop without feedback, threw the optimised code
// away and ran unoptimised until V8 had compiled it again. A few calls of a few hundred rows: V8 gives a function
// its feedback vector only after it has run a while (lazy feedback allocation).
{
  const values = new Float64Array(256).fill(0.5);
  const rows = new Int32Array(256);
  const out = new Float64Array(256);
  for (let pass = 0; pass < 3; pass++) {
    copyColumn(values, 0, 1, rows, undefined, 256, out, 0);
    copyColumn(values, 0, 1, null, undefined, 256, out, 0);
  }
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
      r = new Int32Array(rows.length);
      for (let k = 0; k < rows.length; k++) r[k] = base[rows[k]];
      composed.set(base, r);
    }
    return r;
  };
  return {
    nRows: rows.length,
    columns: t.columns.map((c) => ({ ...c, rows: c.rows ? compose(c.rows) : rows })),
  };
}

/** Rows gathered per block when a row-major view of column views is needed (a block stays in cache). */
const ROW_BLOCK = 4096;

/**
 * Calls fn with row-major blocks of the table's values (a design matrix is passed through as it is;
 * column views are gathered ROW_BLOCK rows at a time).
 */
export function forEachRowBlock(
  table: ColumnTable,
  fn: (x: Float64Array, from: number, rows: number) => void,
): void {
  const n = table.nRows;
  const p = table.columns.length;
  const first = table.columns[0];
  const rowMajor =
    p > 0 &&
    first.values instanceof Float64Array &&
    table.columns.every(
      (c, j) => c.values === first.values && c.stride === p && c.offset === j && !c.rows && !c.remap,
    );
  if (rowMajor) {
    fn(first.values as Float64Array, 0, n);
    return;
  }
  const m = Math.min(n, ROW_BLOCK);
  const block = new Float64Array(m * p);
  const column = new Float64Array(m);
  for (let from = 0; from < n; from += ROW_BLOCK) {
    const rows = Math.min(ROW_BLOCK, n - from);
    for (let j = 0; j < p; j++) {
      readColumn(table.columns[j], rows, column, from);
      for (let i = 0; i < rows; i++) block[i * p + j] = column[i];
    }
    fn(block, from, rows);
  }
}
