/**
 * Correlation with its p-value: Pearson's r (scipy.stats.pearsonr: the exact beta distribution of r under
 * independence of normal variables) and Spearman's ρ (scipy.stats.spearmanr: Pearson's r on the ranks, with
 * a t approximation for the p-value).
 */
import betainc from "@stdlib/math-base-special-betainc";
import { isConstant, mean, rankAverage, sum } from "./descriptive.js";
import { studentTwoSided } from "./distributions.js";

export interface CorrelationResult {
  r: number;
  pValue: number;
  n: number;
}

const NOT_DEFINED = (n: number): CorrelationResult => ({ r: Number.NaN, pValue: Number.NaN, n });

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): CorrelationResult {
  const n = x.length;
  if (n < 2 || isConstant(x) || isConstant(y)) return NOT_DEFINED(n);
  if (n === 2) return { r: Math.sign(x[1] - x[0]) * Math.sign(y[1] - y[0]), pValue: 1, n };
  const r = clamp(productMoment(x, y));
  const ab = n / 2 - 1;
  return { r, pValue: 2 * betainc((1 - Math.abs(r)) / 2, ab, ab, true, false), n };
}

export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): CorrelationResult {
  const n = x.length;
  if (n < 2 || isConstant(x) || isConstant(y)) return NOT_DEFINED(n);
  const r = clamp(productMoment(rankAverage(x).ranks, rankAverage(y).ranks));
  const df = n - 2;
  const t = r * Math.sqrt(Math.max(0, df / ((r + 1) * (1 - r))));
  return { r, pValue: studentTwoSided(t, df), n };
}

/** Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² Σ(y − ȳ)²) */
function productMoment(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const mx = mean(x);
  const my = mean(y);
  const n = x.length;
  const xy = new Float64Array(n);
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    xy[i] = dx * dy;
    xx[i] = dx * dx;
    yy[i] = dy * dy;
  }
  return sum(xy) / Math.sqrt(sum(xx) * sum(yy));
}

const clamp = (r: number) => Math.max(-1, Math.min(1, r));
