/** Fits the preprocessing on the training rows: medians, scalers, kept levels. */
import { quantileSorted, sortedPresent } from "../kernels/quantile.js";
import type { CategoricalColumn, Column, NumericColumn, Scaling } from "../types.js";
import {
  type Affine,
  type CategoricalPlan,
  type DatePart,
  type DatetimePlan,
  type FeaturePlan,
  INDICATOR_MIN_MISSING,
  MAX_LEVELS,
  MIN_LEVEL_COUNT,
  type NumericPlan,
  OTHER_LEVEL,
  type Preprocessing,
} from "./plan.js";

export function fitPreprocessing(
  columns: Column[],
  trainRows: Int32Array,
  scaling: Scaling,
  encoding?: "native",
): Preprocessing {
  const native = encoding === "native";
  const features = columns.map((c) =>
    native && !("codes" in c) && c.type !== "datetime"
      ? nativeNumeric(c)
      : fitFeature(c, trainRows, native ? "none" : scaling),
  );
  if (native) for (const f of features) if (f.kind !== "categorical") f.indicator = false;
  const outputNames: string[] = [];
  const outputSource: number[] = [];
  features.forEach((f, j) => {
    for (const name of native ? nativeColumnNames(f) : outputColumnNames(f)) {
      outputNames.push(name);
      outputSource.push(j);
    }
  });
  return native
    ? { scaling: "none", encoding, features, outputNames, outputSource }
    : { scaling, features, outputNames, outputSource };
}

/** Native encoding: one column per feature (datetime: one per calendar part). */
function nativeColumnNames(f: FeaturePlan): string[] {
  return f.kind === "datetime" ? f.parts.map((p) => `${f.name}.${p.part}`) : [f.name];
}

/** The design-matrix column names a feature expands to (in order). */
export function outputColumnNames(f: FeaturePlan): string[] {
  if (f.kind === "numeric") return f.indicator ? [f.name, `${f.name} (missing)`] : [f.name];
  if (f.kind === "datetime") {
    const parts = f.parts.map((p) => `${f.name}.${p.part}`);
    return f.indicator ? [...parts, `${f.name} (missing)`] : parts;
  }
  const names = f.levels.map((l) => `${f.name}=${l}`);
  return f.other ? [...names, `${f.name}=${OTHER_LEVEL}`] : names;
}

function fitFeature(col: Column, rows: Int32Array, scaling: Scaling): FeaturePlan {
  if ("codes" in col) return fitCategorical(col, rows);
  if (col.type === "datetime") return fitDatetime(col, rows, scaling);
  return fitNumeric(col, rows, scaling);
}

/** Native encoding reads numeric values as they are: nothing to learn (no median, no scaling). */
function nativeNumeric(col: NumericColumn): NumericPlan {
  return {
    kind: "numeric",
    name: col.name,
    type: col.type,
    median: 0,
    indicator: false,
    affine: { center: 0, scale: 1 },
  };
}

function fitNumeric(col: NumericColumn, rows: Int32Array, scaling: Scaling): NumericPlan {
  const sorted = sortedPresent(col.values, rows);
  const median = sorted.length > 0 ? quantileSorted(sorted, 0.5) : 0;
  const imputed = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = col.values[rows[i]];
    imputed[i] = Number.isNaN(v) ? median : v;
  }
  const missingFraction = 1 - sorted.length / Math.max(1, rows.length);
  return {
    kind: "numeric",
    name: col.name,
    type: col.type,
    median,
    indicator: missingFraction >= INDICATOR_MIN_MISSING,
    affine: fitAffine(imputed, scaling),
  };
}

function fitDatetime(col: NumericColumn, rows: Int32Array, scaling: Scaling): DatetimePlan {
  let hasTime = false;
  let present = 0;
  for (let i = 0; i < rows.length; i++) {
    const t = col.values[rows[i]];
    if (Number.isNaN(t)) continue;
    present++;
    if (t % 86_400_000 !== 0) hasTime = true;
  }
  const partNames: DatePart[] = ["year", "month", "day", "weekday", ...(hasTime ? (["hour"] as const) : [])];
  const parts = partNames.map((part) => {
    const values = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) values[i] = datePart(col.values[rows[i]], part);
    const sorted = sortedPresent(values);
    const median = sorted.length > 0 ? quantileSorted(sorted, 0.5) : 0;
    for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) values[i] = median;
    return { part, median, affine: fitAffine(values, scaling) };
  });
  const missingFraction = 1 - present / Math.max(1, rows.length);
  return {
    kind: "datetime",
    name: col.name,
    type: col.type,
    parts,
    indicator: missingFraction >= INDICATOR_MIN_MISSING,
  };
}

/** One calendar field of an epoch-milliseconds timestamp (UTC); NaN stays NaN. */
export function datePart(ms: number, part: DatePart): number {
  if (Number.isNaN(ms)) return Number.NaN;
  const d = new Date(ms);
  if (part === "year") return d.getUTCFullYear();
  if (part === "month") return d.getUTCMonth() + 1;
  if (part === "day") return d.getUTCDate();
  if (part === "weekday") return (d.getUTCDay() + 6) % 7;
  return d.getUTCHours() + d.getUTCMinutes() / 60;
}

function fitCategorical(col: CategoricalColumn, rows: Int32Array): CategoricalPlan {
  const counts = new Float64Array(col.levels.length);
  for (let i = 0; i < rows.length; i++) {
    const c = col.codes[rows[i]];
    if (c >= 0) counts[c]++;
  }
  const order = Array.from(counts.keys())
    .filter((k) => counts[k] > 0)
    .sort((a, b) => counts[b] - counts[a] || compareText(col.levels[a], col.levels[b]));
  const kept = order.filter((k, rank) => counts[k] >= MIN_LEVEL_COUNT && rank < MAX_LEVELS);
  // A level seen once is still kept if all levels are that rare: pooling everything would erase the column.
  const keptLevels = (kept.length > 0 ? kept : order.slice(0, MAX_LEVELS)).map((k) => col.levels[k]);
  keptLevels.sort(compareText);
  return {
    kind: "categorical",
    name: col.name,
    type: col.type,
    levels: keptLevels,
    mostFrequent: order.length > 0 ? col.levels[order[0]] : "",
    other: keptLevels.length < order.length,
  };
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fitAffine(values: Float64Array, scaling: Scaling): Affine {
  const n = values.length;
  if (scaling === "none" || n === 0) return { center: 0, scale: 1 };
  if (scaling === "standard") {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += values[i];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (values[i] - mean) * (values[i] - mean);
    const sd = Math.sqrt(ss / n);
    return { center: mean, scale: sd > 0 ? sd : 1 };
  }
  const sorted = values.slice().sort();
  if (scaling === "minmax") {
    const range = sorted[n - 1] - sorted[0];
    return { center: sorted[0], scale: range > 0 ? range : 1 };
  }
  const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
  return { center: quantileSorted(sorted, 0.5), scale: iqr > 0 ? iqr : 1 };
}
