/**
 * Sums, moments and ranks for the statistical tests. Sums are compensated (Neumaier) so that results agree
 * with SciPy's pairwise sums to the last few bits; variances are two-pass (centre first, then square).
 */
import { sumCompensated } from "../kernels/sum-compensated.js";

export const sum = (x: ArrayLike<number>): number => sumCompensated(x.length, x);

/** A running compensated sum, for sums of terms that are never stored. */
export class Neumaier {
  private total = 0;
  private carry = 0;

  add(v: number): void {
    const t = this.total + v;
    // Add the low-order bits lost by whichever operand was smaller.
    if (Math.abs(this.total) >= Math.abs(v)) this.carry += this.total - t + v;
    else this.carry += v - t + this.total;
    this.total = t;
  }

  value(): number {
    return this.total + this.carry;
  }
}

export const mean = (x: ArrayLike<number>): number => (x.length === 0 ? Number.NaN : sum(x) / x.length);

/** Σ (x − c)^power, compensated. */
export function centralSum(x: ArrayLike<number>, c: number, power: 1 | 2 | 3 | 4): number {
  const total = new Neumaier();
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - c;
    const d2 = d * d;
    total.add(power === 1 ? d : power === 2 ? d2 : power === 3 ? d2 * d : d2 * d2);
  }
  return total.value();
}

/** Variance with `ddof` delta degrees of freedom (1: the sample variance). */
export function variance(x: ArrayLike<number>, ddof = 1): number {
  const n = x.length;
  if (n - ddof <= 0) return Number.NaN;
  return centralSum(x, mean(x), 2) / (n - ddof);
}

export const std = (x: ArrayLike<number>, ddof = 1): number => Math.sqrt(variance(x, ddof));

export function isConstant(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}

/** The values that are not NaN, as a new array (a plain loop: filter() with a callback is several times slower). */
export function present(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) out[k++] = values[i];
  return out.slice(0, k);
}

/** Ascending copy. */
export const sorted = (x: ArrayLike<number>): Float64Array => Float64Array.from(x).sort();

/** The median of already sorted values. */
export function medianSorted(s: ArrayLike<number>): number {
  const n = s.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) / 2;
  return (s[Math.floor(h)] + s[Math.ceil(h)]) / 2;
}

export interface Ranks {
  /** 1-based ranks; tied values share the average of their ranks (SciPy's rankdata "average"). */
  ranks: Float64Array;
  /** The size of every group of tied values (groups of one included). */
  tieGroups: number[];
}

export function rankAverage(x: ArrayLike<number>): Ranks {
  const n = x.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const ranks = new Float64Array(n);
  const tieGroups: number[] = [];
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && x[order[end]] === x[order[start]]) end++;
    const average = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = average;
    tieGroups.push(end - start);
    start = end;
  }
  return { ranks, tieGroups };
}

/** Σ (t³ − t) over the groups of ties: the tie correction of rank tests. */
export function tieTerm(tieGroups: number[]): number {
  let s = 0;
  for (const t of tieGroups) s += t * t * t - t;
  return s;
}

/** Biased sample skewness g1 = m3 / m2^1.5 (NaN when the values do not vary), as scipy.stats.skew. */
export function skewness(x: ArrayLike<number>): number {
  const m = mean(x);
  const m2 = centralSum(x, m, 2) / x.length;
  const m3 = centralSum(x, m, 3) / x.length;
  return isFlat(m2, m) ? Number.NaN : m3 / m2 ** 1.5;
}

/** Pearson's (non-excess) kurtosis b2 = m4 / m2² (NaN when the values do not vary), as scipy.stats.kurtosis. */
export function kurtosisPearson(x: ArrayLike<number>): number {
  const m = mean(x);
  const m2 = centralSum(x, m, 2) / x.length;
  const m4 = centralSum(x, m, 4) / x.length;
  return isFlat(m2, m) ? Number.NaN : m4 / (m2 * m2);
}

/** SciPy's test for a second moment lost in rounding: m2 ≤ (1e-15 · mean)². */
function isFlat(m2: number, m: number): boolean {
  return m2 <= (1e-15 * m) ** 2;
}
