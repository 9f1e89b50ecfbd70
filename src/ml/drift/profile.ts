/**
 * The training profile a model keeps of its features, for drift checks at prediction time: per feature the
 * missing rate, and either the training distribution of numbers (exact cumulative shares at up to 101
 * percentile points, min, median, max) or the category shares. An additive, optional field of the model
 * document: models trained before it have none, and get no drift check.
 */
import type { Column } from "../types.js";

export const PROFILE_VERSION = 1;
/** Categories kept per feature; beyond this, unseen categories cannot be told from rare ones. */
export const MAX_PROFILE_LEVELS = 1000;

export interface NumericProfile {
  name: string;
  kind: "numeric";
  /** Non-missing training values. */
  n: number;
  missingRate: number;
  min: number;
  median: number;
  max: number;
  /** Ascending distinct values at the percentiles, and the share of training values ≤ each. */
  cuts: number[];
  cdf: number[];
}

export interface CategoricalProfile {
  name: string;
  kind: "categorical";
  n: number;
  missingRate: number;
  /** Share of the non-missing values per category, most frequent first. */
  levels: Array<{ value: string; share: number }>;
  /** More categories than MAX_PROFILE_LEVELS existed: the rest are not listed. */
  truncated: boolean;
}

export type FeatureProfile = NumericProfile | CategoricalProfile;

export interface TrainingProfile {
  version: typeof PROFILE_VERSION;
  /** Training rows the profile describes. */
  rows: number;
  features: FeatureProfile[];
}

/** The profile of the feature columns over the training rows. */
export function buildTrainingProfile(columns: Column[], rows: ArrayLike<number>): TrainingProfile {
  // One scratch for every numeric column's sorted values: a fresh n-row array per column left p of them to
  // the GC while trainModel set up a fit, and raised its peak RSS (about 20 MB at 800k training rows × 20).
  const values = new Float64Array(rows.length);
  return {
    version: PROFILE_VERSION,
    rows: rows.length,
    features: columns.map((c) => profileOf(c, rows, values)),
  };
}

/** The feature's profile; numeric values are sorted in `values` (rows.length long, overwritten). */
function profileOf(col: Column, rows: ArrayLike<number>, values: Float64Array): FeatureProfile {
  if ("codes" in col || col.type === "boolean") return categoricalProfile(col, rows);
  let n = 0;
  for (let k = 0; k < rows.length; k++) {
    const v = col.values[rows[k]];
    if (!Number.isNaN(v)) values[n++] = v;
  }
  const sorted = values.subarray(0, n).sort();
  const missingRate = rows.length === 0 ? 0 : 1 - n / rows.length;
  if (n === 0)
    return { name: col.name, kind: "numeric", n, missingRate, min: 0, median: 0, max: 0, cuts: [], cdf: [] };
  const cuts: number[] = [];
  for (let p = 0; p <= 100; p++) {
    const v = sorted[Math.round((p / 100) * (n - 1))];
    if (cuts.length === 0 || v > cuts[cuts.length - 1]) cuts.push(v);
  }
  return {
    name: col.name,
    kind: "numeric",
    n,
    missingRate,
    min: sorted[0],
    median: sorted[Math.floor((n - 1) / 2)],
    max: sorted[n - 1],
    cuts,
    cdf: cuts.map((c) => countAtMost(sorted, c) / n),
  };
}

function categoricalProfile(col: Column, rows: ArrayLike<number>): CategoricalProfile {
  const counts = new Map<string, number>();
  let n = 0;
  for (let k = 0; k < rows.length; k++) {
    const value = categoryAt(col, rows[k]);
    if (value === undefined) continue;
    counts.set(value, (counts.get(value) ?? 0) + 1);
    n++;
  }
  const levels = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_PROFILE_LEVELS)
    .map(([value, count]) => ({ value, share: count / n }));
  return {
    name: col.name,
    kind: "categorical",
    n,
    missingRate: rows.length === 0 ? 0 : 1 - n / rows.length,
    levels,
    truncated: counts.size > MAX_PROFILE_LEVELS,
  };
}

/** A row's category as text (booleans as "true"/"false"), or undefined when missing. */
export function categoryAt(col: Column, row: number, asBoolean = col.type === "boolean"): string | undefined {
  if ("codes" in col) return col.codes[row] < 0 ? undefined : col.levels[col.codes[row]];
  const v = col.values[row];
  if (Number.isNaN(v)) return undefined;
  return asBoolean ? String(v === 1) : String(v);
}

/** How many of the ascending values are ≤ x (binary search). */
export function countAtMost(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A loaded document's profile, if it has a usable one (models trained before profiles have none). */
export function profileOfDocument(model: { trainingProfile?: unknown }): TrainingProfile | undefined {
  const p = model.trainingProfile as TrainingProfile | undefined;
  if (!p || p.version !== PROFILE_VERSION || !Array.isArray(p.features)) return undefined;
  return p;
}
