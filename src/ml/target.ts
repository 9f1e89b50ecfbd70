/**
 * The target column → the rows that have a value, and y as numbers: the value itself for regression, the
 * class index for classification (classes sorted: numerically when they are numbers, else as text).
 */
import { DataError, NoUsableTargetError } from "./errors.js";
import { compareText } from "./preprocess/fit.js";
import type { Column, Task } from "./types.js";

export interface EncodedTarget {
  /** Frame rows with a target value. */
  rows: Int32Array;
  y: Float64Array;
  classes?: string[];
  dropped: number;
}

export function encodeTarget(col: Column, task: Task): EncodedTarget {
  if (task === "regression") {
    if (!("values" in col) || col.type === "datetime") {
      throw new DataError(
        `The target "${col.name}" is not numeric, so it needs classification, not regression.`,
        {
          target: col.name,
        },
      );
    }
    const r = rowsWhere(col.values.length, (i) => !Number.isNaN(col.values[i]));
    return { rows: r, y: gather(col.values, r), dropped: col.values.length - r.length };
  }
  const labels = "values" in col ? numericLabels(col.values) : textLabels(col.codes, col.levels);
  if (labels.classes.length < 2) {
    throw new NoUsableTargetError(
      labels.classes.length === 0
        ? `The target "${col.name}" has no values.`
        : `The target "${col.name}" has only one class (${labels.classes[0]}), so there is nothing to predict.`,
      { target: col.name },
    );
  }
  const r = rowsWhere(labels.keys.length, (i) => labels.keys[i] >= 0);
  return {
    rows: r,
    y: gather(labels.keys, r),
    classes: labels.classes,
    dropped: labels.keys.length - r.length,
  };
}

function numericLabels(values: Float64Array): { keys: Int32Array; classes: string[] } {
  const distinct = Array.from(new Set(Array.from(values).filter((v) => !Number.isNaN(v)))).sort(
    (a, b) => a - b,
  );
  const index = new Map(distinct.map((v, k) => [v, k]));
  const keys = Int32Array.from(values, (v) => (Number.isNaN(v) ? -1 : (index.get(v) as number)));
  return { keys, classes: distinct.map((v) => String(v)) };
}

function textLabels(codes: Int32Array, levels: string[]): { keys: Int32Array; classes: string[] } {
  const used = new Set<number>();
  for (const c of codes) if (c >= 0) used.add(c);
  const ordered = Array.from(used).sort((a, b) => compareText(levels[a], levels[b]));
  const remap = new Int32Array(levels.length).fill(-1);
  ordered.forEach((code, k) => {
    remap[code] = k;
  });
  return {
    keys: Int32Array.from(codes, (c) => (c < 0 ? -1 : remap[c])),
    classes: ordered.map((c) => levels[c]),
  };
}

/** Indices i < n where keep(i), as an Int32Array (no intermediate JS array: targets can have 10^6 rows). */
function rowsWhere(n: number, keep: (i: number) => boolean): Int32Array {
  let m = 0;
  for (let i = 0; i < n; i++) if (keep(i)) m++;
  const out = new Int32Array(m);
  let k = 0;
  for (let i = 0; i < n; i++) if (keep(i)) out[k++] = i;
  return out;
}

/** values[rows[k]] for every k, as a Float64Array. */
export function gather(values: ArrayLike<number>, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k]];
  return out;
}
