/**
 * Tail probabilities and quantiles of the distributions the tests need, from stdlib-js's special functions
 * (ports of Boost and Cephes): the upper tails are computed directly from the incomplete beta and gamma
 * functions, never as 1 − cdf, so tiny p-values keep their relative precision — as SciPy's stdtr, fdtrc,
 * chdtrc and ndtr do.
 */
import betainc from "@stdlib/math-base-special-betainc";
import erfc from "@stdlib/math-base-special-erfc";
import gammainc from "@stdlib/math-base-special-gammainc";
import tPdf from "@stdlib/stats-base-dists-t-pdf";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom (df may be fractional, as in Welch's test). */
export function studentTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return betainc(df / (df + t * t), df / 2, 0.5, true, false);
}

/** P(F ≥ f) for the F distribution with (df1, df2) degrees of freedom. */
export function fUpper(f: number, df1: number, df2: number): number {
  if (Number.isNaN(f)) return Number.NaN;
  if (f === Number.POSITIVE_INFINITY) return 0;
  if (f <= 0) return 1;
  return betainc(df2 / (df2 + df1 * f), df2 / 2, df1 / 2, true, false);
}

/** P(X ≥ x) for the chi-square distribution with `df` degrees of freedom. */
export function chiSquareUpper(x: number, df: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

/** P(Z ≥ z) for the standard normal distribution. */
export function normalUpper(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * The p quantile (p > 0.5) of Student's t with `df` degrees of freedom, for confidence intervals. stdlib's
 * inverse incomplete beta is good to about 1e-9 for fractional df; two Newton steps on the exact tail area
 * bring the quantile to full precision (as SciPy's stdtrit).
 */
export function studentQuantile(p: number, df: number): number {
  let t = tQuantile(p, df);
  for (let step = 0; step < 2 && Number.isFinite(t); step++) {
    t += (studentTwoSided(t, df) / 2 - (1 - p)) / tPdf(t, df);
  }
  return t;
}
