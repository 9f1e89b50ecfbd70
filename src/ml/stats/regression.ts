/**
 * Simple linear regression y = intercept + slope·x by least squares (scipy.stats.linregress), with the
 * t-based confidence intervals of both coefficients.
 */
import { centralSum, mean, Neumaier } from "./descriptive.js";
import { studentTwoSided } from "./distributions.js";
import { interval } from "./ttest.js";

export interface RegressionResult {
  slope: number;
  intercept: number;
  r: number;
  rSquared: number;
  /** p-value of the test that the slope is 0 (the same as for Pearson's r). */
  pValue: number;
  slopeStderr: number;
  interceptStderr: number;
  slopeCi: [number, number];
  interceptCi: [number, number];
  df: number;
}

/** SciPy's guard against dividing by zero when r = ±1. */
const TINY = 1.0e-20;

/** Needs at least 3 points and some spread in x. */
export function linearRegression(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): RegressionResult {
  const n = x.length;
  const xMean = mean(x);
  const yMean = mean(y);
  const ssxm = centralSum(x, xMean, 2) / n;
  const ssym = centralSum(y, yMean, 2) / n;
  const xy = new Neumaier();
  for (let i = 0; i < n; i++) xy.add((x[i] - xMean) * (y[i] - yMean));
  const ssxym = xy.value() / n;
  const r = ssxm === 0 || ssym === 0 ? 0 : Math.max(-1, Math.min(1, ssxym / Math.sqrt(ssxm * ssym)));
  const slope = ssxym / ssxm;
  const intercept = yMean - slope * xMean;
  const df = n - 2;
  const t = r * Math.sqrt(df / ((1.0 - r + TINY) * (1.0 + r + TINY)));
  const slopeStderr = Math.sqrt(((1 - r ** 2) * ssym) / ssxm / df);
  const interceptStderr = slopeStderr * Math.sqrt(ssxm + xMean ** 2);
  return {
    slope,
    intercept,
    r,
    rSquared: r * r,
    pValue: studentTwoSided(t, df),
    slopeStderr,
    interceptStderr,
    slopeCi: interval(slope, slopeStderr, df, level),
    interceptCi: interval(intercept, interceptStderr, df, level),
    df,
  };
}
