/**
 * One test on a loaded table: picks the columns, drops incomplete rows, runs the test, checks its assumptions
 * and measures the effect — a JSON report the bot puts into words, in any language. Pure: the same function
 * can run in a sandboxed worker.
 */

import type { Frame } from "../types.js";
import { kruskalWallis, oneWayAnova, welchAnova } from "./anova.js";
import {
  type AssumptionCheck,
  constantSpread,
  type EffectName,
  equalVariances,
  expectedCounts,
  groupSize,
  type Magnitude,
  magnitude,
  normality,
  outliers,
  SHAPIRO_MAX,
} from "./assumptions.js";
import type { StatsTestId } from "./catalog.js";
import { chiSquareIndependence } from "./contingency.js";
import { DAGOSTINO_MIN_SIZE, dagostinoPearson } from "./dagostino.js";
import {
  isConstant,
  kurtosisPearson,
  mean,
  medianSorted,
  present,
  skewness,
  sorted,
  std,
} from "./descriptive.js";
import { completePairs, crossTable, type Groups, groupsOf, numbersOf, splitByGroup } from "./extract.js";
import { mannWhitneyU } from "./mann-whitney.js";
import { linearRegression } from "./regression.js";
import { shapiroWilk } from "./shapiro-wilk.js";
import { pairedTTest, welchTTest } from "./ttest.js";

export interface GroupStats {
  name: string;
  n: number;
  mean: number;
  sd: number;
  median: number;
}

export interface StatsReport {
  test: StatsTestId;
  /** The chosen columns, in the order of the test's roles. */
  columns: string[];
  /** Values (or pairs, or table cells' total) the test used. */
  n: number;
  /** Rows left out because a chosen column was missing there. */
  dropped: number;
  statisticName: "t" | "U" | "F" | "H" | "χ²" | "W" | "K²";
  statistic: number;
  df?: number[];
  pValue: number;
  effect?: { name: EffectName; value: number; magnitude: Magnitude };
  groups?: GroupStats[];
  /** t-tests: mean(first) − mean(second) (or of the differences) with its 95% confidence interval. */
  difference?: { value: number; ci: [number, number] };
  /** ANOVA: Welch's variant, for unequal variances. */
  welch?: { f: number; df: number[]; pValue: number };
  regression?: {
    slope: number;
    intercept: number;
    slopeCi: [number, number];
    interceptCi: [number, number];
    r: number;
  };
  /** Chi-square: the table (rows × columns) and whether Yates' correction was applied. */
  table?: { rows: string[]; columns: string[]; counts: number[][]; yates: boolean };
  /** Normality tests: the shape of the sample. */
  shape?: { skewness: number; excessKurtosis: number; mean: number; sd: number };
  method?: "exact" | "asymptotic";
  assumptions: AssumptionCheck[];
}

/** Why a test could not run on these columns; the bot says it in the user's language. */
export interface StatsProblem {
  key: "tooFewValues" | "noVariation" | "oneGroup";
  params: Record<string, string | number>;
}

export type StatsOutcome = { ok: true; report: StatsReport } | { ok: false; problem: StatsProblem };

export function runStatsTest(frame: Frame, test: StatsTestId, columns: string[]): StatsOutcome {
  try {
    return { ok: true, report: RUNNERS[test](frame, columns) };
  } catch (error) {
    if (error instanceof ProblemError) return { ok: false, problem: error.problem };
    throw error;
  }
}

class ProblemError extends Error {
  constructor(readonly problem: StatsProblem) {
    super(problem.key);
  }
}

const problem = (key: StatsProblem["key"], params: StatsProblem["params"] = {}): never => {
  throw new ProblemError({ key, params });
};

type Runner = (frame: Frame, columns: string[]) => StatsReport;

const RUNNERS: Record<StatsTestId, Runner> = {
  welch: (frame, [values, groups]) => {
    const g = groupedSamples(frame, values, groups, 2);
    const r = welchTTest(g.samples[0], g.samples[1]);
    return {
      ...g.base("welch", [values, groups]),
      statisticName: "t",
      statistic: r.t,
      df: [r.df],
      pValue: r.pValue,
      difference: { value: r.difference, ci: r.ci },
      effect: effect("cohensD", r.cohensD),
      assumptions: [normality("normalGroups", g.named, "mannWhitney")],
    };
  },
  mannWhitney: (frame, [values, groups]) => {
    const g = groupedSamples(frame, values, groups, 2);
    const r = mannWhitneyU(g.samples[0], g.samples[1]);
    return {
      ...g.base("mannWhitney", [values, groups]),
      statisticName: "U",
      statistic: r.u,
      pValue: r.pValue,
      method: r.method,
      effect: effect("rankBiserial", r.rankBiserial),
      assumptions: [],
    };
  },
  anova: (frame, [values, groups]) => {
    const g = groupedSamples(frame, values, groups, 2);
    const r = oneWayAnova(g.samples);
    const w = welchAnova(g.samples);
    return {
      ...g.base("anova", [values, groups]),
      statisticName: "F",
      statistic: r.f,
      df: [r.df1, r.df2],
      pValue: r.pValue,
      welch: { f: w.f, df: [w.df1, w.df2], pValue: w.pValue },
      effect: effect("etaSquared", r.etaSquared),
      assumptions: [normality("normalGroups", g.named, "kruskal"), equalVariances(g.samples, "welchAnova")],
    };
  },
  kruskal: (frame, [values, groups]) => {
    const g = groupedSamples(frame, values, groups, 2);
    const r = kruskalWallis(g.samples);
    if (Number.isNaN(r.h)) problem("noVariation", { column: values });
    return {
      ...g.base("kruskal", [values, groups]),
      statisticName: "H",
      statistic: r.h,
      df: [r.df],
      pValue: r.pValue,
      effect: effect("epsilonSquared", r.epsilonSquared),
      assumptions: [groupSize(g.samples)],
    };
  },
  paired: (frame, [before, after]) => {
    const p = completePairs(numbersOf(frame, before), numbersOf(frame, after));
    if (p.x.length < 3) problem("tooFewValues", { column: `${before}, ${after}`, n: p.x.length, min: 3 });
    const r = pairedTTest(p.x, p.y);
    const differences = p.x.map((v, i) => v - p.y[i]);
    if (Number.isNaN(r.t)) problem("noVariation", { column: `${before} − ${after}` });
    return {
      test: "paired",
      columns: [before, after],
      n: p.x.length,
      dropped: p.dropped,
      statisticName: "t",
      statistic: r.t,
      df: [r.df],
      pValue: r.pValue,
      groups: [groupStats(before, p.x), groupStats(after, p.y)],
      difference: { value: r.difference, ci: r.ci },
      effect: effect("cohensD", r.cohensD),
      assumptions: [
        normality(
          "normalDifferences",
          [{ name: `${before} − ${after}`, values: differences }],
          "wilcoxonSignedRank",
        ),
      ],
    };
  },
  chiSquare: (frame, [rowsColumn, colsColumn]) => {
    const a = groupsOf(frame, rowsColumn);
    const b = groupsOf(frame, colsColumn);
    const t = trimmedTable(a, b);
    if (t.rows.length < 2 || t.columns.length < 2)
      problem("oneGroup", { column: t.rows.length < 2 ? rowsColumn : colsColumn });
    const r = chiSquareIndependence(t.counts);
    const n = t.counts.flat().reduce((s, v) => s + v, 0);
    const is2x2 = t.rows.length === 2 && t.columns.length === 2;
    return {
      test: "chiSquare",
      columns: [rowsColumn, colsColumn],
      n,
      dropped: t.dropped,
      statisticName: "χ²",
      statistic: r.chi2,
      df: [r.df],
      pValue: r.pValue,
      table: { rows: t.rows, columns: t.columns, counts: t.counts, yates: r.yates },
      effect: {
        name: "cramersV",
        value: r.cramersV,
        magnitude: magnitude("cramersV", r.cramersV, Math.min(t.rows.length, t.columns.length) - 1),
      },
      assumptions: [expectedCounts(r.minExpected, r.shareExpectedBelow5, is2x2)],
    };
  },
  shapiro: (frame, [column]) => {
    const x = presentNumbers(frame, column, 3);
    const r = shapiroWilk(x.values);
    return {
      ...normalityBase("shapiro", column, x),
      statisticName: "W",
      statistic: r.w,
      pValue: r.pValue,
      assumptions: [
        x.values.length <= SHAPIRO_MAX
          ? { id: "sampleSize", ok: true, detail: { n: x.values.length, max: SHAPIRO_MAX } }
          : {
              id: "sampleSize",
              ok: false,
              detail: { n: x.values.length, max: SHAPIRO_MAX },
              instead: "dagostino",
            },
      ],
    };
  },
  dagostino: (frame, [column]) => {
    const x = presentNumbers(frame, column, DAGOSTINO_MIN_SIZE);
    const r = dagostinoPearson(x.values);
    if (Number.isNaN(r.k2)) problem("noVariation", { column });
    return {
      ...normalityBase("dagostino", column, x),
      statisticName: "K²",
      statistic: r.k2,
      df: [2],
      pValue: r.pValue,
      assumptions: [
        x.values.length >= 20
          ? { id: "sampleSize", ok: true, detail: { n: x.values.length, min: 20 } }
          : { id: "sampleSize", ok: false, detail: { n: x.values.length, min: 20 }, instead: "shapiro" },
      ],
    };
  },
  regression: (frame, [outcome, predictor]) => {
    const p = completePairs(numbersOf(frame, predictor), numbersOf(frame, outcome));
    if (p.x.length < 3)
      problem("tooFewValues", { column: `${predictor}, ${outcome}`, n: p.x.length, min: 3 });
    if (isConstant(p.x)) problem("noVariation", { column: predictor });
    const r = linearRegression(p.x, p.y);
    const fitted = p.x.map((v) => r.intercept + r.slope * v);
    const residuals = p.y.map((v, i) => v - fitted[i]);
    const residualSd = Math.sqrt(residuals.reduce((s, e) => s + e * e, 0) / r.df);
    return {
      test: "regression",
      columns: [outcome, predictor],
      n: p.x.length,
      dropped: p.dropped,
      statisticName: "t",
      statistic: r.slope / r.slopeStderr,
      df: [r.df],
      pValue: r.pValue,
      regression: {
        slope: r.slope,
        intercept: r.intercept,
        slopeCi: r.slopeCi,
        interceptCi: r.interceptCi,
        r: r.r,
      },
      effect: effect("rSquared", r.rSquared),
      assumptions: [
        normality("normalResiduals", [{ name: outcome, values: residuals }], "transform"),
        constantSpread(fitted, residuals),
        outliers(residuals, residualSd),
      ],
    };
  },
};

function effect(name: EffectName, value: number) {
  return { name, value, magnitude: magnitude(name, value) };
}

function groupStats(name: string, values: Float64Array): GroupStats {
  return {
    name,
    n: values.length,
    mean: mean(values),
    sd: std(values),
    median: medianSorted(sorted(values)),
  };
}

/** The values split by group; every group needs 2 values (3 for the normality check), and some variation. */
function groupedSamples(frame: Frame, valuesColumn: string, groupsColumn: string, minGroups: number) {
  const groups = groupsOf(frame, groupsColumn);
  const { samples: all, dropped } = splitByGroup(numbersOf(frame, valuesColumn), groups);
  const kept = all.map((s, k) => ({ name: groups.labels[k], values: s })).filter((g) => g.values.length > 0);
  if (kept.length < minGroups) problem("oneGroup", { column: groupsColumn });
  const small = kept.find((g) => g.values.length < 2);
  if (small)
    problem("tooFewValues", { column: `${groupsColumn} = ${small.name}`, n: small.values.length, min: 2 });
  const samples = kept.map((g) => g.values);
  if (samples.every((s) => isConstant(s))) problem("noVariation", { column: valuesColumn });
  return {
    samples,
    named: kept,
    base: (test: StatsTestId, columns: string[]) => ({
      test,
      columns,
      n: samples.reduce((s, g) => s + g.length, 0),
      dropped,
      groups: kept.map((g) => groupStats(g.name, g.values)),
    }),
  };
}

function presentNumbers(frame: Frame, column: string, min: number) {
  const all = numbersOf(frame, column);
  const values = present(all);
  if (values.length < min) problem("tooFewValues", { column, n: values.length, min });
  if (isConstant(values)) problem("noVariation", { column });
  return { values, dropped: all.length - values.length };
}

function normalityBase(test: StatsTestId, column: string, x: { values: Float64Array; dropped: number }) {
  const v = x.values;
  const shape = { skewness: skewness(v), excessKurtosis: kurtosisPearson(v) - 3, mean: mean(v), sd: std(v) };
  return { test, columns: [column], n: v.length, dropped: x.dropped, shape };
}

/** The cross table without empty rows and columns (a level seen only where the other column is missing). */
function trimmedTable(a: Groups, b: Groups) {
  const { counts, dropped } = crossTable(a, b);
  const rowKeep = counts.map((row) => row.some((v) => v > 0));
  const colKeep = b.labels.map((_, c) => counts.some((row) => row[c] > 0));
  return {
    rows: a.labels.filter((_, r) => rowKeep[r]),
    columns: b.labels.filter((_, c) => colKeep[c]),
    counts: counts.filter((_, r) => rowKeep[r]).map((row) => row.filter((_, c) => colKeep[c])),
    dropped,
  };
}
