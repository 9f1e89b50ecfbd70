/**
 * Limited-memory BFGS for smooth convex objectives, with a line search for the strong Wolfe conditions
 * (sufficient decrease c1 = 1e-4, curvature c2 = 0.9, as scipy's L-BFGS-B, which scikit-learn's lbfgs solver
 * uses): the accepted step keeps the curvature pairs informative, so the unit step is taken almost every
 * iteration and each iteration costs about one evaluation. Stops when the largest gradient component is at
 * most `gtol` or the relative decrease of f falls below `ftol` (scipy's tests). References: Nocedal & Wright,
 * "Numerical Optimization", 2nd ed., Algorithm 7.4 (two-loop recursion), Algorithms 3.5–3.6 (line search
 * and zoom) with the cubic interpolation of (3.59).
 */

/** Writes the gradient at w into grad and returns f(w). */
export type Objective = (w: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIter: number;
  gtol: number;
  ftol?: number;
  memory?: number;
}

export interface LbfgsResult {
  w: Float64Array;
  iterations: number;
  /** Objective evaluations, line-search trials included. */
  evaluations: number;
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_LINE_SEARCH = 40;

export function minimizeLbfgs(f: Objective, w0: Float64Array, opts: LbfgsOptions): LbfgsResult {
  const n = w0.length;
  const m = opts.memory ?? 10;
  const ftol = opts.ftol ?? 2.220446049250313e-9;
  const w = w0.slice();
  const g = new Float64Array(n);
  const d = new Float64Array(n);
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  const search = new LineSearch(f, n);
  let stored = 0;
  let head = 0;
  let fx = f(w, g);
  let iter = 0;
  for (; iter < opts.maxIter; iter++) {
    if (maxAbs(g) <= opts.gtol) break;
    twoLoop(g, d, S, Y, rho, alpha, stored, head, m);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (curvature pairs went stale): restart from steepest descent.
      for (let i = 0; i < n; i++) d[i] = -g[i];
      stored = 0;
      slope = dot(g, d);
    }
    // Without curvature pairs the direction is −g, of arbitrary length: start at a unit-length step.
    const first = stored === 0 ? Math.min(1, 1 / Math.sqrt(dot(d, d))) : 1;
    const fNew = search.run(w, fx, d, slope, first);
    if (fNew === undefined) break; // no decrease along d: at the optimum up to rounding
    const { wNew, gNew } = search;
    const s = S[head];
    const y = Y[head];
    for (let i = 0; i < n; i++) {
      s[i] = wNew[i] - w[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      rho[head] = 1 / sy;
      head = (head + 1) % m;
      stored = Math.min(stored + 1, m);
    }
    const decrease = (fx - fNew) / Math.max(Math.abs(fx), Math.abs(fNew), 1);
    w.set(wNew);
    g.set(gNew);
    fx = fNew;
    if (decrease <= ftol) {
      iter++;
      break;
    }
  }
  return { w, iterations: iter, evaluations: search.evaluations + 1 };
}

/** Strong Wolfe line search along d from w; the accepted point and its gradient are left in wNew, gNew. */
class LineSearch {
  readonly wNew: Float64Array;
  readonly gNew: Float64Array;
  evaluations = 0;
  private w: Float64Array = new Float64Array(0);
  private d: Float64Array = new Float64Array(0);

  constructor(
    private readonly f: Objective,
    n: number,
  ) {
    this.wNew = new Float64Array(n);
    this.gNew = new Float64Array(n);
  }

  /** Returns f at the accepted step, or undefined when no step decreases f. */
  run(w: Float64Array, f0: number, d: Float64Array, slope0: number, first: number): number | undefined {
    this.w = w;
    this.d = d;
    let aPrev = 0;
    let fPrev = f0;
    let sPrev = slope0;
    let a = first;
    for (let tries = 0; tries < MAX_LINE_SEARCH; tries++) {
      const fa = this.at(a);
      const sa = dot(this.gNew, d);
      if (!Number.isFinite(fa) || fa > f0 + C1 * a * slope0 || (tries > 0 && fa >= fPrev)) {
        return this.zoom(f0, slope0, aPrev, fPrev, sPrev, a, fa, sa);
      }
      if (Math.abs(sa) <= -C2 * slope0) return fa;
      if (sa >= 0) return this.zoom(f0, slope0, a, fa, sa, aPrev, fPrev, sPrev);
      aPrev = a;
      fPrev = fa;
      sPrev = sa;
      a *= 4;
    }
    return this.settle(f0, aPrev, fPrev);
  }

  /** Algorithm 3.6: shrinks [lo, hi], which brackets a strong-Wolfe step, by safeguarded cubic steps. */
  private zoom(
    f0: number,
    slope0: number,
    lo: number,
    fLo: number,
    sLo: number,
    hi: number,
    fHi: number,
    sHi: number,
  ): number | undefined {
    for (let tries = 0; tries < MAX_LINE_SEARCH; tries++) {
      const width = hi - lo;
      let a = cubicMin(lo, fLo, sLo, hi, fHi, sHi);
      // Keep the trial inside the middle 80% of the bracket so it shrinks every time.
      const left = Math.min(lo, hi) + 0.1 * Math.abs(width);
      const right = Math.max(lo, hi) - 0.1 * Math.abs(width);
      if (!(a >= left && a <= right)) a = lo + 0.5 * width;
      const fa = this.at(a);
      const sa = dot(this.gNew, this.d);
      if (!Number.isFinite(fa) || fa > f0 + C1 * a * slope0 || fa >= fLo) {
        hi = a;
        fHi = fa;
        sHi = sa;
      } else {
        if (Math.abs(sa) <= -C2 * slope0) return fa;
        if (sa * (hi - lo) >= 0) {
          hi = lo;
          fHi = fLo;
          sHi = sLo;
        }
        lo = a;
        fLo = fa;
        sLo = sa;
      }
      if (Math.abs(hi - lo) <= 1e-15 * Math.max(1, Math.abs(lo))) break;
    }
    return this.settle(f0, lo, fLo);
  }

  /** Out of trials: take the best step with sufficient decrease seen (lo), if any. */
  private settle(f0: number, lo: number, fLo: number): number | undefined {
    if (lo <= 0 || !(fLo < f0)) return undefined;
    return this.at(lo);
  }

  private at(a: number): number {
    const { w, d, wNew } = this;
    for (let i = 0; i < w.length; i++) wNew[i] = w[i] + a * d[i];
    this.evaluations++;
    return this.f(wNew, this.gNew);
  }
}

/** Minimiser of the cubic through (a, fa, sa) and (b, fb, sb); NaN when it has none. */
function cubicMin(a: number, fa: number, sa: number, b: number, fb: number, sb: number): number {
  const d1 = sa + sb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - sa * sb;
  if (!(disc >= 0) || !Number.isFinite(fb)) return Number.NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (sb + d2 - d1)) / (sb - sa + 2 * d2);
}

function twoLoop(
  g: Float64Array,
  d: Float64Array,
  S: Float64Array[],
  Y: Float64Array[],
  rho: Float64Array,
  alpha: Float64Array,
  stored: number,
  head: number,
  m: number,
): void {
  const n = g.length;
  for (let i = 0; i < n; i++) d[i] = -g[i];
  for (let k = 1; k <= stored; k++) {
    const j = (head - k + m) % m;
    alpha[j] = rho[j] * dot(S[j], d);
    axpy(-alpha[j], Y[j], d);
  }
  if (stored > 0) {
    const j = (head - 1 + m) % m;
    const gamma = dot(S[j], Y[j]) / dot(Y[j], Y[j]);
    for (let i = 0; i < n; i++) d[i] *= gamma;
  }
  for (let k = stored; k >= 1; k--) {
    const j = (head - k + m) % m;
    const beta = rho[j] * dot(Y[j], d);
    axpy(alpha[j] - beta, S[j], d);
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
