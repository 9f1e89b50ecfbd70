/**
 * The fitted preprocessing, as JSON: how each input feature becomes design-matrix columns. Fitted on the
 * training rows only and stored in the model document, so prediction repeats exactly what training did.
 */
import type { ColumnType, Scaling } from "../types.js";

/** Centre and scale of one output column: z = (x - center) / scale. */
export interface Affine {
  center: number;
  scale: number;
}

export type DatePart = "year" | "month" | "day" | "weekday" | "hour";

export interface NumericPlan {
  kind: "numeric";
  name: string;
  type: ColumnType;
  median: number;
  /** Adds a 0/1 "was missing" column when missingness was frequent enough in training to carry signal. */
  indicator: boolean;
  affine: Affine;
}

export interface DatetimePlan {
  kind: "datetime";
  name: string;
  type: ColumnType;
  parts: Array<{ part: DatePart; median: number; affine: Affine }>;
  indicator: boolean;
}

export interface CategoricalPlan {
  kind: "categorical";
  name: string;
  type: ColumnType;
  /** Levels with their own one-hot column, in column order. */
  levels: string[];
  /** The imputed value for a missing cell (the most frequent training level). */
  mostFrequent: string;
  /** True when rare training levels were pooled into an "other" column; unseen levels go there too. */
  other: boolean;
}

export type FeaturePlan = NumericPlan | DatetimePlan | CategoricalPlan;

export interface Preprocessing {
  scaling: Scaling;
  /**
   * "native" (histogram models): one column per numeric feature with NaN kept, one code column per
   * categorical feature, no scaling. Absent: imputed, scaled and one-hot encoded.
   */
  encoding?: "native";
  features: FeaturePlan[];
  /** Names of the design-matrix columns, in order. */
  outputNames: string[];
  /** For each design-matrix column, the index of the input feature it came from. */
  outputSource: number[];
}

export const OTHER_LEVEL = "<other>";
/** Missing fraction in training above which a missing-indicator column is added. */
export const INDICATOR_MIN_MISSING = 0.05;
/** A level seen fewer times than this in training is pooled into "other". */
export const MIN_LEVEL_COUNT = 2;
/** At most this many one-hot columns per feature; the rest are pooled into "other". */
export const MAX_LEVELS = 100;
