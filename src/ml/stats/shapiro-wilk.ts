/**
 * The Shapiro–Wilk W test by Royston's algorithm AS R94 (Applied Statistics 44(4), 1995): coefficients from
 * normal scores with Royston's polynomial corrections, W as the squared correlation of the ordered data with
 * them, and the p-value from Royston's normalising transformations of W (exact for n = 3).
 *
 * AS R94 is a single-precision algorithm, and SciPy runs it as published (REAL arithmetic, data cast to
 * float32). To give SciPy's W and p-value to the last bit, every operation here is rounded to float32 with
 * Math.fround, in the published order; only the normal tail area (ALNORM, AS 66) is double precision, as in
 * the original.
 */

const f = Math.fround;

// Royston's polynomial coefficients (AS R94, DATA statements), as float32 constants.
const C1 = [0.0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056].map(f);
const C2 = [0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633].map(f);
const C3 = [0.544, -0.39978, 0.025054, -6.714e-4].map(f);
const C4 = [1.3822, -0.77857, 0.062767, -2.0322e-3].map(f);
const C5 = [-1.5861, -0.31082, -0.083751, 3.8915e-3].map(f);
const C6 = [-0.4803, -0.082676, 3.0302e-3].map(f);
const G = [-2.273, 0.459].map(f);
// biome-ignore lint/suspicious/noApproximativeNumericConstant: AS R94's own five-digit constant (not √½)
const SQRTH = f(0.70711);
const SMALL = f(1e-19);
const PI6 = f(1.909859);
const STQR = f(1.047198);
const TH = f(0.375);
const QTR = f(0.25);

export interface ShapiroWilkResult {
  w: number;
  pValue: number;
}

/** Needs at least 3 values; W = 1, p = 1 when they do not vary (SciPy's answer, with a warning there). */
export function shapiroWilk(values: ArrayLike<number>): ShapiroWilkResult {
  const n = values.length;
  if (n < 3) throw new RangeError("The Shapiro–Wilk test needs at least 3 values.");
  // As scipy.stats.shapiro: centre on the median (double precision), sort, then hand float32 to AS R94.
  const centred = Float64Array.from(values);
  const median = medianOf(centred.slice().sort());
  for (let i = 0; i < n; i++) centred[i] -= median;
  const x = Float32Array.from(centred.sort());
  const a = coefficients(n);
  const range = f(x[n - 1] - x[0]);
  if (range < SMALL) return { w: 1, pValue: 1 };
  const w1 = oneMinusW(x, a, range);
  const w = f(1 - w1);
  return { w, pValue: significance(w, w1, n) };
}

/** The coefficients a(1..n/2) (stored 0-based). */
function coefficients(n: number): Float32Array {
  const half = Math.floor(n / 2);
  const a = new Float32Array(half);
  if (n === 3) {
    a[0] = SQRTH;
    return a;
  }
  const an = f(n);
  const an25 = f(an + QTR);
  let summ2 = f(0);
  for (let i = 1; i <= half; i++) {
    a[i - 1] = normalDeviate(f(f(f(i) - TH) / an25));
    summ2 = f(summ2 + f(a[i - 1] * a[i - 1]));
  }
  summ2 = f(summ2 * 2);
  const ssumm2 = f(Math.sqrt(summ2));
  const rsn = f(1 / f(Math.sqrt(an)));
  const a1 = f(poly(C1, rsn) - f(a[0] / ssumm2));
  let first: number;
  let fac: number;
  if (n > 5) {
    first = 3;
    const a2 = f(f(-a[1] / ssumm2) + poly(C2, rsn));
    const num = f(f(summ2 - f(2 * f(a[0] * a[0]))) - f(2 * f(a[1] * a[1])));
    const den = f(f(1 - f(2 * f(a1 * a1))) - f(2 * f(a2 * a2)));
    fac = f(Math.sqrt(f(num / den)));
    a[0] = a1;
    a[1] = a2;
  } else {
    first = 2;
    fac = f(Math.sqrt(f(f(summ2 - f(2 * f(a[0] * a[0]))) / f(1 - f(2 * f(a1 * a1))))));
    a[0] = a1;
  }
  for (let i = first; i <= half; i++) a[i - 1] = f(-a[i - 1] / fac);
  return a;
}

/** 1 − W, computed as (√(SSA·SSX) − SAX)(√(SSA·SSX) + SAX)/(SSA·SSX) to keep precision near W = 1. */
function oneMinusW(x: Float32Array, a: Float32Array, range: number): number {
  const n = x.length;
  // The coefficient of the i-th order statistic (1-based): −a(i) in the lower half, +a(n+1−i) in the upper.
  const coef = (i: number, j: number) => (i - j > 0 ? a[Math.min(i, j) - 1] : -a[Math.min(i, j) - 1]);
  let sx = f(x[0] / range);
  let sa = f(-a[0]);
  for (let i = 2, j = n - 1; i <= n; i++, j--) {
    sx = f(sx + f(x[i - 1] / range));
    if (i !== j) sa = f(sa + coef(i, j));
  }
  sa = f(sa / n);
  sx = f(sx / n);
  let ssa = f(0);
  let ssx = f(0);
  let sax = f(0);
  for (let i = 1, j = n; i <= n; i++, j--) {
    const asa = i !== j ? f(coef(i, j) - sa) : f(-sa);
    const xsx = f(f(x[i - 1] / range) - sx);
    ssa = f(ssa + f(asa * asa));
    ssx = f(ssx + f(xsx * xsx));
    sax = f(sax + f(asa * xsx));
  }
  const ssassx = f(Math.sqrt(f(ssa * ssx)));
  return f(f(f(ssassx - sax) * f(ssassx + sax)) / f(ssa * ssx));
}

/** Royston's p-value for W: exact for n = 3, else a normal tail after a log transformation. */
function significance(w: number, w1: number, n: number): number {
  if (n === 3) return f(PI6 * f(f(Math.asin(f(Math.sqrt(w)))) - STQR));
  let y = f(Math.log(w1));
  const xx = f(Math.log(f(n)));
  let m: number;
  let s: number;
  if (n <= 11) {
    const gamma = poly(G, f(n));
    if (y >= gamma) return SMALL;
    y = f(-f(Math.log(f(gamma - y))));
    m = poly(C3, f(n));
    s = f(Math.exp(poly(C4, f(n))));
  } else {
    m = poly(C5, xx);
    s = f(Math.exp(poly(C6, xx)));
  }
  return f(upperTail(f(f(y - m) / s)));
}

/** AS 181.2: c[0] + c[1]·x + … evaluated as the published routine does (float32). */
function poly(c: number[], x: number): number {
  let result = c[0];
  if (c.length === 1) return result;
  let p = f(x * c[c.length - 1]);
  for (let j = c.length - 2; j >= 1; j--) p = f(f(p + c[j]) * x);
  result = f(result + p);
  return result;
}

// AS 111 (PPND): the normal deviate for a lower tail area p, float32 version.
const PA = [2.50662823884, -18.61500062529, 41.39119773534, -25.44106049637].map(f);
const PB = [-8.4735109309, 23.08336743743, -21.06224101826, 3.13082909833].map(f);
const PC = [-2.78718931138, -2.29796479134, 4.85014127135, 2.32121276858].map(f);
const PD = [3.54388924762, 1.63706781897].map(f);
const SPLIT = f(0.42);

function normalDeviate(p: number): number {
  const q = f(p - 0.5);
  if (Math.abs(q) <= SPLIT) {
    const r = f(q * q);
    const num = f(f(f(f(f(f(PA[3] * r) + PA[2]) * r) + PA[1]) * r) + PA[0]);
    const den = f(f(f(f(f(f(f(f(PB[3] * r) + PB[2]) * r) + PB[1]) * r) + PB[0]) * r) + 1);
    return f(f(q * num) / den);
  }
  let r = q > 0 ? f(1 - p) : p;
  r = f(Math.sqrt(f(-f(Math.log(r)))));
  const num = f(f(f(f(f(f(PC[3] * r) + PC[2]) * r) + PC[1]) * r) + PC[0]);
  const den = f(f(f(f(PD[1] * r) + PD[0]) * r) + 1);
  const value = f(num / den);
  return q < 0 ? -value : value;
}

/** AS 66 (ALNORM), double precision: the upper tail area of the standard normal from z. */
function upperTail(z: number): number {
  let up = true;
  if (z < 0) {
    up = false;
    z = -z;
  }
  let area: number;
  if (z > 7 && !(up && z <= 38)) area = 0;
  else {
    const y = 0.5 * z * z;
    if (z <= 1.28) {
      area =
        0.5 -
        z *
          (0.398942280444 -
            (0.399903438504 * y) /
              (y +
                5.75885480458 -
                29.8213557808 / (y + 2.62433121679 + 48.6959930692 / (y + 5.92885724438))));
    } else {
      area =
        (0.398942280385 * Math.exp(-y)) /
        (z -
          3.8052e-8 +
          1.00000615302 /
            (z +
              3.98064794e-4 +
              1.98615381364 /
                (z -
                  0.151679116635 +
                  5.29330324926 /
                    (z +
                      4.8385912808 -
                      15.1508972451 / (z + 0.742380924027 + 30.789933034 / (z + 3.99019417011))))));
    }
  }
  return up ? area : 1 - area;
}

function medianOf(sorted: Float64Array): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}
