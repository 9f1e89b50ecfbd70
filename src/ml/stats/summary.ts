/**
 * The summary card of /stats: per column its type, count and missing values, then the mean, standard
 * deviation and quartiles of numbers (numpy's linear interpolation, as pandas' describe), or the most frequent
 * categories with their shares.
 */
import { quantileSorted } from "../kernels/quantile.js";
import { profileColumn } from "../profile.js";
import type { ColumnType, Frame, NumericColumn } from "../types.js";
import { mean, present, std } from "./descriptive.js";

export interface NumberSummary {
  mean: number;
  std: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

export interface ColumnSummary {
  name: string;
  type: ColumnType;
  count: number;
  missing: number;
  unique: number;
  numbers?: NumberSummary;
  /** Most frequent values first, with their share of the non-missing values. */
  top?: Array<{ value: string; share: number }>;
}

const TOP_CATEGORIES = 3;

export function describeNumbers(values: ArrayLike<number>): NumberSummary {
  return describeSorted(Float64Array.from(values).sort());
}

/** The numbers of ascending values (one sort serves the quartiles and the count of distinct values). */
function describeSorted(s: Float64Array): NumberSummary {
  return {
    mean: mean(s),
    std: std(s),
    min: s[0],
    q1: quantileSorted(s, 0.25),
    median: quantileSorted(s, 0.5),
    q3: quantileSorted(s, 0.75),
    max: s[s.length - 1],
  };
}

/** One summary per column, in column order (at most `maxColumns`). */
export function summarizeColumns(frame: Frame, maxColumns = Number.POSITIVE_INFINITY): ColumnSummary[] {
  return frame.columns.slice(0, maxColumns).map((col) => {
    if ("values" in col && col.type !== "boolean") return numericSummary(col, frame.nRows);
    const profile = profileColumn(col, frame.nRows);
    const count = frame.nRows - profile.missing;
    const base = { name: col.name, type: col.type, count, missing: profile.missing, unique: profile.unique };
    if ("values" in col) return { ...base, top: booleanShares(col.values, count) };
    return {
      ...base,
      top: (profile.top ?? [])
        .slice(0, TOP_CATEGORIES)
        .map((t) => ({ value: t.value, share: t.count / count })),
    };
  });
}

function numericSummary(col: NumericColumn, nRows: number): ColumnSummary {
  const sorted = present(col.values).sort();
  let unique = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) unique++;
  const base = {
    name: col.name,
    type: col.type,
    count: sorted.length,
    missing: nRows - sorted.length,
    unique,
  };
  return sorted.length > 0 ? { ...base, numbers: describeSorted(sorted) } : base;
}

function booleanShares(values: Float64Array, count: number): ColumnSummary["top"] {
  let yes = 0;
  for (const v of values) if (v === 1) yes++;
  return [
    { value: "true", share: yes / count },
    { value: "false", share: (count - yes) / count },
  ].sort((a, b) => b.share - a.share);
}
