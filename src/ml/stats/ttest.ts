/**
 * t-tests: Welch's two-sample test (no equal-variance assumption; scipy.stats.ttest_ind(equal_var=False)) and
 * the paired test (scipy.stats.ttest_rel), two-sided, with the confidence interval of the mean difference
 * and Cohen's d.
 */
import { mean, variance } from "./descriptive.js";
import { studentQuantile, studentTwoSided } from "./distributions.js";

export interface TTestResult {
  t: number;
  /** Degrees of freedom (Welch–Satterthwaite for the two-sample test). */
  df: number;
  pValue: number;
  /** mean(x) − mean(y) (for the paired test: the mean of the differences). */
  difference: number;
  /** 95% (or `level`) confidence interval of the difference. */
  ci: [number, number];
  /** Cohen's d: pooled-SD d for two samples, d_z (mean / SD of the differences) for pairs. */
  cohensD: number;
}

export function welchTTest(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): TTestResult {
  const n1 = x.length;
  const n2 = y.length;
  const v1 = variance(x);
  const v2 = variance(y);
  const vn1 = v1 / n1;
  const vn2 = v2 / n2;
  const rawDf = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1));
  // Both variances zero: any df will do, as in SciPy (t is then ±∞ or undefined).
  const df = Number.isNaN(rawDf) ? 1 : rawDf;
  const se = Math.sqrt(vn1 + vn2);
  const difference = mean(x) - mean(y);
  const t = difference / se;
  const pooled = Math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2));
  return {
    t,
    df,
    pValue: studentTwoSided(t, df),
    difference,
    ci: interval(difference, se, df, level),
    cohensD: difference / pooled,
  };
}

/** Pairs are (x[i], y[i]); the caller drops incomplete pairs. */
export function pairedTTest(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): TTestResult {
  const n = x.length;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = x[i] - y[i];
  const difference = mean(d);
  const v = variance(d);
  const se = Math.sqrt(v / n);
  const t = difference / se;
  const df = n - 1;
  return {
    t,
    df,
    pValue: studentTwoSided(t, df),
    difference,
    ci: interval(difference, se, df, level),
    cohensD: difference / Math.sqrt(v),
  };
}

/** estimate ± t(1 − α/2, df) · se */
export function interval(estimate: number, se: number, df: number, level: number): [number, number] {
  const half = studentQuantile(1 - (1 - level) / 2, df) * se;
  return [estimate - half, estimate + half];
}
