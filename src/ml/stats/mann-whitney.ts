/**
 * The Mann–Whitney U test, two-sided, as scipy.stats.mannwhitneyu (method "auto"): the exact null
 * distribution when both samples have at most 8 values and there are no ties, otherwise the normal
 * approximation with the tie and continuity corrections.
 */
import { rankAverage, sum, tieTerm } from "./descriptive.js";
import { normalUpper } from "./distributions.js";

export interface MannWhitneyResult {
  /** U of the first sample: how many (x, y) pairs have x > y, ties counting one half. */
  u: number;
  pValue: number;
  method: "exact" | "asymptotic";
  /** Rank-biserial correlation 2U/(n1·n2) − 1: +1 when every x exceeds every y, −1 the reverse. */
  rankBiserial: number;
}

const EXACT_MAX_SIZE = 8;

export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  const all = Float64Array.from({ length: n1 + n2 }, (_, i) => (i < n1 ? x[i] : y[i - n1]));
  const { ranks, tieGroups } = rankAverage(all);
  const u1 = sum(ranks.subarray(0, n1)) - (n1 * (n1 + 1)) / 2;
  const u = Math.max(u1, n1 * n2 - u1);
  const ties = tieGroups.some((t) => t > 1);
  const exact = (n1 <= EXACT_MAX_SIZE || n2 <= EXACT_MAX_SIZE) && !ties;
  const oneSided = exact ? exactUpper(Math.trunc(u), n1, n2) : asymptoticUpper(u, n1, n2, tieTerm(tieGroups));
  return {
    u: u1,
    pValue: Math.min(1, Math.max(0, 2 * oneSided)),
    method: exact ? "exact" : "asymptotic",
    rankBiserial: (2 * u1) / (n1 * n2) - 1,
  };
}

function asymptoticUpper(u: number, n1: number, n2: number, ties: number): number {
  const n = n1 + n2;
  const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
  return normalUpper((u - (n1 * n2) / 2 - 0.5) / s);
}

/** P(U ≥ u) under the null: the number of arrangements giving each U, by the recurrence of Mann and Whitney. */
function exactUpper(u: number, n1: number, n2: number): number {
  const counts = arrangements(n1, n2);
  let total = 0;
  for (const c of counts) total += c;
  // By symmetry P(U ≥ u) = P(U ≤ n1·n2 − u): sum the pmf from the left, in SciPy's order.
  let p = 0;
  for (let k = 0; k <= n1 * n2 - u; k++) p += counts[k] / total;
  return p;
}

/** counts[k]: orderings of n1 x's and n2 y's with exactly k (x, y) pairs where x > y. */
function arrangements(n1: number, n2: number): Float64Array {
  // f(m, n, k) = f(m − 1, n, k − n) + f(m, n − 1, k), built up over m for every n.
  let prev: Float64Array[] = Array.from({ length: n2 + 1 }, () => Float64Array.of(1));
  for (let m = 1; m <= n1; m++) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let n = 1; n <= n2; n++) {
      const row = new Float64Array(m * n + 1);
      const left = next[n - 1];
      const up = prev[n];
      for (let k = 0; k <= m * n; k++)
        row[k] = (k < left.length ? left[k] : 0) + (k - n >= 0 ? up[k - n] : 0);
      next.push(row);
    }
    prev = next;
  }
  return prev[n2];
}
