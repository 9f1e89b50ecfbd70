/**
 * Columns of a loaded table as the tests need them: numbers, and group labels for categorical, boolean or
 * integer columns. Rows where any chosen column is missing are left out (and counted).
 */
import { compareText } from "../preprocess/fit.js";
import { findColumn } from "../schema.js";
import type { Column, Frame } from "../types.js";

/** Group index per row (−1: missing) and the group names, in display order. */
export interface Groups {
  codes: Int32Array;
  labels: string[];
}

export function numbersOf(frame: Frame, name: string): Float64Array {
  const col = findColumn(frame, name);
  if (!("values" in col) || col.type === "datetime" || col.type === "boolean")
    throw new TypeError(`Column "${name}" is not numeric.`);
  return col.values;
}

/** Groups of a categorical, boolean or integer column: text in alphabetical order, numbers ascending. */
export function groupsOf(frame: Frame, name: string): Groups {
  const col = findColumn(frame, name);
  return "values" in col ? numericGroups(col) : textGroups(col);
}

function textGroups(col: Extract<Column, { codes: Int32Array }>): Groups {
  const used = new Set<number>();
  for (const c of col.codes) if (c >= 0) used.add(c);
  const order = [...used].sort((a, b) => compareText(col.levels[a], col.levels[b]));
  const remap = new Int32Array(col.levels.length).fill(-1);
  order.forEach((code, k) => {
    remap[code] = k;
  });
  return {
    codes: Int32Array.from(col.codes, (c) => (c < 0 ? -1 : remap[c])),
    labels: order.map((c) => col.levels[c]),
  };
}

function numericGroups(col: Extract<Column, { values: Float64Array }>): Groups {
  const distinct = [...new Set(col.values)].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const index = new Map(distinct.map((v, k) => [v, k]));
  const label = (v: number) => (col.type === "boolean" ? String(v === 1) : String(v));
  return {
    codes: Int32Array.from(col.values, (v) => (Number.isNaN(v) ? -1 : (index.get(v) as number))),
    labels: distinct.map(label),
  };
}

/** The values of each group, from rows where both the value and the group are present. */
export function splitByGroup(
  values: Float64Array,
  groups: Groups,
): { samples: Float64Array[]; dropped: number } {
  const buckets: number[][] = groups.labels.map(() => []);
  let dropped = 0;
  for (let i = 0; i < values.length; i++) {
    const g = groups.codes[i];
    if (g < 0 || Number.isNaN(values[i])) dropped++;
    else buckets[g].push(values[i]);
  }
  return { samples: buckets.map((b) => Float64Array.from(b)), dropped };
}

/** Rows where both numbers are present. */
export function completePairs(
  x: Float64Array,
  y: Float64Array,
): { x: Float64Array; y: Float64Array; dropped: number } {
  let complete = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i]) && !Number.isNaN(y[i])) complete++;
  if (complete === x.length) return { x, y, dropped: 0 };
  const px = new Float64Array(complete);
  const py = new Float64Array(complete);
  for (let i = 0, k = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    px[k] = x[i];
    py[k++] = y[i];
  }
  return { x: px, y: py, dropped: x.length - complete };
}

/** Counts of (row group, column group) over rows where both are present. */
export function crossTable(a: Groups, b: Groups): { counts: number[][]; dropped: number } {
  const counts = a.labels.map(() => new Array<number>(b.labels.length).fill(0));
  let dropped = 0;
  for (let i = 0; i < a.codes.length; i++) {
    if (a.codes[i] < 0 || b.codes[i] < 0) dropped++;
    else counts[a.codes[i]][b.codes[i]]++;
  }
  return { counts, dropped };
}
