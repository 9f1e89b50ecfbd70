/**
 * The checks behind each test's verdict, and conventional labels for effect sizes. Each check says whether it
 * holds, the numbers behind that, and what to use instead when it does not.
 */
import { levene } from "./anova.js";
import { spearman } from "./correlation.js";
import { shapiroWilk } from "./shapiro-wilk.js";

export type AssumptionId =
  | "normalGroups"
  | "normalDifferences"
  | "equalVariances"
  | "groupSize"
  | "expectedCounts"
  | "sampleSize"
  | "normalResiduals"
  | "constantSpread"
  | "outliers";

/** A test or remedy to use when a check fails. */
export type Remedy =
  | "mannWhitney"
  | "welchAnova"
  | "kruskal"
  | "wilcoxonSignedRank"
  | "fisherExact"
  | "mergeCategories"
  | "dagostino"
  | "shapiro"
  | "spearman"
  | "transform"
  | "welch";

export interface AssumptionCheck {
  id: AssumptionId;
  ok: boolean;
  /** The numbers behind the verdict (p-values, sizes, names). */
  detail: Record<string, number | string>;
  /** What to use instead when the check fails. */
  instead?: Remedy;
}

/** Below this p-value a check counts as failed. */
export const CHECK_ALPHA = 0.05;
/** From this many values per group the t and F tests are robust to non-normal data (central limit theorem). */
export const LARGE_SAMPLE = 30;
/** Shapiro–Wilk's p-value is accurate up to this many values (Royston). */
export const SHAPIRO_MAX = 5000;

/**
 * Whether each sample looks normal, by Shapiro–Wilk; samples of LARGE_SAMPLE or more pass on size. Fails on
 * the first sample that does not look normal (its name and p-value in the detail).
 */
export function normality(
  id: "normalGroups" | "normalDifferences" | "normalResiduals",
  samples: Array<{ name: string; values: Float64Array }>,
  instead: Remedy,
): AssumptionCheck {
  for (const { name, values } of samples) {
    if (values.length >= LARGE_SAMPLE) continue;
    if (values.length < 3) return { id, ok: false, detail: { group: name, n: values.length }, instead };
    const { pValue } = shapiroWilk(values);
    if (pValue < CHECK_ALPHA) return { id, ok: false, detail: { group: name, p: pValue }, instead };
  }
  const smallest = Math.min(...samples.map((s) => s.values.length));
  return { id, ok: true, detail: { n: smallest, large: smallest >= LARGE_SAMPLE ? 1 : 0 } };
}

export function equalVariances(samples: Float64Array[], instead: Remedy): AssumptionCheck {
  const { f, pValue } = levene(samples);
  const ok = !(pValue < CHECK_ALPHA);
  return { id: "equalVariances", ok, detail: { w: f, p: pValue }, ...(ok ? {} : { instead }) };
}

/** Kruskal–Wallis' chi-square approximation wants at least 5 values per group. */
export function groupSize(samples: Float64Array[], min = 5): AssumptionCheck {
  const smallest = Math.min(...samples.map((s) => s.length));
  return { id: "groupSize", ok: smallest >= min, detail: { n: smallest, min } };
}

/** Cochran's rule: no expected count below 1, and at most 20% of them below 5. */
export function expectedCounts(minExpected: number, shareBelow5: number, is2x2: boolean): AssumptionCheck {
  const ok = minExpected >= 1 && shareBelow5 <= 0.2;
  const detail = { min: minExpected, share: shareBelow5 };
  return ok
    ? { id: "expectedCounts", ok, detail }
    : { id: "expectedCounts", ok, detail, instead: is2x2 ? "fisherExact" : "mergeCategories" };
}

/** Whether the spread of the residuals changes with the fitted value (Spearman of |residual| vs fitted). */
export function constantSpread(fitted: Float64Array, residuals: Float64Array): AssumptionCheck {
  const { r, pValue } = spearman(
    fitted,
    residuals.map((e) => Math.abs(e)),
  );
  const ok = !(pValue < CHECK_ALPHA);
  return { id: "constantSpread", ok, detail: { rho: r, p: pValue }, ...(ok ? {} : { instead: "transform" }) };
}

/** Points more than 3 residual standard deviations from the line. */
export function outliers(residuals: Float64Array, residualSd: number): AssumptionCheck {
  let count = 0;
  for (const e of residuals) if (Math.abs(e) > 3 * residualSd) count++;
  return count === 0
    ? { id: "outliers", ok: true, detail: { count } }
    : { id: "outliers", ok: false, detail: { count }, instead: "spearman" };
}

export type Magnitude = "negligible" | "small" | "medium" | "large";

/** Cohen's conventional thresholds (Cohen 1988) for each effect size. */
const THRESHOLDS = {
  cohensD: [0.2, 0.5, 0.8],
  rankBiserial: [0.1, 0.3, 0.5],
  etaSquared: [0.01, 0.06, 0.14],
  epsilonSquared: [0.01, 0.06, 0.14],
  rSquared: [0.02, 0.13, 0.26],
  correlation: [0.1, 0.3, 0.5],
} as const;

export type EffectName = keyof typeof THRESHOLDS | "cramersV";

export function magnitude(name: EffectName, value: number, cramerDf = 1): Magnitude {
  // Cramér's V: Cohen's w thresholds divided by √df*, with df* = min(rows, columns) − 1.
  const limits = name === "cramersV" ? [0.1, 0.3, 0.5].map((w) => w / Math.sqrt(cramerDf)) : THRESHOLDS[name];
  const v = Math.abs(value);
  if (!(v >= limits[0])) return "negligible";
  if (v < limits[1]) return "small";
  return v < limits[2] ? "medium" : "large";
}
