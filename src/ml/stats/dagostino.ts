/**
 * D'Agostino and Pearson's omnibus normality test (scipy.stats.normaltest): K² = Z(skewness)² + Z(kurtosis)²,
 * with D'Agostino's transformation of the sample skewness (1970) and Anscombe and Glynn's of the kurtosis
 * (1983); K² is chi-square with 2 degrees of freedom under normality.
 */
import { kurtosisPearson, skewness } from "./descriptive.js";
import { chiSquareUpper, normalUpper } from "./distributions.js";

export interface DagostinoResult {
  k2: number;
  pValue: number;
  /** The z-scores of the two moments and the moments themselves (skewness g1, excess kurtosis b2 − 3). */
  zSkewness: number;
  zKurtosis: number;
  skewness: number;
  excessKurtosis: number;
}

/** At least 8 values (the skewness transformation needs them); SciPy warns below 20. */
export const DAGOSTINO_MIN_SIZE = 8;

export function dagostinoPearson(x: ArrayLike<number>): DagostinoResult {
  if (x.length < DAGOSTINO_MIN_SIZE)
    throw new RangeError(`The D'Agostino–Pearson test needs at least ${DAGOSTINO_MIN_SIZE} values.`);
  const g1 = skewness(x);
  const b2 = kurtosisPearson(x);
  const zSkewness = skewZ(g1, x.length);
  const zKurtosis = kurtosisZ(b2, x.length);
  const k2 = zSkewness * zSkewness + zKurtosis * zKurtosis;
  return { k2, pValue: chiSquareUpper(k2, 2), zSkewness, zKurtosis, skewness: g1, excessKurtosis: b2 - 3 };
}

/** Two-sided p-value of one of the z-scores. */
export const zPValue = (z: number): number => 2 * normalUpper(Math.abs(z));

function skewZ(g1: number, n: number): number {
  const raw = g1 * Math.sqrt(((n + 1) * (n + 3)) / (6.0 * (n - 2)));
  const beta2 =
    (3.0 * (n ** 2 + 27 * n - 70) * (n + 1) * (n + 3)) / ((n - 2.0) * (n + 5) * (n + 7) * (n + 9));
  const w2 = -1 + Math.sqrt(2 * (beta2 - 1));
  const delta = 1 / Math.sqrt(0.5 * Math.log(w2));
  const alpha = Math.sqrt(2.0 / (w2 - 1));
  const y = raw === 0 ? 1 : raw;
  return delta * Math.log(y / alpha + Math.sqrt((y / alpha) ** 2 + 1));
}

function kurtosisZ(b2: number, n: number): number {
  const expected = (3.0 * (n - 1)) / (n + 1);
  const varB2 = (24.0 * n * (n - 2) * (n - 3)) / ((n + 1) * (n + 1.0) * (n + 3) * (n + 5));
  const x = (b2 - expected) / Math.sqrt(varB2);
  const sqrtBeta1 =
    ((6.0 * (n * n - 5 * n + 2)) / ((n + 7) * (n + 9))) *
    Math.sqrt((6.0 * (n + 3) * (n + 5)) / (n * (n - 2) * (n - 3)));
  const a = 6.0 + (8.0 / sqrtBeta1) * (2.0 / sqrtBeta1 + Math.sqrt(1 + 4.0 / sqrtBeta1 ** 2));
  const term1 = 1 - 2 / (9.0 * a);
  const denom = 1 + x * Math.sqrt(2 / (a - 4.0));
  const term2 = denom === 0 ? Number.NaN : Math.sign(denom) * ((1 - 2.0 / a) / Math.abs(denom)) ** (1 / 3.0);
  return (term1 - term2) / Math.sqrt(2 / (9.0 * a));
}
