/**
 * Comparing several groups: the one-way ANOVA F test (scipy.stats.f_oneway) with η², Welch's ANOVA for
 * unequal variances (Welch 1951), Levene's test of equal variances in its Brown–Forsythe form
 * (scipy.stats.levene, centred on medians), and the Kruskal–Wallis H test on ranks (scipy.stats.kruskal) with ε².
 */
import {
  centralSum,
  isConstant,
  mean,
  medianSorted,
  rankAverage,
  sorted,
  sum,
  tieTerm,
  variance,
} from "./descriptive.js";
import { chiSquareUpper, fUpper } from "./distributions.js";

export interface FTestResult {
  f: number;
  df1: number;
  df2: number;
  pValue: number;
}

export interface AnovaResult extends FTestResult {
  /** η² = between-group sum of squares / total sum of squares. */
  etaSquared: number;
}

export function oneWayAnova(groups: ArrayLike<number>[]): AnovaResult {
  const all = concat(groups);
  const n = all.length;
  const k = groups.length;
  const grand = mean(all);
  const total = centralSum(all, grand, 2);
  const between = sum(groups.map((g) => g.length * (mean(g) - grand) ** 2));
  const within = sum(groups.map((g) => centralSum(g, mean(g), 2)));
  const df1 = k - 1;
  const df2 = n - k;
  const f = between / df1 / (within / df2);
  const result = { f, df1, df2, pValue: fUpper(f, df1, df2), etaSquared: between / total };
  // Constant groups, as SciPy reports them: F infinite (p 0), or undefined when all values are equal.
  if (isConstant(all)) return { ...result, f: Number.NaN, pValue: Number.NaN };
  if (groups.every(isConstant)) return { ...result, f: Number.POSITIVE_INFINITY, pValue: 0 };
  return result;
}

/** Welch's F test: group means weighted by n/s²; NaN when a group has no variance or fewer than 2 values. */
export function welchAnova(groups: ArrayLike<number>[]): FTestResult {
  const k = groups.length;
  const weights = groups.map((g) => g.length / variance(g));
  const totalWeight = sum(weights);
  const means = groups.map((g) => mean(g));
  const weightedMean = sum(weights.map((w, i) => w * means[i])) / totalWeight;
  const a = sum(weights.map((w, i) => w * (means[i] - weightedMean) ** 2)) / (k - 1);
  const lambda = sum(weights.map((w, i) => (1 - w / totalWeight) ** 2 / (groups[i].length - 1)));
  const b = 1 + ((2 * (k - 2)) / (k * k - 1)) * lambda;
  const f = a / b;
  const df1 = k - 1;
  const df2 = (k * k - 1) / (3 * lambda);
  return { f, df1, df2, pValue: fUpper(f, df1, df2) };
}

/** Levene's W: the ANOVA F of the absolute deviations from each group's median. */
export function levene(groups: ArrayLike<number>[]): FTestResult {
  const deviations = groups.map((g) => {
    const median = medianSorted(sorted(g));
    return Float64Array.from(g as ArrayLike<number>, (v) => Math.abs(v - median));
  });
  const { f, df1, df2, pValue } = oneWayAnova(deviations);
  return { f, df1, df2, pValue };
}

export interface KruskalResult {
  h: number;
  df: number;
  pValue: number;
  /** ε² = H / (n − 1): the share of rank variance explained by the groups. */
  epsilonSquared: number;
}

export function kruskalWallis(groups: ArrayLike<number>[]): KruskalResult {
  const all = concat(groups);
  const n = all.length;
  const { ranks, tieGroups } = rankAverage(all);
  const correction = 1 - tieTerm(tieGroups) / (n ** 3 - n);
  let between = 0;
  let start = 0;
  for (const g of groups) {
    between += sum(ranks.subarray(start, start + g.length)) ** 2 / g.length;
    start += g.length;
  }
  const df = groups.length - 1;
  // All values equal: H is undefined (SciPy refuses the input).
  if (correction === 0) return { h: Number.NaN, df, pValue: Number.NaN, epsilonSquared: Number.NaN };
  const h = ((12 / (n * (n + 1))) * between - 3 * (n + 1)) / correction;
  return { h, df, pValue: chiSquareUpper(h, df), epsilonSquared: h / (n - 1) };
}

function concat(groups: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(groups.reduce((s, g) => s + g.length, 0));
  let at = 0;
  for (const g of groups) {
    out.set(g as ArrayLike<number>, at);
    at += g.length;
  }
  return out;
}
