/**
 * Correlation with its p-value: Pearson's r (scipy.stats.pearsonr: the exact beta distribution of r under
 * independence of normal variables) and Spearman's ρ (scipy.stats.spearmanr: Pearson's r on the ranks, with
 * a t approximation for the p-value).
 */
import betainc from "@stdlib/math-base-special-betainc";
import { isConstant, mean, Neumaier, rankAverage } from "./descriptive.js";
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
  return spearmanOfRanks(rankAverage(x).ranks, rankAverage(y).ranks);
}

/** Spearman's ρ from the ranks themselves (a correlation matrix ranks each column once). */
export function spearmanOfRanks(rx: ArrayLike<number>, ry: ArrayLike<number>): CorrelationResult {
  const n = rx.length;
  if (n < 2 || isConstant(rx) || isConstant(ry)) return NOT_DEFINED(n);
  const r = clamp(productMoment(rx, ry));
  const df = n - 2;
  const t = r * Math.sqrt(Math.max(0, df / ((r + 1) * (1 - r))));
  return { r, pValue: studentTwoSided(t, df), n };
}

/** Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² Σ(y − ȳ)²), each sum compensated (Neumaier). */
function productMoment(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const mx = mean(x);
  const my = mean(y);
  const xy = new Neumaier();
  const xx = new Neumaier();
  const yy = new Neumaier();
  for (let i = 0; i < x.length; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    xy.add(dx * dy);
    xx.add(dx * dx);
    yy.add(dy * dy);
  }
  return xy.value() / Math.sqrt(xx.value() * yy.value());
}

const clamp = (r: number) => Math.max(-1, Math.min(1, r));
