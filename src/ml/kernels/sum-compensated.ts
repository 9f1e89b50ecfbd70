/**
 * Sum of a strided Float64Array with Kahan–Babuška–Neumaier compensation, so metrics over a million rows
 * keep full precision. Reference: Neumaier, "Rundungsfehleranalyse einiger Verfahren zur Summation
 * endlicher Summen", ZAMM 54 (1974), doi:10.1002/zamm.19740540106.
 *
 * @param n - number of elements
 * @param x - input
 * @param stride - step between elements
 * @param offset - index of the first element
 */
export function sumCompensated(n: number, x: ArrayLike<number>, stride = 1, offset = 0): number {
  let sum = 0;
  let c = 0;
  let ix = offset;
  if (n <= 0) return 0;
  for (let i = 0; i < n; i++) {
    const v = x[ix];
    const t = sum + v;
    // Neumaier: add the low-order bits lost by whichever operand was smaller.
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
    ix += stride;
  }
  return sum + c;
}

/** Compensated mean of a whole array (NaN for an empty one). */
export function meanCompensated(x: ArrayLike<number>): number {
  return x.length === 0 ? Number.NaN : sumCompensated(x.length, x) / x.length;
}
