/**
 * Every statistic and p-value of /stats against SciPy 1.10.1 (Debian's python3-scipy), from the reference file
 * written by bench/reference/stats_reference.py: statistics to 1e-9 relative, p-values to 1e-6 relative.
 * The cases include ties, n = 3, zero variance and a 2×2 table with a zero cell.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  chiSquareIndependence,
  dagostinoPearson,
  describeNumbers,
  kruskalWallis,
  levene,
  linearRegression,
  mannWhitneyU,
  oneWayAnova,
  pairedTTest,
  pearson,
  shapiroWilk,
  spearman,
  welchAnova,
  welchTTest,
} from "../../../src/ml/stats/index.js";

type Num = number | null | "inf" | "-inf";
// biome-ignore lint/suspicious/noExplicitAny: a case of the reference file, plain JSON read field by field
type Case = any;
const REF: Record<string, Case> = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../fixtures/stats/scipy_reference.json"), "utf8"),
);

const STATISTIC = 1e-9;
const P_VALUE = 1e-6;
/** p-values this small only come from a correlation of ±1 blurred by rounding. */
const NOISE_P = 1e-50;

const value = (v: Num): number =>
  v === null ? Number.NaN : v === "inf" ? Number.POSITIVE_INFINITY : v === "-inf" ? -Infinity : v;
const numbers = (a: Num[]) => Float64Array.from(a, value);

/** |actual − expected| ≤ rel·|expected|; NaN and infinities must match exactly. */
function expectClose(actual: number, expected: Num, rel: number, what: string) {
  const e = value(expected);
  if (!Number.isFinite(e)) {
    expect(actual, what).toBe(e);
    return;
  }
  const tolerance = rel * Math.abs(e) || 1e-15;
  expect(Math.abs(actual - e), `${what}: ${actual} vs SciPy ${e}`).toBeLessThanOrEqual(tolerance);
}

const names = (section: string): Array<[string, Case]> => REF[section].map((c: Case) => [c.name, c]);

describe("agreement with SciPy", () => {
  it("comes from SciPy 1.10", () => {
    expect(REF.scipy).toBe("1.10.1");
  });

  it.each([
    ...names("welch").map(([name, c]) => [`Welch: ${name}`, c, welchTTest] as const),
    ...names("paired").map(([name, c]) => [`paired: ${name}`, c, pairedTTest] as const),
  ])("t-test, %s", (_, c, test) => {
    const r = test(numbers(c.x), numbers(c.y));
    expectClose(r.t, c.t, STATISTIC, "t");
    expectClose(r.df, c.df, STATISTIC, "df");
    expectClose(r.pValue, c.p, P_VALUE, "p");
    expectClose(r.ci[0], c.ci[0], STATISTIC, "ci low");
    expectClose(r.ci[1], c.ci[1], STATISTIC, "ci high");
    expectClose(r.cohensD, c.cohensD, STATISTIC, "Cohen's d");
  });

  it.each(names("mannWhitney"))("Mann-Whitney U: %s", (_, c) => {
    const r = mannWhitneyU(numbers(c.x), numbers(c.y));
    expectClose(r.u, c.u, STATISTIC, "U");
    expectClose(r.pValue, c.p, P_VALUE, "p");
    expectClose(r.rankBiserial, c.rankBiserial, STATISTIC, "rank-biserial");
  });

  it.each(names("anova"))("one-way ANOVA, Welch's ANOVA and Levene: %s", (_, c) => {
    const groups = c.groups.map(numbers);
    const r = oneWayAnova(groups);
    expectClose(r.f, c.f, STATISTIC, "F");
    expectClose(r.pValue, c.p, P_VALUE, "p");
    expect([r.df1, r.df2]).toEqual([c.df1, c.df2]);
    expectClose(r.etaSquared, c.etaSquared, STATISTIC, "eta²");
    if (c.welch) {
      const w = welchAnova(groups);
      expectClose(w.f, c.welch.f, STATISTIC, "Welch F");
      expectClose(w.df2, c.welch.df2, STATISTIC, "Welch df2");
      expectClose(w.pValue, c.welch.p, P_VALUE, "Welch p");
      const l = levene(groups);
      expectClose(l.f, c.levene.w, STATISTIC, "Levene W");
      expectClose(l.pValue, c.levene.p, P_VALUE, "Levene p");
    }
  });

  it.each(names("kruskal"))("Kruskal-Wallis: %s", (_, c) => {
    const r = kruskalWallis(c.groups.map(numbers));
    expectClose(r.h, c.h, STATISTIC, "H");
    expectClose(r.pValue, c.p, P_VALUE, "p");
    expectClose(r.epsilonSquared, c.epsilonSquared, STATISTIC, "epsilon²");
  });

  it.each(names("chiSquare"))("chi-square independence and Cramér's V: %s", (_, c) => {
    const r = chiSquareIndependence(c.table);
    expectClose(r.chi2, c.chi2, STATISTIC, "chi²");
    expectClose(r.pValue, c.p, P_VALUE, "p");
    expect(r.df).toBe(c.df);
    expectClose(r.cramersV, c.cramersV, STATISTIC, "V");
    const expected = c.expected.flat();
    for (const [k, e] of r.expected.flat().entries()) expectClose(e, expected[k], STATISTIC, "expected");
  });

  it.each(names("shapiro"))("Shapiro-Wilk: %s", (_, c) => {
    const r = shapiroWilk(numbers(c.x));
    expectClose(r.w, c.w, STATISTIC, "W");
    expectClose(r.pValue, c.p, P_VALUE, "p");
  });

  it.each(names("dagostino"))("D'Agostino-Pearson: %s", (_, c) => {
    const r = dagostinoPearson(numbers(c.x));
    expectClose(r.k2, c.k2, STATISTIC, "K²");
    expectClose(r.pValue, c.p, P_VALUE, "p");
    expectClose(r.zSkewness, c.zSkewness, STATISTIC, "z skewness");
    expectClose(r.zKurtosis, c.zKurtosis, STATISTIC, "z kurtosis");
    expectClose(r.skewness, c.skewness, STATISTIC, "skewness");
    expectClose(r.excessKurtosis, c.excessKurtosis, STATISTIC, "excess kurtosis");
  });

  it.each(names("regression"))("linear regression: %s", (_, c) => {
    const r = linearRegression(numbers(c.x), numbers(c.y));
    for (const key of ["slope", "intercept", "r", "slopeStderr", "interceptStderr"] as const)
      expectClose(r[key], c[key], STATISTIC, key);
    expectClose(r.pValue, c.p, P_VALUE, "p");
    expectClose(r.slopeCi[0], c.slopeCi[0], STATISTIC, "slope ci low");
    expectClose(r.slopeCi[1], c.slopeCi[1], STATISTIC, "slope ci high");
    expectClose(r.interceptCi[0], c.interceptCi[0], STATISTIC, "intercept ci low");
    expectClose(r.interceptCi[1], c.interceptCi[1], STATISTIC, "intercept ci high");
  });

  it.each(names("correlation"))("Pearson and Spearman correlation: %s", (_, c) => {
    const p = pearson(numbers(c.x), numbers(c.y));
    const s = spearman(numbers(c.x), numbers(c.y));
    expectClose(p.r, c.pearson.r, STATISTIC, "Pearson r");
    expectClose(p.pValue, c.pearson.p, P_VALUE, "Pearson p");
    expectClose(s.r, c.spearman.r, STATISTIC, "Spearman rho");
    if (c.spearman.p !== null && c.spearman.p < NOISE_P) {
      // ρ is exactly 1 here; SciPy's corrcoef rounds it to 1 − 1e-16, so its p-value (≈ 1e-64) is rounding
      // noise where ours is 0: both must say "zero".
      expect(s.pValue).toBeLessThan(NOISE_P);
    } else expectClose(s.pValue, c.spearman.p, P_VALUE, "Spearman p");
  });

  it.each(names("describe"))("mean, standard deviation and quantiles: %s", (_, c) => {
    const d = describeNumbers(numbers(c.x));
    expectClose(d.mean, c.mean, STATISTIC, "mean");
    expectClose(d.std, c.std, STATISTIC, "std");
    const quantiles = [d.min, d.q1, d.median, d.q3, d.max];
    for (const [k, q] of quantiles.entries()) expectClose(q, c.quantiles[k], STATISTIC, `q${k}`);
  });
});
